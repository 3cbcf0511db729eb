package dev.gatehouse;

import java.util.Locale;

/** Derives a policy's log name from its class: {@code RequestIdPolicy} → {@code request-id}. */
final class PolicyNames {
    private PolicyNames() {}

    static String of(Class<?> type) {
        String simple = type.getSimpleName();
        int lambda = simple.indexOf("$$");
        if (lambda >= 0) {
            simple = simple.substring(0, lambda);
        }
        if (simple.endsWith("Policy") && simple.length() > "Policy".length()) {
            simple = simple.substring(0, simple.length() - "Policy".length());
        }
        if (simple.isEmpty()) {
            return "policy";
        }
        StringBuilder name = new StringBuilder(simple.length() + 4);
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(simple.charAt(i - 1))) {
                name.append('-');
            }
            name.append(Character.toLowerCase(c));
        }
        return name.toString().toLowerCase(Locale.ROOT);
    }
}
