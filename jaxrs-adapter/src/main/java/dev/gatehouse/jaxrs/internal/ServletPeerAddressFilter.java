package dev.gatehouse.jaxrs.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import java.security.cert.X509Certificate;
import org.jspecify.annotations.Nullable;

/**
 * Records the servlet request's remote address for the exchange, when the runtime runs in a servlet
 * container. Registered by {@code OffloadFeature} only when the servlet API is on the class path; not API.
 * Public because runtimes instantiate class-registered providers themselves.
 */
@PreMatching
public final class ServletPeerAddressFilter implements ContainerRequestFilter {
    private static final String PEER = "dev.gatehouse.jaxrs.peerAddress";
    /** The servlet request attribute with the client's verified certificate chain (Jersey and RESTEasy expose it). */
    private static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    @Context
    private HttpServletRequest servletRequest;

    public ServletPeerAddressFilter() {}

    public static boolean servletApiPresent() {
        try {
            Class.forName(
                    "jakarta.servlet.http.HttpServletRequest", false, ServletPeerAddressFilter.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    public static String peerAddress(ContainerRequestContext request) {
        return request.getProperty(PEER) instanceof String address ? address : "0.0.0.0";
    }

    /** The client's verified certificate chain, when the runtime runs in a servlet container over TLS. */
    public static X509Certificate @Nullable [] clientCertificates(ContainerRequestContext request) {
        return request.getProperty(CLIENT_CERTIFICATES) instanceof X509Certificate[] chain ? chain : null;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (servletRequest != null) {
            request.setProperty(PEER, servletRequest.getRemoteAddr());
            if (servletRequest.getAttribute(CLIENT_CERTIFICATES) instanceof X509Certificate[] chain) {
                request.setProperty(CLIENT_CERTIFICATES, chain);
            }
        }
    }
}
