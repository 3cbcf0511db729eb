package dev.gatehouse.headers;

import static dev.gatehouse.internal.Checks.checkArgument;

import dev.gatehouse.Exchange;
import dev.gatehouse.Headers;
import dev.gatehouse.Principal;
import dev.gatehouse.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A header value with placeholders filled from the exchange's verified facts, never from its request headers:
 * {@code {principal.subject}}, {@code {principal.tenant}}, {@code {principal.plan}}, {@code {principal.scopes}}
 * (space-separated, sorted), {@code {principal.method}}, {@code {claim.NAME}} (a claim the authenticator
 * selected), {@code {request.id}} and {@code {route}} (the matched route's pattern). A template whose
 * placeholder has no value (no principal, no such claim) has no value.
 */
final class HeaderTemplate {
    private final String text;
    private final List<Function<Exchange, Optional<String>>> parts;
    private final boolean fromPrincipal;
    private final boolean fromRequestId;

    private HeaderTemplate(
            String text,
            List<Function<Exchange, Optional<String>>> parts,
            boolean fromPrincipal,
            boolean fromRequestId) {
        this.text = text;
        this.parts = List.copyOf(parts);
        this.fromPrincipal = fromPrincipal;
        this.fromRequestId = fromRequestId;
    }

    static HeaderTemplate parse(String name, String text) {
        List<Function<Exchange, Optional<String>>> parts = new ArrayList<>();
        boolean principal = false;
        boolean requestId = false;
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf('{', at);
            int close = open < 0 ? -1 : text.indexOf('}', open);
            checkArgument(
                    text.indexOf('}', at) < 0 || open >= 0 && text.indexOf('}', at) > open,
                    "%s: %s (expected: balanced { })",
                    name,
                    text);
            if (open < 0) {
                parts.add(literal(text.substring(at)));
                break;
            }
            checkArgument(close > open, "%s: %s (expected: balanced { })", name, text);
            if (open > at) {
                parts.add(literal(text.substring(at, open)));
            }
            String placeholder = text.substring(open + 1, close);
            parts.add(source(name, text, placeholder));
            principal |= placeholder.startsWith("principal.") || placeholder.startsWith("claim.");
            requestId |= placeholder.equals("request.id");
            at = close + 1;
        }
        Headers.checkValue(name, text);
        return new HeaderTemplate(text, parts, principal, requestId);
    }

    private static Function<Exchange, Optional<String>> literal(String text) {
        Optional<String> value = Optional.of(text);
        return exchange -> value;
    }

    private static Function<Exchange, Optional<String>> source(String name, String text, String placeholder) {
        if (placeholder.startsWith("claim.") && placeholder.length() > "claim.".length()) {
            String claim = placeholder.substring("claim.".length());
            return exchange -> Principal.of(exchange).map(p -> p.claims().get(claim));
        }
        return switch (placeholder) {
            case "principal.subject" -> exchange -> Principal.of(exchange).map(Principal::subject);
            case "principal.tenant" -> exchange -> Principal.of(exchange).flatMap(Principal::tenant);
            case "principal.plan" -> exchange -> Principal.of(exchange).flatMap(Principal::plan);
            case "principal.method" -> exchange -> Principal.of(exchange).map(Principal::method);
            case "principal.scopes" ->
                exchange -> Principal.of(exchange)
                        .filter(p -> !p.scopes().isEmpty())
                        .map(p -> String.join(" ", p.scopes().stream().sorted().toList()));
            case "request.id" -> exchange -> exchange.attribute(Exchange.REQUEST_ID);
            case "route" -> exchange -> exchange.attribute(Route.KEY).map(Route::pattern);
            default ->
                throw new IllegalArgumentException(String.format(
                        "%s: %s (expected: placeholders principal.subject|tenant|plan|scopes|method, claim.NAME, "
                                + "request.id or route)",
                        name, text));
        };
    }

    /** The value for this exchange; empty when a placeholder has none. */
    Optional<String> render(Exchange exchange) {
        if (parts.size() == 1) {
            return parts.get(0).apply(exchange);
        }
        StringBuilder value = new StringBuilder(text.length() + 16);
        for (Function<Exchange, Optional<String>> part : parts) {
            Optional<String> piece = part.apply(exchange);
            if (piece.isEmpty()) {
                return Optional.empty();
            }
            value.append(piece.get());
        }
        return Optional.of(value.toString());
    }

    /** Whether a placeholder reads the principal or its claims. */
    boolean fromPrincipal() {
        return fromPrincipal;
    }

    /** Whether a placeholder reads the request id, which a client may have chosen. */
    boolean fromRequestId() {
        return fromRequestId;
    }

    @Override
    public String toString() {
        return text;
    }
}
