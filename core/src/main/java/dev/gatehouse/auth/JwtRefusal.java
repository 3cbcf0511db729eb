package dev.gatehouse.auth;

/** Why a JWT is refused: what the client is told, and the precise reason for the log. Stackless: refusals are common. */
final class JwtRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final String description;

    JwtRefusal(String description, String reason) {
        super(reason, null, false, false);
        this.description = description;
    }

    /** Fixed text for the client (problem detail and {@code error_description}), never client input. */
    String description() {
        return description;
    }

    /** The reason for the log, client-controlled parts bounded and escaped. */
    String reason() {
        return getMessage();
    }
}
