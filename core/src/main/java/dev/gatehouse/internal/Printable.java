package dev.gatehouse.internal;

/** Makes client-controlled text safe for a log line or a header value: visible ASCII, bounded. */
public final class Printable {
    private Printable() {}

    /**
     * {@code text} with every character outside visible ASCII and space replaced by {@code ?}, cut to {@code
     * max} characters with a trailing {@code …} when longer.
     */
    public static String of(String text, int max) {
        int length = Math.min(text.length(), max);
        StringBuilder safe = new StringBuilder(length + 1);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            safe.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > max) {
            safe.append('…');
        }
        return safe.toString();
    }

    /** Whether {@code text} is 1..max characters of visible ASCII (no space, no controls). */
    public static boolean isVisibleAscii(String text, int max) {
        if (text.isEmpty() || text.length() > max) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code value} is 1..max characters of visible ASCII and inner spaces: safe as a header value. */
    public static boolean isHeaderSafe(String value, int max) {
        if (value.isEmpty()
                || value.length() > max
                || value.charAt(0) == ' '
                || value.charAt(value.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
