package dev.gatehouse.benchmarks;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.auth.Authentication;
import dev.gatehouse.auth.JwtAlgorithm;
import dev.gatehouse.auth.JwtAuthenticator;
import dev.gatehouse.auth.JwtKey;
import dev.gatehouse.auth.KeySet;
import dev.gatehouse.host.HostExchange;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JWT verification: Gatehouse's cache-hit path, and a first (uncached) verification per algorithm side by
 * side with raw java-jwt verification of the same token (decode + signature + iss/aud/exp checks). For ES256
 * it also times the bare signature check with the JDK and with BouncyCastle's lightweight API.
 * Targets: cache hit ≤ 150 ns; first verify ≤ 1.05× raw java-jwt. {@link #cacheHit()} reuses one header
 * string; {@link #freshHeaderValueHash()} shows what hashing a server's new string per request would add to a
 * cache keyed by the whole text (the cache hashes only the end of it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JwtBenchmark {
    private static final String ISS = "https://idp.example.com";
    private static final String AUD = "orders";

    private JwtAuthenticator cached;
    private JwtAuthenticator uncached;
    private char[] authorization;
    private Exchange hs256Exchange;
    private Exchange rs256Exchange;
    private Exchange es256Exchange;
    private String hs256;
    private String rs256;
    private String es256;
    private JWTVerifier rawHs256;
    private JWTVerifier rawRs256;
    private JWTVerifier rawEs256;

    private java.security.MessageDigest sha256;
    private byte[] esInput;
    private byte[] esDer;
    private ECPublicKey ecPublic;
    private ECDSASigner bcVerifier;
    private BigInteger bcR;
    private BigInteger bcS;

    @Setup
    public void setUp() throws Exception {
        sha256 = java.security.MessageDigest.getInstance("SHA-256");
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        KeyPair rsa = rsaGenerator.generateKeyPair();
        KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
        ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ec = ecGenerator.generateKeyPair();
        ecPublic = (ECPublicKey) ec.getPublic();

        Algorithm hsAlg = Algorithm.HMAC256(secret);
        Algorithm rsAlg = Algorithm.RSA256((RSAPublicKey) rsa.getPublic(), (RSAPrivateKey) rsa.getPrivate());
        Algorithm esAlg = Algorithm.ECDSA256(ecPublic, (ECPrivateKey) ec.getPrivate());
        hs256 = mint(hsAlg, "hs");
        rawHs256 = JWT.require(hsAlg).withIssuer(ISS).withAudience(AUD).build();

        KeySet hmacKeys = KeySet.of(JwtKey.hmac("hs", JwtAlgorithm.HS256, secret));
        KeySet publicKeys = KeySet.of(
                JwtKey.rsa("rs", JwtAlgorithm.RS256, (RSAPublicKey) rsa.getPublic()),
                JwtKey.ec("es", JwtAlgorithm.ES256, ecPublic));
        cached = JwtAuthenticator.builder()
                .issuer(ISS, hmacKeys)
                .issuer("https://public.example.com", publicKeys)
                .audience(AUD)
                .build();
        uncached = JwtAuthenticator.builder()
                .issuer(ISS, hmacKeys)
                .issuer("https://public.example.com", publicKeys)
                .audience(AUD)
                .cache(Duration.ZERO, 0)
                .build();
        rs256 = mint(rsAlg, "rs", "https://public.example.com");
        es256 = mint(esAlg, "es", "https://public.example.com");
        rawRs256 = JWT.require(rsAlg)
                .withIssuer("https://public.example.com")
                .withAudience(AUD)
                .build();
        rawEs256 = JWT.require(esAlg)
                .withIssuer("https://public.example.com")
                .withAudience(AUD)
                .build();
        hs256Exchange = exchange(hs256);
        authorization = ("Bearer " + hs256).toCharArray();
        rs256Exchange = exchange(rs256);
        es256Exchange = exchange(es256);
        check(cached.authenticate(hs256Exchange));
        check(uncached.authenticate(rs256Exchange));
        check(uncached.authenticate(es256Exchange));

        DecodedJWT decoded = JWT.decode(es256);
        esInput = (decoded.getHeader() + "." + decoded.getPayload()).getBytes(StandardCharsets.US_ASCII);
        byte[] p1363 = Base64.getUrlDecoder().decode(decoded.getSignature());
        bcR = new BigInteger(1, Arrays.copyOfRange(p1363, 0, 32));
        bcS = new BigInteger(1, Arrays.copyOfRange(p1363, 32, 64));
        esDer = der(bcR, bcS);
        X9ECParameters curve = ECNamedCurveTable.getByName("secp256r1");
        ECDomainParameters domain = new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
        bcVerifier = new ECDSASigner();
        bcVerifier.init(
                false,
                new ECPublicKeyParameters(
                        curve.getCurve()
                                .createPoint(
                                        ecPublic.getW().getAffineX(),
                                        ecPublic.getW().getAffineY()),
                        domain));
        if (!jdkEs256Signature() || !bouncyCastleEs256Signature()) {
            throw new IllegalStateException("ES256 signature does not verify");
        }
    }

    private static String mint(Algorithm algorithm, String kid) {
        return mint(algorithm, kid, ISS);
    }

    private static String mint(Algorithm algorithm, String kid, String issuer) {
        return JWT.create()
                .withKeyId(kid)
                .withIssuer(issuer)
                .withAudience(AUD)
                .withSubject("user-42")
                .withClaim("scope", "orders:read orders:write")
                .withIssuedAt(Instant.now())
                .withExpiresAt(Instant.now().plus(Duration.ofDays(1)))
                .sign(algorithm);
    }

    private static Exchange exchange(String token) {
        return HostExchange.builder("GET", "/orders/42")
                .headers(Headers.create().add("Host", "api.example.com").add("Authorization", "Bearer " + token))
                .peerAddress("192.0.2.7")
                .build();
    }

    private static void check(Authentication authentication) {
        if (!(authentication instanceof Authentication.Authenticated)) {
            throw new IllegalStateException("benchmark token refused: " + authentication);
        }
    }

    private static byte[] der(BigInteger r, BigInteger s) {
        byte[] rb = r.toByteArray();
        byte[] sb = s.toByteArray();
        byte[] out = new byte[6 + rb.length + sb.length];
        out[0] = 0x30;
        out[1] = (byte) (4 + rb.length + sb.length);
        out[2] = 0x02;
        out[3] = (byte) rb.length;
        System.arraycopy(rb, 0, out, 4, rb.length);
        out[4 + rb.length] = 0x02;
        out[5 + rb.length] = (byte) sb.length;
        System.arraycopy(sb, 0, out, 6 + rb.length, sb.length);
        return out;
    }

    /** A repeated token: digest, cache lookup, expiry check. */
    @Benchmark
    public Authentication cacheHit() {
        return cached.authenticate(hs256Exchange);
    }

    /**
     * A server's {@code Authorization} value is a new string every request: this is the hash such a string
     * costs when the whole of it is hashed, over {@link #freshHeaderValue()}.
     */
    @Benchmark
    public int freshHeaderValueHash() {
        return new String(authorization).hashCode();
    }

    /** A new header string, what {@link #freshHeaderValueHash()} costs besides hashing. */
    @Benchmark
    public String freshHeaderValue() {
        return new String(authorization);
    }

    /** The SHA-256 of the token's bytes with a reused digest: what a cache hit cost when keyed by a digest. */
    @Benchmark
    public byte[] tokenDigestOnly() {
        return sha256.digest(hs256.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Benchmark
    public Authentication firstVerifyHs256() {
        return uncached.authenticate(hs256Exchange);
    }

    @Benchmark
    public DecodedJWT rawJavaJwtHs256() {
        return rawHs256.verify(hs256);
    }

    @Benchmark
    public Authentication firstVerifyRs256() {
        return uncached.authenticate(rs256Exchange);
    }

    @Benchmark
    public DecodedJWT rawJavaJwtRs256() {
        return rawRs256.verify(rs256);
    }

    @Benchmark
    public Authentication firstVerifyEs256() {
        return uncached.authenticate(es256Exchange);
    }

    @Benchmark
    public DecodedJWT rawJavaJwtEs256() {
        return rawEs256.verify(es256);
    }

    /** The bare ES256 signature check with the JDK's SunEC, as java-jwt does it. */
    @Benchmark
    public boolean jdkEs256Signature() throws Exception {
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initVerify(ecPublic);
        signature.update(esInput);
        return signature.verify(esDer);
    }

    /** The same check with BouncyCastle's lightweight ECDSA. */
    @Benchmark
    public boolean bouncyCastleEs256Signature() {
        SHA256Digest digest = new SHA256Digest();
        digest.update(esInput, 0, esInput.length);
        byte[] hash = new byte[32];
        digest.doFinal(hash, 0);
        return bcVerifier.verifySignature(hash, bcR, bcS);
    }
}
