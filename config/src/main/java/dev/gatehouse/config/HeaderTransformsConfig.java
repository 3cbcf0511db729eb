package dev.gatehouse.config;

import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.headers.HeaderTransformPolicy;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Headers a route adds, sets and removes ({@link HeaderTransformPolicy}) on the request to the service and on the
 * response, with values templated from verified facts: {@code {principal.subject}}, {@code {principal.tenant}},
 * {@code {principal.plan}}, {@code {principal.scopes}}, {@code {principal.method}}, {@code {claim.NAME}}, {@code
 * {request.id}}, {@code {route}}. Each side removes first, then sets, then adds. An identity header may only be
 * set, from the principal.
 *
 * @param request what the service receives
 * @param response what the client receives
 */
public record HeaderTransformsConfig(
        @Nullable Transforms request, @Nullable Transforms response) {
    private static final Pattern CLAIM = Pattern.compile("\\{claim\\.([^{}]+)}");

    public HeaderTransformsConfig {
        policy(request, response, IdentityHeaders.defaults());
    }

    /**
     * The claims the templates read ({@code {claim.NAME}}), which the JWT authenticator must keep for them: it keeps
     * only the claims something reads.
     */
    public Set<String> claimNames() {
        Set<String> names = new TreeSet<>();
        for (Transforms side : Arrays.asList(request, response)) {
            if (side != null) {
                Stream.concat(side.add().values().stream(), side.set().values().stream())
                        .forEach(template ->
                                CLAIM.matcher(template).results().forEach(found -> names.add(found.group(1))));
            }
        }
        return names;
    }

    /** The policy these transforms describe; {@code identityHeaders} may only be set from the principal. */
    public HeaderTransformPolicy policy(IdentityHeaders identityHeaders) {
        return policy(request, response, identityHeaders);
    }

    private static HeaderTransformPolicy policy(
            @Nullable Transforms request, @Nullable Transforms response, IdentityHeaders identityHeaders) {
        HeaderTransformPolicy.Builder builder = HeaderTransformPolicy.builder().identityHeaders(identityHeaders);
        if (request != null) {
            request.remove().forEach(builder::removeRequestHeader);
            request.set().forEach(builder::setRequestHeader);
            request.add().forEach(builder::addRequestHeader);
        }
        if (response != null) {
            response.remove().forEach(builder::removeResponseHeader);
            response.set().forEach(builder::setResponseHeader);
            response.add().forEach(builder::addResponseHeader);
        }
        return Policies.built(builder::build);
    }

    /**
     * One side's transforms.
     *
     * @param add header name to template: a field added after those already there
     * @param set header name to template: replaces the fields of that name (removes them when the template has no
     *     value)
     * @param remove header names removed
     */
    public record Transforms(
            @Nullable Map<String, String> add,
            @Nullable Map<String, String> set,
            @Nullable List<String> remove) {
        public Transforms {
            add = ordered(add);
            set = ordered(set);
            remove = remove == null ? List.of() : List.copyOf(remove);
        }

        private static Map<String, String> ordered(@Nullable Map<String, String> map) {
            return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
        }

        @Override
        public Map<String, String> add() {
            return add == null ? Map.of() : add;
        }

        @Override
        public Map<String, String> set() {
            return set == null ? Map.of() : set;
        }

        @Override
        public List<String> remove() {
            return remove == null ? List.of() : remove;
        }
    }
}
