package dev.gatehouse.auth;

import static dev.gatehouse.auth.JwtAuthenticatorTest.SECRET;
import static dev.gatehouse.auth.JwtAuthenticatorTest.assertAccepted;
import static dev.gatehouse.auth.JwtAuthenticatorTest.assertRefused;
import static dev.gatehouse.auth.JwtAuthenticatorTest.claims;
import static dev.gatehouse.auth.JwtAuthenticatorTest.decide;
import static dev.gatehouse.auth.JwtAuthenticatorTest.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.Tokens;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a token selects its key: by kid, or a kid-less key alone in its family; the algorithm stays pinned. */
class KeySelectionTest {
    static final KeyPair RSA = JwtAuthenticatorTest.RSA;
    static final KeyPair EC = JwtAuthenticatorTest.EC;

    final MutableClock clock = new MutableClock(JwtAuthenticatorTest.NOW);

    AuthPolicy policy(KeySource keys) {
        return AuthPolicy.jwt(JwtAuthenticator.builder()
                .issuer(JwtAuthenticatorTest.ISS, keys)
                .audience(JwtAuthenticatorTest.AUD)
                .clock(clock)
                .build());
    }

    static String hs256(String headerJson) {
        return Tokens.hmac("HS256", SECRET, headerJson, claims(""));
    }

    @Test
    void anHs256TokenWithAKidVerifiesWithAnHmacSecretConfiguredWithoutOne() {
        AuthPolicy policy = policy(KeySet.of(JwtKey.hmac(null, JwtAlgorithm.HS256, SECRET)));

        assertAccepted(decide(policy, hs256(header("HS256", "any-kid"))));
        assertAccepted(decide(policy, hs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")));
    }

    @Test
    void aKidlessKeyAloneInItsFamilyMatchesTokensWithOrWithoutAKid() {
        AuthPolicy policy = policy(KeySet.of(
                JwtKey.rsa(null, JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic()),
                JwtKey.ec("ec-1", JwtAlgorithm.ES256, (ECPublicKey) EC.getPublic())));
        String claims = claims("");

        assertAccepted(decide(policy, Tokens.rsa("RS256", RSA.getPrivate(), "{\"alg\":\"RS256\"}", claims)));
        assertAccepted(decide(policy, Tokens.rsa("RS256", RSA.getPrivate(), header("RS256", "rotated"), claims)));
        assertAccepted(decide(policy, Tokens.ec("ES256", EC.getPrivate(), header("ES256", "ec-1"), claims)));
    }

    @Test
    void aKeyWithAKidMatchesTokensThatNameItAndKidlessTokensWhileItIsAloneInItsFamily() {
        AuthPolicy policy = policy(KeySet.of(JwtKey.hmac("hs-1", JwtAlgorithm.HS256, SECRET)));

        assertAccepted(decide(policy, hs256(header("HS256", "hs-1"))));
        assertRefused(decide(policy, hs256(header("HS256", "hs-2"))), "unknown kid hs-2");
        assertAccepted(decide(policy, hs256("{\"alg\":\"HS256\"}")));
    }

    @Test
    void aTokenWithoutAKidIsRefusedWhenSeveralKeysOfItsFamilyExist() {
        AuthPolicy policy = policy(KeySet.of(
                JwtKey.rsa("rsa-1", JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic()),
                JwtKey.rsa("rsa-2", JwtAlgorithm.RS256, (RSAPublicKey) JwtAuthenticatorTest.OTHER_RSA.getPublic())));

        assertRefused(
                decide(policy, Tokens.rsa("RS256", RSA.getPrivate(), "{\"alg\":\"RS256\"}", claims(""))),
                "no kid and 2 RSA keys for iss https://idp.example.test");
    }

    @Test
    void aFetchedKidlessKeyBesideAnotherOfItsFamilyMatchesNoTokenWithoutItsOwnKid() {
        JwtKey kidless = JwtKey.rsa(null, JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic());
        JwtKey named =
                JwtKey.rsa("rsa-2", JwtAlgorithm.RS256, (RSAPublicKey) JwtAuthenticatorTest.OTHER_RSA.getPublic());
        KeySource source = new KeySource() {
            @Override
            public Optional<JwtKey> find(String kid) {
                return kid.equals("rsa-2") ? Optional.of(named) : Optional.empty();
            }

            @Override
            public List<JwtKey> keys() {
                return List.of(kidless, named);
            }
        };

        assertThat(source.select(null, JwtAlgorithm.Family.RSA))
                .isEqualTo(new KeySelection.NotFound("no kid and 2 RSA keys"));
        assertThat(source.select("other", JwtAlgorithm.Family.RSA))
                .isEqualTo(new KeySelection.NotFound("unknown kid other"));
        assertThat(source.select("rsa-2", JwtAlgorithm.Family.RSA)).isEqualTo(new KeySelection.Found(named));
    }

    @Test
    void theAlgorithmStaysPinnedWhenAKidlessKeyIsSelected() {
        AuthPolicy policy = policy(KeySet.of(JwtKey.rsa(null, JwtAlgorithm.RS256, (RSAPublicKey) RSA.getPublic())));
        String claims = claims("");

        assertRefused(
                decide(policy, Tokens.rsa("RS512", RSA.getPrivate(), "{\"alg\":\"RS512\"}", claims)),
                "alg RS512 does not match JwtKey[(no kid), RS256]");
        assertRefused(
                decide(policy, Tokens.pss(RSA.getPrivate(), header("PS256", "k"), claims)),
                "alg PS256 does not match JwtKey[(no kid), RS256]");
        assertRefused(
                decide(policy, Tokens.ec("ES256", EC.getPrivate(), "{\"alg\":\"ES256\"}", claims)),
                "no kid and 0 EC keys");
        assertRefused(
                decide(policy, Tokens.rsa("RS256", RSA.getPrivate(), "{\"alg\":\"rs256\"}", claims)),
                "no kid and an unsupported alg");
    }
}
