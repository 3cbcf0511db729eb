package dev.gatehouse.auth;

import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.Principal;
import dev.gatehouse.internal.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns a verified token's claims into a {@link Principal}: {@code sub} (required), the tenant and plan claims,
 * the scopes ({@code scope}, a space-separated string, RFC 9068; or {@code scp}, an array or a string) and any
 * further claims asked for. Every value that may become a header value is checked first: a string of visible
 * ASCII (inner spaces allowed) of at most {@code maxClaimLength} characters, so a hostile claim can never add a
 * header or split one.
 */
final class ClaimsMapper {
    private final String tenantClaim;
    private final String planClaim;
    private final List<String> extraClaims;
    private final int maxClaimLength;

    ClaimsMapper(String tenantClaim, String planClaim, List<String> extraClaims, int maxClaimLength) {
        this.tenantClaim = tenantClaim;
        this.planClaim = planClaim;
        this.extraClaims = List.copyOf(extraClaims);
        this.maxClaimLength = maxClaimLength;
    }

    Principal principal(DecodedJWT jwt) throws JwtRefusal {
        String subject = headerSafe(jwt, "sub", true);
        Optional<String> tenant = Optional.ofNullable(headerSafe(jwt, tenantClaim, false));
        Optional<String> plan = Optional.ofNullable(headerSafe(jwt, planClaim, false));
        Set<String> scopes = scopes(jwt);
        Map<String, String> claims = new LinkedHashMap<>();
        for (String claim : extraClaims) {
            String value = headerSafe(jwt, claim, false);
            if (value != null) {
                claims.put(claim, value);
            }
        }
        return new Principal(
                String.valueOf(subject), tenant, scopes, plan, claims, "jwt", Optional.ofNullable(jwt.getIssuer()));
    }

    private @Nullable String headerSafe(DecodedJWT jwt, String name, boolean required) throws JwtRefusal {
        Claim claim = jwt.getClaim(name);
        if (claim.isMissing() || claim.isNull()) {
            if (required) {
                throw new JwtRefusal("The access token has no subject.", name + " missing");
            }
            return null;
        }
        String value = claim.asString();
        if (value == null) {
            throw new JwtRefusal("The access token has an invalid " + name + " claim.", name + " is not a string");
        }
        if (!Printable.isHeaderSafe(value, maxClaimLength)) {
            throw new JwtRefusal(
                    "The access token has an invalid " + name + " claim.",
                    name + " of " + value.length() + " chars is not visible ASCII of at most " + maxClaimLength);
        }
        return value;
    }

    private Set<String> scopes(DecodedJWT jwt) throws JwtRefusal {
        List<String> raw = new ArrayList<>();
        for (String name : List.of("scope", "scp")) {
            Claim claim = jwt.getClaim(name);
            if (claim.isMissing() || claim.isNull()) {
                continue;
            }
            String text = claim.asString();
            List<String> list = text != null ? List.of(text.split(" ")) : listOfStrings(claim);
            if (list == null) {
                throw new JwtRefusal(
                        "The access token has an invalid " + name + " claim.",
                        name + " is not a string or array of strings");
            }
            raw.addAll(list);
        }
        Set<String> scopes = new LinkedHashSet<>();
        int total = 0;
        for (String scope : raw) {
            if (scope.isEmpty()) {
                continue;
            }
            total += scope.length() + 1;
            if (!Printable.isVisibleAscii(scope, maxClaimLength) || total > 8 * maxClaimLength) {
                throw new JwtRefusal(
                        "The access token has invalid scopes.",
                        "scopes not visible ASCII or longer than " + 8 * maxClaimLength + " chars");
            }
            scopes.add(scope);
        }
        return scopes;
    }

    /** The claim as a list of strings, or null when it is not an array of strings. */
    static @Nullable List<String> listOfStrings(Claim claim) {
        try {
            List<Object> items = claim.asList(Object.class);
            if (items == null) {
                return null;
            }
            List<String> strings = new ArrayList<>(items.size());
            for (Object item : items) {
                if (!(item instanceof String text)) {
                    return null;
                }
                strings.add(text);
            }
            return strings;
        } catch (JWTDecodeException e) {
            return null;
        }
    }
}
