package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.spi.BatchResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final List<Integer> sliceSizes = new ArrayList<>();

    private BatchResult<String> call(List<String> ids) {
        sliceSizes.add(ids.size());
        Map<String, String> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (String id : ids) {
            if (id.endsWith("7")) {
                failures.put(id, new RetryableException("no " + id));
            } else {
                values.put(id, "v" + id);
            }
        }
        return new BatchResult<>(values, failures);
    }

    private static List<String> ids(int n) {
        return IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    @Test
    void smallBatchesGoThroughInOneCall() {
        BatchResult<String> r = Progress.sliced("Reading", ids(Progress.LARGE), this::call);

        assertThat(sliceSizes).containsExactly(Progress.LARGE);
        assertThat(r.values()).hasSize(900);
        assertThat(r.failures()).hasSize(100);
    }

    @Test
    void largeBatchesAreSlicedAndEveryResultAndFailureIsKept() {
        BatchResult<String> r = Progress.sliced("Reading", ids(2345), this::call);

        assertThat(sliceSizes).containsExactly(500, 500, 500, 500, 345);
        assertThat(r.values()).hasSize(2345 - 234).containsEntry("2344", "v2344");
        assertThat(r.failures()).hasSize(234).containsKey("2337");
    }
}
