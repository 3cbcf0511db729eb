package dev.gatehouse.webhook;

import static dev.gatehouse.internal.Checks.checkArgument;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/** The HMAC-SHA256 keys a webhook may be signed with, and the constant-time check of its signatures. */
final class WebhookSecrets {
    private static final String STANDARD_PREFIX = "whsec_";

    private final List<SecretKeySpec> keys;

    WebhookSecrets(List<byte[]> keys) {
        this.keys =
                keys.stream().map(key -> new SecretKeySpec(key, "HmacSHA256")).toList();
    }

    /** The key bytes of a configured secret. */
    static byte[] key(WebhookScheme scheme, String secret) {
        checkArgument(!secret.isBlank(), "secret: blank (expected: the sender's signing secret)");
        if (scheme == WebhookScheme.STRIPE) {
            // Stripe's endpoint secrets are whsec_ and 32 characters: a short one is a typo or a guessable key.
            checkArgument(
                    secret.length() >= 16,
                    "secret: %s characters (expected: the endpoint's signing secret, at least 16)",
                    secret.length());
            return secret.getBytes(StandardCharsets.UTF_8);
        }
        String encoded = secret.startsWith(STANDARD_PREFIX) ? secret.substring(STANDARD_PREFIX.length()) : secret;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret: whsec_… (expected: whsec_ followed by base64)");
        }
        checkArgument(key.length >= 16, "secret: %s bytes (expected: at least 16 bytes of key)", key.length);
        return key;
    }

    int size() {
        return keys.size();
    }

    /** The signature that one of the keys made over the signed prefix and {@code body}, or null when none did. */
    byte @Nullable [] match(SignatureHeaders.Signed signed, byte[] body) {
        byte[] found = null;
        for (SecretKeySpec key : keys) {
            byte[] expected = hmac(key, signed.prefix(), body);
            for (byte[] candidate : signed.signatures()) {
                if (MessageDigest.isEqual(expected, candidate) && found == null) {
                    found = candidate;
                }
            }
        }
        return found;
    }

    private static byte[] hmac(SecretKeySpec key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }
}
