package dev.gatehouse.auth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads JWK Set documents (RFC 7517) into {@link JwtKey}s. */
final class Jwks {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        JSON.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(16)
                        .maxStringLength(64 * 1024)
                        .build());
    }

    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth");

    /** The usable keys, and why each other key was left out. */
    record Parsed(List<JwtKey> keys, List<String> skipped) {}

    private Jwks() {}

    /** Where a document comes from, which decides what happens to a key that cannot be used. */
    enum Origin {
        /** Configured keys: any unusable key fails the whole document; HMAC secrets are allowed. */
        CONFIGURED,
        /**
         * Keys fetched from an issuer, which often publishes encryption keys beside signing keys: unusable keys are
         * skipped with a reason, and so is every HMAC secret ({@code kty: oct}), since a secret served over HTTP
         * is known to whoever can read the document.
         */
        FETCHED
    }

    /**
     * @throws IllegalArgumentException when the document is not a JWK Set, has duplicate key ids, or (configured)
     *     has an unusable key
     */
    static Parsed parse(String json, Origin origin) {
        boolean strict = origin == Origin.CONFIGURED;
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JWKS: not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.path("keys").isArray()) {
            throw new IllegalArgumentException("JWKS: no \"keys\" array (expected: {\"keys\": [...]})");
        }
        List<JwtKey> keys = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> kids = new HashSet<>();
        int index = 0;
        for (JsonNode jwk : root.get("keys")) {
            String where = "JWKS key #" + index++;
            JsonNode kidNode = jwk.path("kid");
            if (kidNode.isTextual() && !kids.add(kidNode.asText())) {
                throw new IllegalArgumentException(
                        where + ": duplicate kid " + kidNode.asText() + " (expected: unique key ids)");
            }
            if (!strict && "oct".equals(jwk.path("kty").asText(""))) {
                skipped.add(where + ": kid " + kidNode.asText(null)
                        + " is an HMAC secret (kty oct; expected: only public keys in a fetched JWKS)");
                continue;
            }
            try {
                keys.add(key(jwk));
            } catch (IllegalArgumentException e) {
                if (strict) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                }
                skipped.add(where + ": " + e.getMessage());
            }
        }
        return new Parsed(keys, skipped);
    }

    private static JwtKey key(JsonNode jwk) {
        if (!jwk.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        String kid = null;
        if (jwk.has("kid")) {
            if (!jwk.get("kid").isTextual() || jwk.get("kid").asText().isEmpty()) {
                throw new IllegalArgumentException("kid is not a non-empty string");
            }
            kid = jwk.get("kid").asText();
        }
        for (String member : PRIVATE_MEMBERS) {
            if (jwk.has(member)) {
                throw new IllegalArgumentException("kid " + kid + " holds private key material (" + member + ")");
            }
        }
        if (jwk.has("use") && !"sig".equals(jwk.get("use").asText(null))) {
            throw new IllegalArgumentException("kid " + kid + " has use " + jwk.get("use") + " (expected: sig)");
        }
        if (jwk.has("key_ops") && !containsText(jwk.get("key_ops"), "verify")) {
            throw new IllegalArgumentException("kid " + kid + " has key_ops without verify");
        }
        JwtAlgorithm alg = null;
        if (jwk.has("alg")) {
            alg = JwtAlgorithm.named(jwk.get("alg").asText(""));
            if (alg == null) {
                throw new IllegalArgumentException("kid " + kid + " has unsupported alg " + jwk.get("alg"));
            }
        }
        String kty = jwk.path("kty").asText("");
        switch (kty) {
            case "RSA" -> {
                alg = alg == null ? JwtAlgorithm.RS256 : alg;
                requireFamily(kid, alg, JwtAlgorithm.Family.RSA, kty);
                return JwtKey.rsa(kid, alg, rsaKey(kid, jwk));
            }
            case "EC" -> {
                String crv = jwk.path("crv").asText("");
                JwtAlgorithm curveAlg = JwtAlgorithm.forEcCurve(crv);
                if (curveAlg == null) {
                    throw new IllegalArgumentException("kid " + kid + " has unsupported crv " + jwk.get("crv"));
                }
                if (alg != null && alg != curveAlg) {
                    throw new IllegalArgumentException("kid " + kid + ": alg " + alg + " does not match crv " + crv);
                }
                return JwtKey.ec(kid, curveAlg, ecKey(kid, jwk, curveAlg));
            }
            case "OKP" -> {
                if (!"Ed25519".equals(jwk.path("crv").asText(""))) {
                    throw new IllegalArgumentException(
                            "kid " + kid + " has unsupported crv " + jwk.get("crv") + " (expected: Ed25519)");
                }
                if (alg != null) {
                    requireFamily(kid, alg, JwtAlgorithm.Family.EDDSA, kty);
                }
                return JwtKey.eddsa(kid, Ed25519.publicKey("kid " + kid, base64Url(kid, jwk, "x")));
            }
            case "oct" -> {
                if (alg == null) {
                    throw new IllegalArgumentException("kid " + kid + ": an oct key needs an alg");
                }
                requireFamily(kid, alg, JwtAlgorithm.Family.HMAC, kty);
                return JwtKey.hmac(kid, alg, base64Url(kid, jwk, "k"));
            }
            default -> throw new IllegalArgumentException("kid " + kid + " has unsupported kty " + jwk.get("kty"));
        }
    }

    private static void requireFamily(String kid, JwtAlgorithm alg, JwtAlgorithm.Family family, String kty) {
        if (alg.family() != family) {
            throw new IllegalArgumentException("kid " + kid + ": alg " + alg + " does not fit kty " + kty);
        }
    }

    private static RSAPublicKey rsaKey(String kid, JsonNode jwk) {
        BigInteger n = new BigInteger(1, base64Url(kid, jwk, "n"));
        BigInteger e = new BigInteger(1, base64Url(kid, jwk, "e"));
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (GeneralSecurityException ex) {
            throw new IllegalArgumentException("kid " + kid + ": invalid RSA key (" + rootMessage(ex) + ")", ex);
        }
    }

    private static ECPublicKey ecKey(String kid, JsonNode jwk, JwtAlgorithm alg) {
        byte[] x = base64Url(kid, jwk, "x");
        byte[] y = base64Url(kid, jwk, "y");
        if (x.length != alg.size() || y.length != alg.size()) {
            throw new IllegalArgumentException("kid " + kid + ": coordinates of " + x.length + "/" + y.length
                    + " bytes (expected: " + alg.size() + " for " + alg.curve() + ")");
        }
        ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        var curve = EcCurves.named(String.valueOf(alg.curve()));
        if (!EcCurves.isOnCurve(point, curve)) {
            throw new IllegalArgumentException("kid " + kid + ": the point is not on " + alg.curve());
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, curve));
        } catch (GeneralSecurityException ex) {
            throw new IllegalArgumentException("kid " + kid + ": invalid EC key (" + rootMessage(ex) + ")", ex);
        }
    }

    private static byte[] base64Url(String kid, JsonNode jwk, String member) {
        JsonNode node = jwk.get(member);
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw new IllegalArgumentException("kid " + kid + ": member " + member + " missing or not a string");
        }
        try {
            return Base64.getUrlDecoder().decode(node.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kid " + kid + ": member " + member + " is not base64url", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static boolean containsText(JsonNode array, String text) {
        if (array.isArray()) {
            for (JsonNode item : array) {
                if (text.equals(item.asText(null))) {
                    return true;
                }
            }
        }
        return false;
    }
}
