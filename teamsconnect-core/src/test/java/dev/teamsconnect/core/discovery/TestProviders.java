package dev.teamsconnect.core.discovery;

import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;

/** Provider classes that the discovery tests list in temporary META-INF/services files. */
public final class TestProviders {
    private TestProviders() {
    }

    public static final class SinkA implements PbxSinkProvider {
        public String id() {
            return "alpha";
        }

        public PbxSink create(ProviderConfig config) {
            throw new UnsupportedOperationException("not needed by the discovery tests");
        }
    }

    public static final class SinkB implements PbxSinkProvider {
        public String id() {
            return "beta";
        }

        public PbxSink create(ProviderConfig config) {
            throw new UnsupportedOperationException("not needed by the discovery tests");
        }
    }

    public static final class SinkFailingConstructor implements PbxSinkProvider {
        public SinkFailingConstructor() {
            throw new IllegalStateException("cannot start");
        }

        public String id() {
            return "never";
        }

        public PbxSink create(ProviderConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    public static final class SourceG implements PresenceSourceProvider {
        public String id() {
            return "graph-test";
        }

        public PresenceSource create(ProviderConfig config) {
            throw new UnsupportedOperationException("not needed by the discovery tests");
        }
    }
}
