package dev.teamsconnect.graph;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The HTTP client msal4j uses: the JDK client with our trust material, and one correction. msal4j 1.26.1 sends
 * the silent refresh of a delegated account to the account's host WITHOUT the port of the configured authority
 * (see reference "Sign-in with msal4j"), so an authority on a non-default port gets that request on 443. A request
 * to the authority's host without a port is sent to the authority's port. For Microsoft's hosts (default port)
 * nothing changes.
 *
 * <p>Bounds: each request has an overall deadline of {@code timeout} (connect, headers and the whole body; it is
 * cancelled at it; the source stops waiting for the token earlier when the Graph call that needs it has less budget
 * left, see {@link GraphSignIn}), and an answer
 * is read up to {@link #BODY_LIMIT} bytes (1 MiB; token answers are a few KB): past that the request fails
 * while reading, so a hostile endpoint can neither stall a sign-in nor fill the heap.
 */
final class AuthorityRoutingHttpClient implements IHttpClient {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuthorityRoutingHttpClient.class);

    // The JDK client sets these itself and refuses them from callers.
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final URI authority;
    private final HttpClient http;
    /** Most bytes read of one identity platform answer. */
    static final int BODY_LIMIT = 1 << 20;

    private final Duration timeout;
    private final int bodyLimit;

    AuthorityRoutingHttpClient(URI authority, SSLContext sslContext, Duration timeout, int bodyLimit) {
        this.authority = authority;
        this.timeout = timeout;
        this.bodyLimit = bodyLimit;
        this.http = HttpClient.newBuilder()
                .sslContext(sslContext)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI route(URI target) {
        if (authority.getPort() != -1 && target.getPort() == -1 && target.getHost() != null
                && target.getHost().equalsIgnoreCase(authority.getHost())) {
            URI routed = URI.create(authority.getScheme() + "://" + authority.getRawAuthority() + target.getRawPath()
                    + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
            LOG.debug("msal4j addressed {} without the authority's port; sending it to {}", target.getRawPath(), routed.getRawAuthority());
            return routed;
        }
        return target;
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        URI target = route(request.url().toURI());
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(target).timeout(timeout);
        if (request.headers() != null) {
            for (Map.Entry<String, String> h : request.headers().entrySet()) {
                if (h.getValue() != null && !RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    b.header(h.getKey(), h.getValue());
                }
            }
        }
        String method = request.httpMethod().name();
        if (request.body() != null) {
            b.method(method, java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
        } else {
            b.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
        }
        long nanos = Math.max(1, Math.min(timeout.toNanos(), GraphHttpGuard.nanosLeft()));
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> pending =
                http.sendAsync(b.build(), info -> new LimitedBody(bodyLimit, target.getRawPath()));
        java.net.http.HttpResponse<String> r;
        try {
            r = pending.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new java.net.http.HttpTimeoutException("the identity platform did not answer " + target.getRawPath()
                    + " within " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        }
        HttpResponse out = new HttpResponse().statusCode(r.statusCode()).body(r.body());
        out.addHeaders(r.headers().map());
        return out;
    }

    /** Collects a body as UTF-8 text, failing (and cancelling the stream) once it passes {@code limit} bytes. */
    private static final class LimitedBody implements java.net.http.HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final String path;
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(int limit, String path) {
            this.limit = limit;
            this.path = path;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (bytes.size() + b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new java.io.IOException("the identity platform's answer to " + path
                            + " is larger than " + (limit >> 10) + " KiB; it was not read further"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
