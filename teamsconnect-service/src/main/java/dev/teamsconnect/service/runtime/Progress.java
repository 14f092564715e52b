package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.spi.BatchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a large batch call (thousands of users, typically the first sync) in slices and logs how far it got, so a
 * long first sync shows its progress instead of a silent minute: a batch that runs longer than {@link #SHOW_AFTER}
 * logs each slice at INFO. Small batches go through in one call.
 */
final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    /** Batches above this size are sliced and logged. */
    static final int LARGE = 1000;
    /** Slice size; a multiple of Graph's 650 ids per presence request would not matter: each slice is paced anyway. */
    static final int SLICE = 500;
    /** Progress lines appear once a batch has run this long. */
    static final Duration SHOW_AFTER = Duration.ofSeconds(2);

    private Progress() {
    }

    static <I, T> BatchResult<T> sliced(String what, Collection<I> items, Function<List<I>, BatchResult<T>> call) {
        if (items.size() <= LARGE) {
            return call.apply(items instanceof List<I> l ? l : List.copyOf(items));
        }
        List<I> all = List.copyOf(items);
        var values = new HashMap<String, T>();
        var failures = new HashMap<String, dev.teamsconnect.core.error.TeamsConnectException>();
        long start = System.nanoTime();
        boolean shown = false;
        for (int from = 0; from < all.size(); from += SLICE) {
            List<I> slice = new ArrayList<>(all.subList(from, Math.min(all.size(), from + SLICE)));
            BatchResult<T> r = call.apply(slice);
            values.putAll(r.values());
            failures.putAll(r.failures());
            int done = from + slice.size();
            // only a batch that takes a while is worth a line (the first sync); routine fast cycles stay quiet
            if (shown || System.nanoTime() - start > SHOW_AFTER.toNanos()) {
                shown = true;
                LOG.info("{}: {} of {} users ({}%)", what, done, all.size(), done * 100 / all.size());
            } else {
                LOG.debug("{}: {} of {} users", what, done, all.size());
            }
        }
        if (shown) {
            LOG.info("{}: done, {} users in {}, {} failed", what, all.size(),
                    dev.teamsconnect.core.model.HumanDuration.of(java.time.Duration.ofNanos(System.nanoTime() - start)),
                    failures.size());
        }
        return new BatchResult<>(values, failures);
    }
}
