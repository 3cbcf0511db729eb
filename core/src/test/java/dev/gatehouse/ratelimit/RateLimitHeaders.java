package dev.gatehouse.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the draft-10 fields as structured-field lists of string items with integer parameters, strictly
 * enough to reject anything else ({@code "minute";q=100;w=60, "hour";q=1000;w=3600}).
 */
final class RateLimitHeaders {
    private static final Pattern ITEM = Pattern.compile("\"([A-Za-z0-9_.:-]+)\"((?:;[a-z]+=-?[0-9]+)+)");
    private static final Pattern PARAMETER = Pattern.compile(";([a-z]+)=(-?[0-9]+)");

    private RateLimitHeaders() {}

    /** Item name → parameter → value; fails the test when the field is not such a list. */
    static Map<String, Map<String, Long>> parse(String field) {
        Map<String, Map<String, Long>> items = new LinkedHashMap<>();
        for (String member : field.split(", ")) {
            Matcher item = ITEM.matcher(member);
            assertThat(item.matches())
                    .as("structured-field item: [%s] in [%s]", member, field)
                    .isTrue();
            Map<String, Long> parameters = new LinkedHashMap<>();
            Matcher parameter = PARAMETER.matcher(item.group(2));
            while (parameter.find()) {
                parameters.put(parameter.group(1), Long.parseLong(parameter.group(2)));
            }
            items.put(item.group(1), parameters);
        }
        return items;
    }
}
