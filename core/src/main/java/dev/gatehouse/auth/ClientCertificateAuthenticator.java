package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.Exchange;
import dev.gatehouse.Principal;
import dev.gatehouse.internal.Digests;
import dev.gatehouse.internal.Printable;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.security.auth.x500.X500Principal;

/**
 * Authenticates requests by the client certificate of a mutual-TLS connection, for an {@link AuthPolicy}: the
 * {@link CertificateIdentity} of the certificate the handshake verified ({@link Exchange#clientCertificates()})
 * becomes the principal's subject, with the configured scopes and plan, so that scopes, rate limits and identity
 * headers work as for tokens and API keys.
 *
 * <p>The TLS listener verifies the chain against its trust store; this authenticator then narrows what it
 * accepts: optionally only certificates of some issuers, and only identities that match one of the subject
 * patterns. It checks the validity period again against its clock. A request without a certificate is {@link
 * Authentication.Absent}, so another authenticator of the policy may take it; a certificate it does not accept is
 * {@link Authentication.Fault#INVALID_CREDENTIAL} (401 with the challenge {@code ClientCertificate}).
 *
 * <p>The principal also carries the certificate's subject and issuer (RFC 2253) and its SHA-256 fingerprint as
 * claims ({@link #SUBJECT_CLAIM}, {@link #ISSUER_CLAIM}, {@link #FINGERPRINT_CLAIM}), for {@link
 * dev.gatehouse.IdentityHeaders.Builder#claim identity headers} such as {@code X-Client-Cert-Subject}; a value
 * that is not visible ASCII is left out.
 */
public final class ClientCertificateAuthenticator implements Authenticator {
    /** The claim with the certificate's subject distinguished name, RFC 2253. */
    public static final String SUBJECT_CLAIM = "cert_subject";
    /** The claim with the certificate's issuer distinguished name, RFC 2253. */
    public static final String ISSUER_CLAIM = "cert_issuer";
    /** The claim with the SHA-256 of the certificate's DER encoding, lower-case hex. */
    public static final String FINGERPRINT_CLAIM = "cert_sha256";

    private static final int MAX_IDENTITY_LENGTH = 256;
    private static final String NOT_ACCEPTED = "The client certificate is not accepted.";

    private final CertificateIdentity identity;
    private final Set<X500Principal> issuers;
    private final List<Pattern> subjects;
    private final Set<String> scopes;
    private final Optional<String> plan;
    private final Clock clock;

    private ClientCertificateAuthenticator(Builder builder) {
        this.identity = builder.identity;
        this.issuers = Set.copyOf(builder.issuers);
        this.subjects = List.copyOf(builder.subjects);
        this.scopes = Set.copyOf(builder.scopes);
        this.plan = builder.plan;
        this.clock = builder.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Any certificate the listener verified, named by its subject's {@code CN}, without scopes. */
    public static ClientCertificateAuthenticator ofDefaults() {
        return builder().build();
    }

    @Override
    public Authentication authenticate(Exchange exchange) {
        List<X509Certificate> chain = exchange.clientCertificates();
        if (chain.isEmpty()) {
            return Authentication.Absent.INSTANCE;
        }
        X509Certificate certificate = chain.get(0);
        Optional<Authentication> refusal = outsideValidityOrIssuers(certificate);
        if (refusal.isPresent()) {
            return refusal.get();
        }
        List<String> candidates;
        try {
            candidates = identity.values(certificate);
        } catch (CertificateParsingException e) {
            return failed(
                    NOT_ACCEPTED, "unreadable " + identity + ": " + Printable.of(String.valueOf(e.getMessage()), 120));
        }
        if (candidates.isEmpty()) {
            return failed(NOT_ACCEPTED, "no " + identity + " in " + dn(certificate.getSubjectX500Principal()));
        }
        Optional<String> accepted = candidates.stream().filter(this::accepts).findFirst();
        if (accepted.isEmpty()) {
            return failed(NOT_ACCEPTED, identity + " " + Printable.of(candidates.toString(), 200) + " not accepted");
        }
        return new Authentication.Authenticated(principal(accepted.get(), certificate));
    }

    /** Expired or not yet valid by this authenticator's clock, or of an issuer it does not accept. */
    private Optional<Authentication> outsideValidityOrIssuers(X509Certificate certificate) {
        Instant now = clock.instant();
        if (now.isBefore(certificate.getNotBefore().toInstant())) {
            return Optional.of(failed(
                    "The client certificate is not yet valid.",
                    "not valid before " + certificate.getNotBefore().toInstant()));
        }
        if (now.isAfter(certificate.getNotAfter().toInstant())) {
            return Optional.of(failed(
                    "The client certificate has expired.",
                    "expired at " + certificate.getNotAfter().toInstant()));
        }
        X500Principal issuer = certificate.getIssuerX500Principal();
        if (!issuers.isEmpty() && !issuers.contains(issuer)) {
            return Optional.of(failed(NOT_ACCEPTED, "issuer " + dn(issuer) + " not accepted"));
        }
        return Optional.empty();
    }

    private boolean accepts(String candidate) {
        if (!Printable.isHeaderSafe(candidate, MAX_IDENTITY_LENGTH)) {
            return false;
        }
        if (subjects.isEmpty()) {
            return true;
        }
        for (Pattern subject : subjects) {
            if (subject.matcher(candidate).matches()) {
                return true;
            }
        }
        return false;
    }

    private Principal principal(String subject, X509Certificate certificate) {
        Map<String, String> claims = new LinkedHashMap<>();
        putIfSafe(claims, SUBJECT_CLAIM, certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
        putIfSafe(claims, ISSUER_CLAIM, certificate.getIssuerX500Principal().getName(X500Principal.RFC2253));
        try {
            claims.put(
                    FINGERPRINT_CLAIM, HexFormat.of().formatHex(Digests.sha256().digest(certificate.getEncoded())));
        } catch (CertificateEncodingException e) {
            // A certificate the handshake accepted has an encoding; without one, the claim is left out.
        }
        return new Principal(
                subject,
                Optional.empty(),
                scopes,
                plan,
                claims,
                "client-certificate",
                Optional.of(certificate.getIssuerX500Principal().getName(X500Principal.RFC2253)));
    }

    private static void putIfSafe(Map<String, String> claims, String claim, String value) {
        if (Printable.isHeaderSafe(value, 1024)) {
            claims.put(claim, value);
        }
    }

    private static String dn(X500Principal name) {
        return Printable.of(name.getName(X500Principal.RFC2253), 200);
    }

    private static Authentication failed(String description, String reason) {
        return new Authentication.Failed(Authentication.Fault.INVALID_CREDENTIAL, description, reason);
    }

    /** No scheme is registered for TLS client certificates; this one says which credential the route takes. */
    @Override
    public Optional<String> challenge() {
        return Optional.of("ClientCertificate");
    }

    @Override
    public String name() {
        return "client-certificate";
    }

    @Override
    public String toString() {
        return "ClientCertificateAuthenticator[" + identity + ", issuers=" + issuers.size() + ", subjects=" + subjects
                + "]";
    }

    public static final class Builder {
        private CertificateIdentity identity = CertificateIdentity.commonName();
        private final Set<X500Principal> issuers = new LinkedHashSet<>();
        private final List<Pattern> subjects = new ArrayList<>();
        private final Set<String> scopes = new LinkedHashSet<>();
        private Optional<String> plan = Optional.empty();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Which field names the principal; {@link CertificateIdentity#commonName()} by default. */
        public Builder identity(CertificateIdentity identity) {
            this.identity = requireNonNull(identity, "identity");
            return this;
        }

        /** Accepts only certificates issued by this distinguished name ({@code CN=Orders CA,O=Example}); repeatable. */
        public Builder issuer(String distinguishedName) {
            requireNonNull(distinguishedName, "issuer");
            try {
                issuers.add(new X500Principal(distinguishedName));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "issuer: " + distinguishedName
                                + " (expected: a distinguished name such as CN=Orders CA,O=Example)",
                        e);
            }
            return this;
        }

        /** Accepts only identities that match this regular expression whole; repeatable (any one may match). */
        public Builder subject(String regex) {
            requireNonNull(regex, "subject");
            try {
                subjects.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("subject: " + regex + " (expected: a regular expression)", e);
            }
            return this;
        }

        /** The scopes every accepted certificate is granted. */
        public Builder scopes(Set<String> scopes) {
            for (String scope : scopes) {
                checkArgument(
                        Printable.isVisibleAscii(scope, 256), "scope: %s (expected: 1..256 visible ASCII)", scope);
            }
            this.scopes.clear();
            this.scopes.addAll(scopes);
            return this;
        }

        /** The plan (tier) rate limits may key on, for every accepted certificate. */
        public Builder plan(String plan) {
            checkArgument(Printable.isVisibleAscii(plan, 64), "plan: %s (expected: 1..64 visible ASCII)", plan);
            this.plan = Optional.of(plan);
            return this;
        }

        /** The clock the validity period is checked against; the system clock by default. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public ClientCertificateAuthenticator build() {
            return new ClientCertificateAuthenticator(this);
        }
    }
}
