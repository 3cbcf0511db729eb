package dev.gatehouse.examples.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who may read the admin port when it has a token: a client that sends {@code Authorization: Bearer <token>}, or a
 * browser holding a session cookie it got by posting the token to the login form. Tokens are compared in constant
 * time (as SHA-256 digests, so their length does not show either); sessions are random, last {@link #SESSION_TTL},
 * and at most {@value #MAX_SESSIONS} are kept (the oldest goes first).
 */
final class AdminAccess {
    static final String COOKIE = "gatehouse-admin";
    static final Duration SESSION_TTL = Duration.ofHours(12);
    static final int MAX_SESSIONS = 64;

    private final byte @Nullable [] tokenDigest;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    /** Session id → expiry, oldest first. */
    private final Map<String, Instant> sessions = new LinkedHashMap<>();

    /** With {@code token} null, everyone may read (a loopback-only admin port). */
    AdminAccess(@Nullable String token, InstantSource clock) {
        this.tokenDigest = token == null ? null : digest(token);
        this.clock = clock;
    }

    /**
     * Whether {@code host} (a name or an address literal, IPv6 with or without brackets) is loopback: {@code
     * localhost}, {@code 127.0.0.0/8} or {@code ::1}. Decided on the text alone, without asking DNS.
     */
    static boolean isLoopback(String host) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (name.equalsIgnoreCase("localhost") || name.equals("::1") || name.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    boolean open() {
        return tokenDigest == null;
    }

    /** Whether {@code candidate} is the token; always false for an open port (there is no token to match). */
    boolean isToken(@Nullable String candidate) {
        return tokenDigest != null && candidate != null && MessageDigest.isEqual(tokenDigest, digest(candidate));
    }

    /**
     * Why a request with this {@code Authorization} value and this session cookie may not read, or empty when it
     * may.
     */
    Optional<String> refusal(@Nullable String authorization, @Nullable String session) {
        if (open()) {
            return Optional.empty();
        }
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Optional.of("Authorization is not a bearer token");
            }
            return isToken(authorization.substring(7).trim()) ? Optional.empty() : Optional.of("wrong admin token");
        }
        if (session != null) {
            return validSession(session) ? Optional.empty() : Optional.of("unknown or expired session");
        }
        return Optional.of("no admin token and no session");
    }

    /** A new session for a browser that gave the token. */
    synchronized String newSession() {
        byte[] id = new byte[32];
        random.nextBytes(id);
        String session = HexFormat.of().formatHex(id);
        Instant now = clock.instant();
        sessions.values().removeIf(expiry -> !expiry.isAfter(now));
        if (sessions.size() >= MAX_SESSIONS) {
            Iterator<String> oldest = sessions.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        sessions.put(session, now.plus(SESSION_TTL));
        return session;
    }

    private synchronized boolean validSession(String session) {
        Instant expiry = sessions.get(session);
        return expiry != null && expiry.isAfter(clock.instant());
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
