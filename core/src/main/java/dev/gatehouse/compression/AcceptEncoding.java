package dev.gatehouse.compression;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code Accept-Encoding} field (RFC 9110 §12.5.3): codings with weights. Several field lines form one
 * list; names are case-insensitive and {@code x-gzip} means {@code gzip}; a weight of 0 in any spelling
 * ({@code q=0}, {@code Q=0.000}) means "not acceptable"; {@code *} stands for every coding not listed; a
 * malformed weight makes its element unacceptable. Names are matched whole, never as substrings.
 */
final class AcceptEncoding {
    private static final AcceptEncoding IDENTITY_ONLY = new AcceptEncoding(Map.of(), false);

    /** Weight in thousandths by coding name (lower case); {@code *} included when listed. */
    private final Map<String, Integer> weights;

    private final boolean present;

    private AcceptEncoding(Map<String, Integer> weights, boolean present) {
        this.weights = weights;
        this.present = present;
    }

    /** Parses the field lines of a request; no lines means the client sent no {@code Accept-Encoding}. */
    public static AcceptEncoding parse(List<String> fieldLines) {
        if (fieldLines.isEmpty()) {
            return IDENTITY_ONLY;
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String line : fieldLines) {
            for (String element : line.split(",")) {
                String[] parts = element.split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                if (coding.isEmpty()) {
                    continue;
                }
                if (coding.equals("x-gzip")) {
                    coding = "gzip";
                }
                int weight = 1000;
                for (int i = 1; i < parts.length; i++) {
                    String parameter = parts[i].trim();
                    int equals = parameter.indexOf('=');
                    if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("q")) {
                        weight = qvalue(parameter.substring(equals + 1).trim());
                    }
                }
                weights.merge(coding, weight, Math::min);
            }
        }
        return new AcceptEncoding(Map.copyOf(weights), true);
    }

    /** {@code "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]} in thousandths; 0 (unacceptable) when malformed. */
    private static int qvalue(String text) {
        if (!text.matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")) {
            return 0;
        }
        if (text.startsWith("1")) {
            return 1000;
        }
        String digits = text.length() > 2 ? text.substring(2) : "";
        return digits.isEmpty() ? 0 : Integer.parseInt((digits + "00").substring(0, 3));
    }

    /** The weight (0..1000) the client gives {@code coding}. */
    public int weight(String coding) {
        String name = coding.toLowerCase(Locale.ROOT);
        Integer listed = weights.get(name);
        if (listed != null) {
            return listed;
        }
        if (name.equals("identity")) {
            Integer any = weights.get("*");
            return any != null && any == 0 ? 0 : 1000;
        }
        // No field: any coding is acceptable, but Gatehouse then prefers identity (see select).
        return weights.getOrDefault("*", 0);
    }

    /**
     * The coding to use among {@code supported} (in server preference order): the acceptable one with the
     * highest weight, ties going to the server's order; empty for identity. A request without {@code
     * Accept-Encoding} gets identity, which every client understands.
     */
    public Optional<String> select(List<String> supported) {
        if (!present) {
            return Optional.empty();
        }
        String best = null;
        int bestWeight = 0;
        for (String coding : supported) {
            int weight = weight(coding);
            if (weight > bestWeight) {
                best = coding;
                bestWeight = weight;
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public String toString() {
        return present ? "AcceptEncoding" + weights : "AcceptEncoding[absent]";
    }
}
