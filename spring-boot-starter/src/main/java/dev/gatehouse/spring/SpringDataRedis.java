package dev.gatehouse.spring;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/**
 * The Redis that {@code spring.data.redis.*} (or a service connection) names, as a URL for Gatehouse's stores when
 * {@code gatehouse.redis} is not set. Only a standalone Redis is taken; Sentinel and Cluster set-ups need {@code
 * gatehouse.redis}.
 */
final class SpringDataRedis {
    private final ObjectProvider<DataRedisConnectionDetails> details;

    SpringDataRedis(ObjectProvider<DataRedisConnectionDetails> details) {
        this.details = details;
    }

    /** {@code redis[s]://[user:password@]host:port/database}, or empty when no standalone Redis is configured. */
    Optional<String> url() {
        DataRedisConnectionDetails connection = details.getIfUnique();
        if (connection == null
                || connection.getSentinel() != null
                || connection.getCluster() != null
                || connection.getStandalone() == null) {
            return Optional.empty();
        }
        DataRedisConnectionDetails.Standalone standalone = connection.getStandalone();
        StringBuilder url = new StringBuilder(connection.getSslBundle() == null ? "redis://" : "rediss://");
        String password = connection.getPassword();
        if (password != null) {
            url.append(encode(connection.getUsername()))
                    .append(':')
                    .append(encode(password))
                    .append('@');
        }
        url.append(standalone.getHost()).append(':').append(standalone.getPort());
        url.append('/').append(standalone.getDatabase());
        return Optional.of(url.toString());
    }

    private static String encode(@Nullable String text) {
        return text == null ? "" : URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SpringDataRedis"
                + url().map(SpringDataRedis::redacted)
                        .map(url -> "[" + url + "]")
                        .orElse("[none]");
    }

    private static String redacted(String url) {
        int at = url.indexOf('@');
        return at < 0 ? url : url.substring(0, url.indexOf("//") + 2) + "***" + url.substring(at);
    }
}
