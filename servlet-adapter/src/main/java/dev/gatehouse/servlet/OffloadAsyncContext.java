package dev.gatehouse.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The async context an async servlet gets: {@link #complete()} finishes the body transforms first. */
final class OffloadAsyncContext implements AsyncContext {
    private final AsyncContext delegate;
    private final OffloadResponse response;

    OffloadAsyncContext(AsyncContext delegate, OffloadResponse response) {
        this.delegate = delegate;
        this.response = response;
    }

    boolean wraps(AsyncContext context) {
        return delegate == context;
    }

    @Override
    public void complete() {
        try {
            response.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("could not finish the response body", e);
        } finally {
            delegate.complete();
        }
    }

    @Override
    public ServletRequest getRequest() {
        return delegate.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
        return delegate.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
        delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
        delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        delegate.dispatch(context, path);
    }

    @Override
    public void start(Runnable run) {
        delegate.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
        delegate.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse servletResponse) {
        delegate.addListener(listener, request, servletResponse);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
        return delegate.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
        delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
        return delegate.getTimeout();
    }
}
