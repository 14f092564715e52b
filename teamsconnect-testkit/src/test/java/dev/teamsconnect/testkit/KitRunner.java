package dev.teamsconnect.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Set;
import java.util.TreeSet;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs a compatibility kit subclass in a nested JUnit launcher and reports which kit tests failed or passed. */
final class KitRunner {

    record Outcome(Set<String> passed, Set<String> failed) {
    }

    private KitRunner() {
    }

    static Outcome run(Class<?> kitSubclass) {
        Set<String> passed = new TreeSet<>();
        Set<String> failed = new TreeSet<>();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(kitSubclass)).build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.getSource().orElse(null) instanceof MethodSource m) {
                    (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? passed : failed).add(m.getMethodName());
                }
            }
        });
        return new Outcome(passed, failed);
    }
}
