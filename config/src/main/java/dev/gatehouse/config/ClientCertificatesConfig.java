package dev.gatehouse.config;

import dev.gatehouse.auth.CertificateIdentity;
import dev.gatehouse.auth.ClientCertificateAuthenticator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Client certificates of mutual TLS as a credential ({@link ClientCertificateAuthenticator}): the listener has
 * verified the chain against its trust store; these settings say which field names the principal and narrow what is
 * accepted.
 *
 * @param identity {@code subject:CN} (the default), {@code subject:<attribute>}, {@code san:dns}, {@code san:uri}
 *     (a SPIFFE id) or {@code san:email}
 * @param issuers accept only certificates of these issuers (distinguished names); any the listener trusts when
 *     unset
 * @param subjects accept only identities that match one of these regular expressions whole; any when unset
 * @param scopes the scopes every accepted certificate is granted
 * @param plan the plan rate limits may key on, for every accepted certificate
 */
public record ClientCertificatesConfig(
        @Nullable String identity,
        @Nullable List<String> issuers,
        @Nullable List<String> subjects,
        @Nullable List<String> scopes,
        @Nullable String plan) {
    public ClientCertificatesConfig {
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        subjects = subjects == null ? List.of() : List.copyOf(subjects);
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        authenticator(identity, issuers, subjects, scopes, plan);
    }

    /** The authenticator these settings describe. */
    public ClientCertificateAuthenticator authenticator() {
        return authenticator(identity, issuers, subjects, scopes, plan);
    }

    private static ClientCertificateAuthenticator authenticator(
            @Nullable String identity,
            List<String> issuers,
            List<String> subjects,
            List<String> scopes,
            @Nullable String plan) {
        ClientCertificateAuthenticator.Builder builder =
                ClientCertificateAuthenticator.builder().scopes(Set.copyOf(scopes));
        if (identity != null) {
            builder.identity(CertificateIdentity.parse(identity));
        }
        issuers.forEach(builder::issuer);
        subjects.forEach(builder::subject);
        if (plan != null) {
            builder.plan(plan);
        }
        return Policies.built(builder::build);
    }
}
