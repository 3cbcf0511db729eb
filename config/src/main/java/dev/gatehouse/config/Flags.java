package dev.gatehouse.config;

/** {@code true} or {@code false}, nothing else. */
final class Flags {
    private Flags() {}

    static boolean parse(String text) {
        return switch (text.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("value " + text + " (expected: true, false or settings)");
        };
    }
}
