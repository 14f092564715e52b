package dev.teamsconnect.graph;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * The OkHttp interceptor every Graph request passes, closest to the network of the SDK's middleware:
 * <ul>
 * <li>only {@code https} to the configured Graph host and port leaves; anything else is refused before it is sent
 *     (a token must never go elsewhere, whatever a page links to or a redirect says);</li>
 * <li>each request is cancelled when its call's deadline (what is left of the call's budget) passes, wherever it
 *     is: connecting, waiting for headers or reading the body, so one slow answer cannot outlast the call's budget
 *     (OkHttp's {@code callTimeout}, the source's {@code httpTimeout}, bounds every request as a whole as well);</li>
 * <li>the answer's body is cut off while it is read once it is larger than its endpoint's limit:
 *     {@value #PRESENCE_BODY_LIMIT} bytes (8 MiB) for a presence chunk (650 presences are about 260 KB; the limit
 *     leaves room for long status messages), {@value #USERS_PAGE_LIMIT} bytes (16 MiB) for a page of
 *     {@code /users} or {@code /users/delta} (999 users with five fields are about 300 KB), {@value #OTHER_BODY_LIMIT} bytes (1 MiB) for
 *     anything else. A hostile or broken answer can therefore not fill the heap.</li>
 * </ul>
 */
final class GraphHttpGuard implements Interceptor {

    /** Most bytes read of one getPresencesByUserId answer. */
    static final long PRESENCE_BODY_LIMIT = 8L << 20;
    /** Most bytes read of one {@code /users} page. */
    static final long USERS_PAGE_LIMIT = 16L << 20;
    /** Most bytes read of any other Graph answer (errors of other endpoints, future calls). */
    static final long OTHER_BODY_LIMIT = 1L << 20;

    // System.nanoTime() by which the current call on this thread must be done; the Graph SDK calls OkHttp's
    // synchronous execute() on the caller's thread, so the interceptor runs on it.
    private static final ThreadLocal<long[]> DEADLINE = new ThreadLocal<>();

    private final String host;
    private final int port;
    private final ScheduledThreadPoolExecutor canceller;

    GraphHttpGuard(URI graphBaseUrl) {
        this.host = graphBaseUrl.getHost().toLowerCase(Locale.ROOT);
        this.port = graphBaseUrl.getPort() == -1 ? 443 : graphBaseUrl.getPort();
        this.canceller = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "graph-call-deadline");
            t.setDaemon(true);
            return t;
        });
        canceller.setRemoveOnCancelPolicy(true);
    }

    /** Stops the deadline thread. */
    void close() {
        canceller.shutdownNow();
    }

    /** Runs {@code call} with HTTP requests bounded to {@code nanosLeft} from now. */
    static <T> T withDeadline(long nanosLeft, Supplier<T> call) {
        long[] previous = DEADLINE.get();
        DEADLINE.set(new long[] {System.nanoTime() + nanosLeft});
        try {
            return call.get();
        } finally {
            if (previous == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(previous);
            }
        }
    }

    /** Nanoseconds left of the current call's deadline, or {@code Long.MAX_VALUE} outside a call. */
    static long nanosLeft() {
        long[] d = DEADLINE.get();
        return d == null ? Long.MAX_VALUE : d[0] - System.nanoTime();
    }

    /** Whether {@code uri} is https on the configured Graph host and port, the only place a token may go. */
    boolean allowed(URI uri) {
        if (uri == null || uri.getHost() == null || !"https".equalsIgnoreCase(uri.getScheme())) {
            return false;
        }
        int p = uri.getPort() == -1 ? 443 : uri.getPort();
        return uri.getHost().toLowerCase(Locale.ROOT).equals(host) && p == port;
    }

    private boolean allowed(HttpUrl url) {
        return url.isHttps() && url.host().equalsIgnoreCase(host) && url.port() == port;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        HttpUrl url = request.url();
        if (!allowed(url)) {
            throw new RefusedDestination("refusing to send a Microsoft Graph request to " + url.scheme() + "://"
                    + url.host() + ":" + url.port() + ": only https to the configured Graph host " + host + ":" + port
                    + " is allowed");
        }
        long left = nanosLeft();
        Chain bounded = chain;
        long[] deadline = DEADLINE.get();
        if (left != Long.MAX_VALUE) {
            if (left <= 0) {
                throw new InterruptedIOException("the call's time budget is used up");
            }
            int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
            bounded = chain.withConnectTimeout(Math.min(ms, positive(chain.connectTimeoutMillis())), TimeUnit.MILLISECONDS)
                    .withReadTimeout(Math.min(ms, positive(chain.readTimeoutMillis())), TimeUnit.MILLISECONDS)
                    .withWriteTimeout(Math.min(ms, positive(chain.writeTimeoutMillis())), TimeUnit.MILLISECONDS);
        }
        // Cancels the call where it is once the deadline passes; withdrawn when the body is closed.
        ScheduledFuture<?> cancel = left == Long.MAX_VALUE ? null
                : canceller.schedule(chain.call()::cancel, left, TimeUnit.NANOSECONDS);
        Response response;
        try {
            response = bounded.proceed(request);
        } catch (IOException | RuntimeException e) {
            withdraw(cancel);
            throw e;
        }
        ResponseBody body = response.body();
        if (body == null) {
            withdraw(cancel);
            return response;
        }
        long limit = limitFor(url);
        String what = request.method() + " " + url.encodedPath();
        if (body.contentLength() > limit) {
            withdraw(cancel);
            response.close();
            throw new BodyTooLarge(what, limit);
        }
        BufferedSource source = Okio.buffer(new LimitedSource(body.source(), limit, what,
                deadline == null ? Long.MAX_VALUE : deadline[0], cancel));
        return response.newBuilder().body(ResponseBody.create(source, body.contentType(), body.contentLength())).build();
    }

    private static void withdraw(ScheduledFuture<?> cancel) {
        if (cancel != null) {
            cancel.cancel(false);
        }
    }

    private static int positive(int ms) {
        return ms <= 0 ? Integer.MAX_VALUE : ms;
    }

    static long limitFor(HttpUrl url) {
        String path = url.encodedPath();
        if (path.endsWith("/communications/getPresencesByUserId")) {
            return PRESENCE_BODY_LIMIT;
        }
        if (path.endsWith("/users") || path.endsWith("/users/delta") || path.endsWith("/users/microsoft.graph.delta()")) {
            return USERS_PAGE_LIMIT;
        }
        return OTHER_BODY_LIMIT;
    }

    private static final class LimitedSource extends ForwardingSource {
        private final long limit;
        private final String what;
        private final long deadlineNanos;
        private final ScheduledFuture<?> cancel;
        private long read;

        LimitedSource(okio.Source delegate, long limit, String what, long deadlineNanos, ScheduledFuture<?> cancel) {
            super(delegate);
            this.limit = limit;
            this.what = what;
            this.deadlineNanos = deadlineNanos;
            this.cancel = cancel;
        }

        @Override
        public void close() throws IOException {
            withdraw(cancel);
            super.close();
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
                throw new InterruptedIOException("the answer to " + what + " was still arriving when the call's time budget ended");
            }
            long n = super.read(sink, Math.min(byteCount, limit + 1 - read));
            if (n > 0) {
                read += n;
                if (read > limit) {
                    throw new BodyTooLarge(what, limit);
                }
            }
            return n;
        }
    }

    /** An answer larger than its endpoint's limit: not read further, not retried (the same answer would come). */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge(String what, long limit) {
            super("the answer to " + what + " is larger than " + (limit >> 20) + " MiB; it was not read further");
        }
    }

    /** A request to anywhere but https on the Graph host: never sent, not retried. */
    static final class RefusedDestination extends IOException {
        RefusedDestination(String message) {
            super(message);
        }
    }
}
