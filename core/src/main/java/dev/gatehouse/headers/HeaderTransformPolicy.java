package dev.gatehouse.headers;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.Decision;
import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.IdentityHeaders;
import dev.gatehouse.OffloadPolicy;
import dev.gatehouse.PolicyChain;
import dev.gatehouse.ProtectedHeaders;
import dev.gatehouse.ResponseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Adds, sets and removes request and response headers on a route, with values templated from the exchange's
 * verified facts ({@link HeaderTemplate}): {@code X-Tenant: {principal.tenant}}, {@code X-Route: {route}}.
 * Put it after authentication so that the principal is known.
 *
 * <p>No value ever comes from the client's headers. An identity header ({@link IdentityHeaders}) may only be
 * set, from the principal or its claims: adding to one, or setting one from the request id (which a client may
 * choose) or from literal text alone, is refused when the policy is built. Request headers set from the
 * principal are {@linkplain #protectedRequestHeaders() protected}: the route table removes client copies of
 * them on every route, so a request without a principal cannot smuggle its own value through. A set whose
 * template has no value for the exchange removes the field; an add adds nothing.
 */
public final class HeaderTransformPolicy implements OffloadPolicy {
    private enum Op {
        ADD,
        SET,
        REMOVE
    }

    private record Transform(Op op, String name, HeaderTemplate template) {}

    private final List<Transform> request;
    private final List<Transform> response;
    private final ProtectedHeaders fromPrincipal;

    private HeaderTransformPolicy(Builder builder) {
        this.request = List.copyOf(builder.request);
        this.response = List.copyOf(builder.response);
        this.fromPrincipal = ProtectedHeaders.of(request.stream()
                .filter(t -> t.op() != Op.REMOVE && t.template().fromPrincipal())
                .map(Transform::name)
                .toList());
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision onRequest(Exchange exchange) {
        if (request.isEmpty()) {
            return Decision.proceed();
        }
        Headers upstream = Headers.create();
        List<String> removed = new ArrayList<>();
        for (Transform transform : request) {
            Optional<String> value = render(transform, exchange);
            switch (transform.op()) {
                case REMOVE -> {
                    upstream.remove(transform.name());
                    removed.add(transform.name());
                }
                case SET ->
                    value.ifPresentOrElse(v -> upstream.set(transform.name(), v), () -> {
                        upstream.remove(transform.name());
                        removed.add(transform.name());
                    });
                case ADD ->
                    value.ifPresent(v -> {
                        if (!upstream.contains(transform.name())) {
                            upstream.set(
                                    transform.name(), exchange.requestHeaders().all(transform.name()));
                        }
                        upstream.add(transform.name(), v);
                    });
            }
        }
        return Decision.proceed(upstream, removed);
    }

    @Override
    public void onResponse(Exchange exchange, ResponseHead head) {
        for (Transform transform : response) {
            Optional<String> value = render(transform, exchange);
            switch (transform.op()) {
                case REMOVE -> head.removeHeader(transform.name());
                case SET ->
                    value.ifPresentOrElse(
                            v -> head.setHeader(transform.name(), v), () -> head.removeHeader(transform.name()));
                case ADD -> value.ifPresent(v -> head.headers().add(transform.name(), v));
            }
        }
    }

    private static Optional<String> render(Transform transform, Exchange exchange) {
        return transform.template() == null
                ? Optional.empty()
                : transform.template().render(exchange);
    }

    @Override
    public ProtectedHeaders protectedRequestHeaders() {
        return fromPrincipal;
    }

    @Override
    public String name() {
        return "header-transform";
    }

    @Override
    public String toString() {
        return "HeaderTransformPolicy[request=" + request + ", response=" + response + "]";
    }

    /** Builds a {@link HeaderTransformPolicy}; transforms apply in the order they are added. */
    public static final class Builder {
        private final List<Transform> request = new ArrayList<>();
        private final List<Transform> response = new ArrayList<>();
        private ProtectedHeaders identity = IdentityHeaders.defaults().protectedHeaders();

        private Builder() {}

        /** The identity headers of this deployment, when not the defaults ({@code X-User-Id}, ...). */
        public Builder identityHeaders(IdentityHeaders identityHeaders) {
            this.identity = IdentityHeaders.defaults()
                    .protectedHeaders()
                    .and(requireNonNull(identityHeaders, "identityHeaders").protectedHeaders());
            return this;
        }

        /** Adds a field to the upstream request, after the client's fields of that name. */
        public Builder addRequestHeader(String name, String template) {
            request.add(checkedRequest(Op.ADD, name, template));
            return this;
        }

        /** Replaces the client's fields of that name on the upstream request (removes them when empty). */
        public Builder setRequestHeader(String name, String template) {
            request.add(checkedRequest(Op.SET, name, template));
            return this;
        }

        /** Removes the field from the upstream request. */
        public Builder removeRequestHeader(String name) {
            request.add(checked(Op.REMOVE, name, null));
            return this;
        }

        /** Adds a field to the response. */
        public Builder addResponseHeader(String name, String template) {
            response.add(checked(Op.ADD, name, requireNonNull(template, "template")));
            return this;
        }

        /** Replaces the response's fields of that name (removes them when the template has no value). */
        public Builder setResponseHeader(String name, String template) {
            response.add(checked(Op.SET, name, requireNonNull(template, "template")));
            return this;
        }

        /** Removes the field from the response ({@code Server}, {@code X-Powered-By}). */
        public Builder removeResponseHeader(String name) {
            response.add(checked(Op.REMOVE, name, null));
            return this;
        }

        private Transform checkedRequest(Op op, String name, String template) {
            return checked(op, name, requireNonNull(template, "template"));
        }

        private static Transform checked(Op op, String name, String template) {
            Headers.checkName(name);
            checkArgument(
                    !PolicyChain.isHostOwned(name) && !name.equalsIgnoreCase("Content-Length"),
                    "header: %s (expected: not a framing or hop-by-hop header)",
                    name);
            return new Transform(op, name, template == null ? null : HeaderTemplate.parse(name, template));
        }

        /**
         * The policy; refuses a transform that could give an identity header a value the principal did not: an
         * add, or a set from the request id or from literal text alone.
         */
        public HeaderTransformPolicy build() {
            for (Transform transform : request) {
                HeaderTemplate template = transform.template();
                checkArgument(
                        !identity.matches(transform.name())
                                || transform.op() == Op.REMOVE
                                || transform.op() == Op.SET && template.fromPrincipal() && !template.fromRequestId(),
                        "%s: %s %s (expected: an identity header only set from {principal.*} or {claim.*})",
                        transform.name(),
                        transform.op().name().toLowerCase(java.util.Locale.ROOT),
                        template);
            }
            return new HeaderTransformPolicy(this);
        }
    }
}
