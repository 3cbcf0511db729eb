package dev.gatehouse.internal;

/** Describing failures for store errors and logs. */
public final class Throwables {
    private Throwables() {}

    /** The innermost cause's simple class name and message: what actually went wrong, in one line. */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
