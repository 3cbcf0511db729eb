package dev.gatehouse.examples.backends;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The demo's {@code users}, {@code orders} and {@code notifications} backends: fixed JSON for the user the
 * gateway names in {@code X-User-Id}.
 */
public final class DemoDataServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final String kind;

    public DemoDataServlet(String kind) {
        this.kind = kind;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String user = request.getHeader("X-User-Id") == null ? "anonymous" : request.getHeader("X-User-Id");
        String json = switch (kind) {
            case "users" -> "{\"id\":\"" + user + "\",\"name\":\"Ada Lovelace\",\"plan\":\"premium\"}";
            case "orders" ->
                "[{\"id\":\"ord_1001\",\"total\":42.50,\"status\":\"shipped\"},"
                        + "{\"id\":\"ord_1002\",\"total\":13.99,\"status\":\"pending\"}]";
            default -> "[{\"id\":\"ntf_1\",\"text\":\"Your order ord_1001 has shipped\",\"read\":false}]";
        };
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
