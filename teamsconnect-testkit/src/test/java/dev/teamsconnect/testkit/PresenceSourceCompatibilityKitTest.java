package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The source kit must catch broken sources and pass a correct one. */
class PresenceSourceCompatibilityKitTest {

    static class ForwardingSource implements PresenceSource {
        final InMemoryPresenceSource delegate;

        ForwardingSource(InMemoryPresenceSource delegate) {
            this.delegate = delegate;
        }

        @Override public String id() { return delegate.id(); }
        @Override public void open() { delegate.open(); }
        @Override public List<TeamsUser> listUsers() { return delegate.listUsers(); }
        @Override public BatchResult<TeamsPresence> readPresence(Collection<String> ids) { return delegate.readPresence(ids); }
        @Override public void close() { delegate.close(); }
    }

    abstract static class KitOver extends PresenceSourceCompatibilityKit {
        InMemoryPresenceSource teams;

        abstract PresenceSource wrap(InMemoryPresenceSource teams);

        @Override
        protected PresenceSource createSource(List<SeedUser> users) {
            teams = InMemoryPresenceSource.create();
            int n = 0;
            for (SeedUser u : users) {
                String id = "id-" + (++n);
                teams.addUser(new TeamsUser(id, u.mail(), u.mail(), u.displayName(), u.enabled()));
                teams.setPresence(id, u.availability(), u.activity());
            }
            return wrap(teams);
        }

        @Override
        protected void changePresence(String userId, Availability availability, Activity activity) {
            teams.setPresence(userId, availability, activity);
        }
    }

    static class CorrectKit extends KitOver {
        @Override
        PresenceSource wrap(InMemoryPresenceSource teams) {
            return new ForwardingSource(teams);
        }
    }

    /** Broken: caches presence forever, fails on an empty list, and fails the batch for an unknown id. */
    static class StaleKit extends KitOver {
        @Override
        PresenceSource wrap(InMemoryPresenceSource teams) {
            Map<String, TeamsPresence> cache = new HashMap<>();
            return new ForwardingSource(teams) {
                @Override
                public BatchResult<TeamsPresence> readPresence(Collection<String> ids) {
                    if (ids.isEmpty()) {
                        throw new RetryableException("400 Bad Request: ids must not be empty");
                    }
                    BatchResult<TeamsPresence> fresh = delegate.readPresence(ids);
                    if (!fresh.failures().isEmpty()) {
                        throw new RetryableException("404 for " + fresh.failures().keySet());
                    }
                    Map<String, TeamsPresence> values = new HashMap<>();
                    for (String id : ids) {
                        values.put(id, cache.computeIfAbsent(id, fresh.values()::get));
                    }
                    return BatchResult.of(values);
                }
            };
        }
    }

    /** Broken: mixes up availability and activity and reports an upper-case id. */
    static class SwappingKit extends KitOver {
        @Override
        PresenceSource wrap(InMemoryPresenceSource teams) {
            return new ForwardingSource(teams) {
                @Override
                public String id() {
                    return "Graph";
                }

                @Override
                public BatchResult<TeamsPresence> readPresence(Collection<String> ids) {
                    BatchResult<TeamsPresence> r = delegate.readPresence(ids);
                    Map<String, TeamsPresence> values = new HashMap<>();
                    r.values().forEach((id, p) -> values.put(id, TeamsPresence.parse(id, p.rawActivity(),
                            p.rawAvailability(), null, false, null, p.observedAt())));
                    return new BatchResult<>(values, r.failures());
                }
            };
        }
    }

    @Test
    void correctSourcePassesEveryContract() {
        KitRunner.Outcome outcome = KitRunner.run(CorrectKit.class);
        assertThat(outcome.failed()).isEmpty();
        assertThat(outcome.passed()).hasSizeGreaterThanOrEqualTo(9);
    }

    @Test
    void kitCatchesAStaleSourceThatFailsWholeBatches() {
        assertThat(KitRunner.run(StaleKit.class).failed()).contains(
                "changedPresenceIsVisibleOnNextRead", "readingAnEmptyIdListIsNoError", "unknownIdDoesNotFailTheBatch")
                .doesNotContain("readPresenceReturnsEachRequestedUserWithParsedValues");
    }

    @Test
    void kitCatchesSwappedFieldsAndABadId() {
        assertThat(KitRunner.run(SwappingKit.class).failed()).contains(
                "idIsNonBlankLowerCaseAndStable", "readPresenceReturnsEachRequestedUserWithParsedValues",
                "readsManyUsersInOneCall");
    }
}
