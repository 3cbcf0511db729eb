package dev.gatehouse.auth;

import static dev.gatehouse.auth.JwtAuthenticatorTest.assertAccepted;
import static dev.gatehouse.auth.JwtAuthenticatorTest.assertRefused;
import static dev.gatehouse.auth.JwtAuthenticatorTest.claims;
import static dev.gatehouse.auth.JwtAuthenticatorTest.decide;
import static dev.gatehouse.auth.JwtAuthenticatorTest.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Decision;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.Tokens;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RSASSA-PSS and EdDSA (Ed25519): accepted when pinned, and every attack class of the other algorithms. */
class PssAndEdDsaTest {
    static final KeyPair RSA = JwtAuthenticatorTest.RSA;
    static final KeyPair EC = JwtAuthenticatorTest.EC;
    static final KeyPair ED = Tokens.edKeyPair("Ed25519");
    static final KeyPair ED448 = Tokens.edKeyPair("Ed448");

    final MutableClock clock = new MutableClock(JwtAuthenticatorTest.NOW);
    final AuthPolicy policy = AuthPolicy.jwt(JwtAuthenticator.builder()
            .issuer(
                    JwtAuthenticatorTest.ISS,
                    KeySet.of(
                            JwtKey.rsa("rs", JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic()),
                            JwtKey.rsa("ps256", JwtAlgorithm.PS256, (RSAPublicKey) RSA.getPublic()),
                            JwtKey.rsa("ps384", JwtAlgorithm.PS384, (RSAPublicKey) RSA.getPublic()),
                            JwtKey.rsa("ps512", JwtAlgorithm.PS512, (RSAPublicKey) RSA.getPublic()),
                            JwtKey.ec("ec-1", JwtAlgorithm.ES256, (ECPublicKey) EC.getPublic()),
                            JwtKey.eddsa("ed", (EdECPublicKey) ED.getPublic())))
            .audience(JwtAuthenticatorTest.AUD)
            .clock(clock)
            .build());

    static String ps(String alg, String kid) {
        return Tokens.pss(alg, RSA.getPrivate(), Integer.parseInt(alg.substring(2)) / 8, header(alg, kid), claims(""));
    }

    static String ed(String headerJson) {
        return Tokens.eddsa(ED.getPrivate(), headerJson, claims(""));
    }

    /** The token with its signature replaced by {@code signature}. */
    static String resigned(String token, byte[] signature) {
        return token.substring(0, token.lastIndexOf('.') + 1) + Tokens.b64(signature);
    }

    static byte[] signatureOf(String token) {
        return Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
    }

    @Test
    void acceptsPs256Ps384AndPs512() {
        assertAccepted(decide(policy, ps("PS256", "ps256")));
        assertAccepted(decide(policy, ps("PS384", "ps384")));
        assertAccepted(decide(policy, ps("PS512", "ps512")));
    }

    @Test
    void acceptsEdDsaWithKeysFromTheJdkPemAndJwk() {
        byte[] x = Arrays.copyOfRange(ED.getPublic().getEncoded(), 12, 44);
        String jwk = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\",\"alg\":\"EdDSA\",\"x\":\"" + Tokens.b64(x)
                + "\"}";
        AuthPolicy fromPem = policy(KeySet.of(JwtKey.fromPem(null, JwtAlgorithm.EdDSA, Tokens.pem(ED.getPublic()))));
        AuthPolicy fromJwk = policy(KeySet.fromJwks(KeySetTest.jwks(jwk)));

        assertAccepted(decide(policy, ed(header("EdDSA", "ed"))));
        assertAccepted(decide(fromPem, ed(header("EdDSA", "ed"))));
        assertAccepted(decide(fromPem, ed("{\"alg\":\"EdDSA\"}")));
        assertAccepted(decide(fromJwk, ed(header("EdDSA", "ed"))));
    }

    AuthPolicy policy(KeySource keys) {
        return AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(JwtAuthenticatorTest.ISS, keys)
                .audience(JwtAuthenticatorTest.AUD)
                .clock(clock)
                .build());
    }

    @Test
    void aPsTokenNeverVerifiesWithAnRsKeyNorAnRsTokenWithAPsKey() {
        String rs256 = Tokens.rsa("RS256", RSA.getPrivate(), header("RS256", "ps256"), claims(""));
        String ps256 = ps("PS256", "rs");

        assertRefused(decide(policy, rs256), "alg RS256 does not match JwtKey[ps256, PS256]");
        assertRefused(decide(policy, ps256), "alg PS256 does not match JwtKey[rs, RS256]");
        String pssSignatureUnderRsHeader =
                resigned(Tokens.signingInput(header("RS256", "rs"), claims("")) + ".", signatureOf(ps("PS256", "rs")));
        assertRefused(decide(policy, pssSignatureUnderRsHeader), "signature invalid (JwtKey[rs, RS256])");
        String pkcs1SignatureUnderPsHeader = resigned(
                Tokens.signingInput(header("PS256", "ps256"), claims("")) + ".",
                signatureOf(Tokens.rsa("RS256", RSA.getPrivate(), header("PS256", "ps256"), claims(""))));
        assertRefused(decide(policy, pkcs1SignatureUnderPsHeader), "signature invalid (JwtKey[ps256, PS256])");
        assertRefused(decide(policy, ps("PS384", "ps256")), "alg PS384 does not match JwtKey[ps256, PS256]");
        assertRefused(decide(policy, ps("PS256", "ec-1")), "alg PS256 does not match JwtKey[ec-1, ES256]");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20, 31, 33, 64})
    void refusesPssSignaturesWithAnotherSaltLength(int saltLength) {
        String token = Tokens.pss("PS256", RSA.getPrivate(), saltLength, header("PS256", "ps256"), claims(""));

        assertRefused(decide(policy, token), "signature invalid (JwtKey[ps256, PS256])");
    }

    @Test
    void refusesRsaKeysTooSmallForPs() {
        RSAPublicKey small = (RSAPublicKey) Tokens.rsaKeyPair(1024).getPublic();

        assertThatThrownBy(() -> JwtKey.rsa("small", JwtAlgorithm.PS256, small))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RSA key small: 1024-bit modulus (expected: at least 2048 bits)");
        String jwk = KeySetTest.rsaJwk("small", small.getModulus(), small.getPublicExponent(), ",\"alg\":\"PS256\"");
        assertThatThrownBy(() -> KeySet.fromJwks(KeySetTest.jwks(jwk))).hasMessageContaining("1024-bit modulus");
    }

    @Test
    void refusesEd448KeysAndTokens() {
        assertThatThrownBy(() -> JwtKey.fromPem("ed448", JwtAlgorithm.EdDSA, Tokens.pem(ED448.getPublic())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EdDSA key ed448: curve Ed448 (expected: Ed25519)");
        assertThatThrownBy(() -> JwtKey.eddsa("ed448", (EdECPublicKey) ED448.getPublic()))
                .hasMessageContaining("curve Ed448 (expected: Ed25519)");
        String jwk = "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"kid\":\"ed448\",\"x\":\"" + Tokens.b64(new byte[57]) + "\"}";
        assertThatThrownBy(() -> KeySet.fromJwks(KeySetTest.jwks(jwk)))
                .hasMessageContaining("unsupported crv \"Ed448\" (expected: Ed25519)");
        String x25519 = jwk.replace("Ed448", "X25519");
        assertThatThrownBy(() -> KeySet.fromJwks(KeySetTest.jwks(x25519)))
                .hasMessageContaining("unsupported crv \"X25519\"");

        String signedWithEd448 = Tokens.eddsa(ED448.getPrivate(), header("EdDSA", "ed"), claims(""));
        assertRefused(decide(policy, signedWithEd448), "signature invalid (JwtKey[ed, EdDSA])");
    }

    @Test
    void refusesEd25519PointsOffTheCurveNonCanonicalOrOfSmallOrder() {
        HexFormat hex = HexFormat.of();
        byte[] identity = hex.parseHex("0100000000000000000000000000000000000000000000000000000000000000");
        byte[] orderTwo = hex.parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        byte[] orderEight = hex.parseHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
        byte[] nonCanonical = hex.parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        byte[] offCurve = hex.parseHex("0200000000000000000000000000000000000000000000000000000000000000");

        assertThat(okpRefusal(identity)).contains("a point of small order");
        assertThat(okpRefusal(orderTwo)).contains("a point of small order");
        assertThat(okpRefusal(orderEight)).contains("a point of small order");
        assertThat(okpRefusal(nonCanonical)).contains("non-canonical");
        assertThat(okpRefusal(offCurve)).contains("the point is not on Ed25519");
        assertThat(okpRefusal(new byte[31])).contains("x of 31 bytes (expected: 32 for Ed25519)");
    }

    static String okpRefusal(byte[] x) {
        String jwk = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"bad\",\"x\":\"" + Tokens.b64(x) + "\"}";
        try {
            KeySet.fromJwks(KeySetTest.jwks(jwk));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted " + HexFormat.of().formatHex(x));
    }

    @Test
    void refusesMalformedAndMalleatedEdDsaSignatures() {
        String valid = ed(header("EdDSA", "ed"));
        byte[] signature = signatureOf(valid);
        byte[] sPlusL = signature.clone();
        BigInteger s = new BigInteger(1, reversed(Arrays.copyOfRange(signature, 32, 64)));
        byte[] malleated = reversed(Tokens.unsigned(s.add(Ed25519.L), 32));
        System.arraycopy(malleated, 0, sPlusL, 32, 32);

        assertAccepted(decide(policy, valid));
        for (byte[] bad : List.of(
                new byte[64],
                Arrays.copyOf(signature, 63),
                Arrays.copyOf(signature, 65),
                Arrays.copyOf(signature, 128),
                sPlusL,
                flipped(signature, 0),
                flipped(signature, 40))) {
            assertRefused(decide(policy, resigned(valid, bad)), "signature invalid (JwtKey[ed, EdDSA])");
        }
    }

    @Test
    void refusesAlgorithmConfusionAroundEd25519Keys() {
        byte[] spki = ED.getPublic().getEncoded();
        byte[] raw = Arrays.copyOfRange(spki, 12, 44);
        for (byte[] secret : List.of(spki, raw, Tokens.pem(ED.getPublic()).getBytes(StandardCharsets.US_ASCII))) {
            byte[] padded = Arrays.copyOf(secret, Math.max(32, secret.length));
            String forged = Tokens.hmac("HS256", padded, header("HS256", "ed"), claims(""));
            assertRefused(decide(policy, forged), "alg HS256 does not match JwtKey[ed, EdDSA]");
        }
        assertRefused(decide(policy, ed(header("Ed25519", "ed"))), "alg Ed25519 does not match JwtKey[ed, EdDSA]");
        assertRefused(decide(policy, ed(header("eddsa", "ed"))), "alg eddsa does not match");
        assertRefused(decide(policy, ed(header("EdDSA", "ec-1"))), "alg EdDSA does not match JwtKey[ec-1, ES256]");
        assertRefused(
                decide(policy, Tokens.ec("ES256", EC.getPrivate(), header("ES256", "ed"), claims(""))),
                "alg ES256 does not match JwtKey[ed, EdDSA]");
        String jwk = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"x\",\"alg\":\"ES256\",\"x\":\"" + Tokens.b64(raw)
                + "\"}";
        assertThatThrownBy(() -> KeySet.fromJwks(KeySetTest.jwks(jwk)))
                .hasMessageContaining("alg ES256 does not fit kty OKP");
    }

    @Test
    void refusesSignaturesOfTheWrongLengthForEveryAlgorithm() {
        List<String> tokens = List.of(
                Tokens.rsa("RS256", RSA.getPrivate(), header("RS256", "rs"), claims("")),
                ps("PS256", "ps256"),
                ps("PS512", "ps512"),
                Tokens.ec("ES256", EC.getPrivate(), header("ES256", "ec-1"), claims("")),
                ed(header("EdDSA", "ed")));
        for (String token : tokens) {
            byte[] signature = signatureOf(token);
            assertAccepted(decide(policy, token));
            assertRefused(decide(policy, resigned(token, Arrays.copyOf(signature, signature.length - 1))), "signature");
            assertRefused(decide(policy, resigned(token, Arrays.copyOf(signature, signature.length + 1))), "signature");
            assertRefused(decide(policy, resigned(token, new byte[1])), "signature");
            assertRefused(
                    decide(policy, token.substring(0, token.lastIndexOf('.') + 1) + "A"), "non-canonical base64url");
        }
    }

    @Test
    void neverAnswers5xxForMangledPsOrEdDsaTokens() {
        SecureRandom random = new SecureRandom();
        for (String valid : List.of(ps("PS256", "ps256"), ed(header("EdDSA", "ed")))) {
            for (int i = 0; i < 500; i++) {
                char[] chars = valid.toCharArray();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    chars[random.nextInt(chars.length)] = (char) (0x20 + random.nextInt(0x5f));
                }
                Decision decision = decide(policy, new String(chars));
                if (decision instanceof Decision.Reject reject) {
                    assertThat(reject.status()).isBetween(400, 499);
                }
            }
        }
    }

    static byte[] reversed(byte[] bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[bytes.length - 1 - i];
        }
        return out;
    }

    static byte[] flipped(byte[] bytes, int index) {
        byte[] out = bytes.clone();
        out[index] ^= 1;
        return out;
    }
}
