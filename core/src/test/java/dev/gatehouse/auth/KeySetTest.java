package dev.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.Tokens;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration refuses to build with weak or ambiguous keys (REQUIREMENTS.md §1, items 11 and key-set loading). */
class KeySetTest {
    static final KeyPair RSA = JwtAuthenticatorTest.RSA;
    static final KeyPair EC = JwtAuthenticatorTest.EC;

    static String rsaJwk(String kid, BigInteger n, BigInteger e, String extra) {
        return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"n\":\"" + Tokens.b64(n.toByteArray()) + "\",\"e\":\""
                + Tokens.b64(e.toByteArray()) + "\"" + extra + "}";
    }

    static String rsaJwk(String kid, String extra) {
        RSAPublicKey key = (RSAPublicKey) RSA.getPublic();
        return rsaJwk(kid, key.getModulus(), key.getPublicExponent(), extra);
    }

    static String ecJwk(String kid, ECPublicKey key, String crv, int size, String extra) {
        return "{\"kty\":\"EC\",\"kid\":\"" + kid + "\",\"crv\":\"" + crv + "\",\"x\":\""
                + Tokens.b64(Tokens.unsigned(key.getW().getAffineX(), size)) + "\",\"y\":\""
                + Tokens.b64(Tokens.unsigned(key.getW().getAffineY(), size)) + "\"" + extra + "}";
    }

    static String jwks(String... keys) {
        return "{\"keys\":[" + String.join(",", keys) + "]}";
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 31})
    void refusesHmacSecretsShorterThanTheHash(int length) {
        assertThatThrownBy(() -> JwtKey.hmac("k", JwtAlgorithm.HS256, JwtAuthenticatorTest.randomBytes(length)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret: " + length + " bytes for HS256 (expected: at least 32 bytes");
        assertThatThrownBy(() -> JwtKey.hmac("k", JwtAlgorithm.HS384, JwtAuthenticatorTest.randomBytes(47)))
                .hasMessageContaining("at least 48 bytes");
        assertThatThrownBy(() -> JwtKey.hmac("k", JwtAlgorithm.HS512, JwtAuthenticatorTest.randomBytes(63)))
                .hasMessageContaining("at least 64 bytes");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a-string-secret-at-least-256-bits-long",
                "secretsecretsecretsecretsecretsecret",
                "passwordpasswordpasswordpassword"
            })
    void refusesPublishedAndRepeatedSecrets(String secret) {
        assertThatThrownBy(() -> JwtKey.hmac("k", JwtAlgorithm.HS256, secret.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: a random secret");
    }

    @Test
    void refusesMixedSecretsAndPublicKeys() {
        assertThatThrownBy(() -> KeySet.of(
                        JwtKey.hmac("hs", JwtAlgorithm.HS256, JwtAuthenticatorTest.SECRET),
                        JwtKey.rsa("rs", JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic())))
                .hasMessageContaining("HMAC secrets mixed with public keys");
        String oct = "{\"kty\":\"oct\",\"kid\":\"hs\",\"alg\":\"HS256\",\"k\":\""
                + Tokens.b64(JwtAuthenticatorTest.SECRET) + "\"}";
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(oct, rsaJwk("rs", ""))))
                .hasMessageContaining("HMAC secrets mixed with public keys");
    }

    @Test
    void refusesDuplicateKids() {
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("same", ""), rsaJwk("same", ""))))
                .hasMessageContaining("duplicate kid same");
        assertThatThrownBy(() -> KeySet.of(
                        JwtKey.rsa("same", JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic()),
                        JwtKey.rsa("same", JwtAlgorithm.RS512, (RSAPublicKey) RSA.getPublic())))
                .hasMessageContaining("duplicate kid same");
    }

    @Test
    void refusesEncryptionKeysPrivateKeysAndKeysWithoutVerify() {
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("enc", ",\"use\":\"enc\""))))
                .hasMessageContaining("has use \"enc\" (expected: sig)");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("priv", ",\"d\":\"AQAB\""))))
                .hasMessageContaining("private key material");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("ops", ",\"key_ops\":[\"encrypt\"]"))))
                .hasMessageContaining("key_ops without verify");
    }

    @Test
    void refusesWeakRsaKeys() {
        RSAPublicKey small = (RSAPublicKey) Tokens.rsaKeyPair(1024).getPublic();
        assertThatThrownBy(() -> JwtKey.rsa("small", JwtAlgorithm.RS256, small))
                .hasMessageContaining("1024-bit modulus");
        assertThatThrownBy(
                        () -> KeySet.fromJwks(jwks(rsaJwk("small", small.getModulus(), small.getPublicExponent(), ""))))
                .hasMessageContaining("1024-bit modulus");
        BigInteger n = ((RSAPublicKey) RSA.getPublic()).getModulus();
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("e1", n, BigInteger.ONE, ""))))
                .hasMessageContaining("exponent is smaller than 3");
    }

    @Test
    void refusesEcPointsOffTheCurveAndCurveMismatches() {
        ECPublicKey key = (ECPublicKey) EC.getPublic();
        String good = ecJwk("ec", key, "P-256", 32, "");
        assertThat(KeySet.fromJwks(jwks(good)).keys()).hasSize(1);

        String offCurve = good.replaceFirst(
                "\"y\":\"[^\"]+\"",
                "\"y\":\"" + Tokens.b64(Tokens.unsigned(key.getW().getAffineY().add(BigInteger.ONE), 32)) + "\"");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(offCurve))).hasMessageContaining("the point is not on P-256");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(ecJwk("ec", key, "P-256", 32, ",\"alg\":\"ES384\""))))
                .hasMessageContaining("alg ES384 does not match crv P-256");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("rs", ",\"alg\":\"ES256\""))))
                .hasMessageContaining("alg ES256 does not fit kty RSA");
        assertThatThrownBy(() -> JwtKey.ec("ec", JwtAlgorithm.ES384, key)).hasMessageContaining("not on P-384");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("oaep", ",\"alg\":\"RSA-OAEP\""))))
                .hasMessageContaining("unsupported alg \"RSA-OAEP\"");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks(rsaJwk("ps", ",\"alg\":\"ps256\""))))
                .hasMessageContaining("unsupported alg \"ps256\"");
    }

    @Test
    void refusesDocumentsThatAreNotKeySets() {
        assertThatThrownBy(() -> KeySet.fromJwks("[]")).hasMessageContaining("no \"keys\" array");
        assertThatThrownBy(() -> KeySet.fromJwks("{\"keys\":")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> KeySet.fromJwks("{\"keys\":[],\"keys\":[]}")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> KeySet.fromJwks(jwks())).hasMessageContaining("keys: none");
    }

    @Test
    void refusesAKeyWithoutAKidBesideAnotherKeyOfItsFamily() {
        assertThatThrownBy(() -> KeySet.of(
                        JwtKey.rsa(null, JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic()),
                        JwtKey.rsa(
                                "ps", JwtAlgorithm.PS256, (RSAPublicKey) JwtAuthenticatorTest.OTHER_RSA.getPublic())))
                .hasMessageContaining("JwtKey[(no kid), RS256] without a kid among 2 RSA keys");
        assertThatThrownBy(() ->
                        KeySet.fromJwks(jwks(rsaJwk("a", ""), rsaJwk("b", "").replace("\"kid\":\"b\",", ""))))
                .hasMessageContaining("without a kid among 2 RSA keys");
    }

    @Test
    void acceptsAKeyWithoutAKidWhenItIsAloneInItsFamily() {
        KeySet keys = KeySet.of(
                JwtKey.rsa(null, JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic()),
                JwtKey.ec("ec", JwtAlgorithm.ES256, (ECPublicKey) EC.getPublic()));

        assertThat(keys.select(null, JwtAlgorithm.Family.RSA))
                .isEqualTo(new KeySelection.Found(keys.keys().get(0)));
        assertThat(keys.select(null, JwtAlgorithm.Family.EC))
                .as("a token without a kid gets the only key of its family, kid or not")
                .isEqualTo(new KeySelection.Found(keys.keys().get(1)));
        assertThat(keys.select("other", JwtAlgorithm.Family.EC))
                .isEqualTo(new KeySelection.NotFound("unknown kid other"));
    }

    @Test
    void readsPemKeys() {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder()
                        .encodeToString(EC.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----";

        assertThat(JwtKey.fromPem("ec", JwtAlgorithm.ES256, pem).algorithm()).isEqualTo(JwtAlgorithm.ES256);
        assertThatThrownBy(() -> JwtKey.fromPem("ec", JwtAlgorithm.HS256, pem)).hasMessageContaining("needs a secret");
        assertThatThrownBy(() -> JwtKey.fromPem("x", JwtAlgorithm.RS256, "hello"))
                .hasMessageContaining("no PUBLIC KEY block");
    }
}
