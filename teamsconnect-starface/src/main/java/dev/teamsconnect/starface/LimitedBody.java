package dev.teamsconnect.starface;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read as UTF-8 text with a size limit enforced while reading: once more than {@code limit} bytes
 * arrived (or a {@code Content-Length} announces more), it cancels the subscription, which makes the JDK client
 * close the connection, and fails with {@link StarfaceRestClient.BodyTooLargeException}. At most {@code limit}
 * bytes are ever held.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<String> {

    private final long limit;
    private final boolean announcedTooLarge;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private long received;
    private Flow.Subscription subscription;

    private LimitedBody(long limit, boolean announcedTooLarge) {
        this.limit = limit;
        this.announcedTooLarge = announcedTooLarge;
    }

    /** A handler whose bodies are limited to {@code limit} bytes. */
    static HttpResponse.BodyHandler<String> handler(long limit) {
        return info -> new LimitedBody(limit, info.headers().firstValueAsLong("Content-Length").orElse(-1) > limit);
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (announcedTooLarge) {
            tooLarge();
            return;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            received += b.remaining();
            if (received > limit) {
                tooLarge();
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            buffer.write(chunk, 0, chunk.length);
        }
    }

    private void tooLarge() {
        buffer = null;
        subscription.cancel();
        result.completeExceptionally(new StarfaceRestClient.BodyTooLargeException(limit));
    }

    @Override
    public void onError(Throwable t) {
        buffer = null;
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        if (!result.isDone()) {
            result.complete(buffer.toString(StandardCharsets.UTF_8));
            buffer = null;
        }
    }
}
