package dev.gatehouse.examples.gateway;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console's login form: a browser posts the admin token and gets a session cookie ({@code HttpOnly},
 * {@code SameSite=Strict}). A post from another origin is refused, so no other site can sign a browser in; on an
 * admin port without a token the form just leads to the console.
 */
final class AdminLogin {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final AdminAccess access;

    AdminLogin(AdminAccess access) {
        this.access = access;
    }

    /** The login form ({@code GET}), or a posted token ({@code post}). */
    void handle(Request request, Response response, Callback callback, boolean post) {
        if (access.open()) {
            AdminServer.redirect(response, callback, "./");
            return;
        }
        if (!post) {
            AdminServer.write(response, callback, "text/html; charset=utf-8", page(""));
            return;
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (origin != null && !origin.equals("http://" + host)) {
            AdminServer.refuse(request, response, callback, 403, "login posted from another origin (" + origin + ")");
            return;
        }
        Fields form;
        try {
            form = FormFields.getFields(request, 4, 4096);
        } catch (RuntimeException e) {
            AdminServer.refuse(request, response, callback, 400, "login form not readable: " + e.getMessage());
            return;
        }
        Fields.Field token = form.get("token");
        if (token == null || !access.isToken(token.getValue())) {
            LOG.warn("admin: refused login from {}: wrong admin token", Request.getRemoteAddr(request));
            response.setStatus(401);
            AdminServer.write(response, callback, "text/html; charset=utf-8", page("That is not the admin token."));
            return;
        }
        Response.addCookie(
                response,
                HttpCookie.build(AdminAccess.COOKIE, access.newSession())
                        .path("/")
                        .httpOnly(true)
                        .sameSite(HttpCookie.SameSite.STRICT)
                        .maxAge(AdminAccess.SESSION_TTL.toSeconds())
                        .build());
        AdminServer.redirect(response, callback, "./");
    }

    /** The session id the browser sent, or null. */
    static @Nullable String sessionCookie(Request request) {
        for (HttpCookie cookie : Request.getCookies(request)) {
            if (cookie.getName().equals(AdminAccess.COOKIE)) {
                return cookie.getValue();
            }
        }
        return null;
    }

    private static byte[] page(String message) {
        String page = new String(AdminServer.asset("login.html"), StandardCharsets.UTF_8);
        return page.replace("<!--message-->", message).getBytes(StandardCharsets.UTF_8);
    }
}
