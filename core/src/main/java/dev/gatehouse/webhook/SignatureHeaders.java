package dev.gatehouse.webhook;

import dev.gatehouse.Headers;
import dev.gatehouse.internal.Printable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reads a webhook's signature headers: the message id (Standard Webhooks only), the timestamp, the bytes signed
 * ahead of the body and the candidate signatures. Missing headers or no signature of the known version are 401;
 * repeated headers and unreadable values are 400.
 */
final class SignatureHeaders {
    private static final int MAX_SIGNATURES = 16;
    private static final int MAX_ID_LENGTH = 256;

    /** What the headers claim, before any signature is checked. */
    record Signed(Optional<String> id, long timestamp, byte[] prefix, List<byte[]> signatures) {}

    /** Why the headers cannot be used: 400 when malformed, 401 when the signature is missing. */
    static final class Refusal extends Exception {
        final int status;
        final String detail;

        Refusal(int status, String detail, String reason) {
            super(reason, null, false, false);
            this.status = status;
            this.detail = detail;
        }
    }

    private SignatureHeaders() {}

    static Signed read(WebhookScheme scheme, Headers headers) throws Refusal {
        return scheme == WebhookScheme.STANDARD_WEBHOOKS ? standard(headers) : stripe(headers);
    }

    private static Signed standard(Headers headers) throws Refusal {
        String id = single(headers, "webhook-id");
        String timestamp = single(headers, "webhook-timestamp");
        String signatureField = single(headers, "webhook-signature");
        if (!Printable.isVisibleAscii(id, MAX_ID_LENGTH)) {
            throw malformed("webhook-id", "webhook-id of " + id.length() + " chars is not 1..256 visible ASCII");
        }
        long seconds = seconds("webhook-timestamp", timestamp);
        List<byte[]> signatures = new ArrayList<>();
        for (String entry : signatureField.split(" ")) {
            if (entry.isEmpty()) {
                continue;
            }
            int comma = entry.indexOf(',');
            if (comma <= 0 || signatures.size() >= MAX_SIGNATURES) {
                throw malformed("webhook-signature", "webhook-signature entry " + Printable.of(entry, 40));
            }
            if (entry.startsWith("v1,")) {
                try {
                    signatures.add(Base64.getDecoder().decode(entry.substring(3)));
                } catch (IllegalArgumentException e) {
                    throw malformed("webhook-signature", "v1 signature is not base64");
                }
            }
        }
        return signed(Optional.of(id), seconds, id + "." + seconds + ".", signatures, "webhook-signature");
    }

    private static Signed stripe(Headers headers) throws Refusal {
        String field = single(headers, "Stripe-Signature");
        String timestamp = null;
        List<byte[]> signatures = new ArrayList<>();
        for (String item : field.split(",")) {
            String entry = item.strip();
            int equals = entry.indexOf('=');
            if (equals <= 0 || signatures.size() >= MAX_SIGNATURES) {
                throw malformed("Stripe-Signature", "Stripe-Signature item " + Printable.of(entry, 40));
            }
            String name = entry.substring(0, equals);
            String value = entry.substring(equals + 1);
            if (name.equals("t")) {
                if (timestamp != null) {
                    throw malformed("Stripe-Signature", "Stripe-Signature with two t");
                }
                timestamp = value;
            } else if (name.equals("v1")) {
                if (!value.matches("[0-9a-fA-F]{64}")) {
                    throw malformed("Stripe-Signature", "v1 signature is not 64 hex digits");
                }
                signatures.add(HexFormat.of().parseHex(value));
            }
        }
        if (timestamp == null) {
            throw malformed("Stripe-Signature", "Stripe-Signature without t");
        }
        long seconds = seconds("Stripe-Signature", timestamp);
        return signed(Optional.empty(), seconds, seconds + ".", signatures, "Stripe-Signature");
    }

    private static Signed signed(
            Optional<String> id, long seconds, String prefix, List<byte[]> signatures, String header) throws Refusal {
        if (signatures.isEmpty()) {
            throw new Refusal(401, "This endpoint accepts only signed webhooks.", header + " has no v1 signature");
        }
        return new Signed(id, seconds, prefix.getBytes(StandardCharsets.UTF_8), List.copyOf(signatures));
    }

    private static String single(Headers headers, String name) throws Refusal {
        int fields = headers.count(name);
        if (fields == 0) {
            throw new Refusal(401, "This endpoint accepts only signed webhooks.", name + " missing");
        }
        if (fields > 1) {
            throw new Refusal(400, "Send one " + name + " header.", fields + " " + name + " fields");
        }
        return headers.first(name).orElseThrow();
    }

    private static long seconds(String header, String value) throws Refusal {
        if (!value.matches("0|[1-9][0-9]{0,11}")) {
            throw malformed(header, header + " timestamp " + Printable.of(value, 40) + " is not Unix seconds");
        }
        return Long.parseLong(value);
    }

    private static Refusal malformed(String header, String reason) {
        return new Refusal(400, "The " + header + " header is malformed.", reason);
    }
}
