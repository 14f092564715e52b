package dev.teamsconnect.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.store.FileStateStoreProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvidersTest {

    private static final String A = TestProviders.SinkA.class.getName();
    private static final String B = TestProviders.SinkB.class.getName();

    @TempDir
    Path tmp;

    private final List<URLClassLoader> loaders = new ArrayList<>();

    @AfterEach
    void closeLoaders() throws IOException {
        for (URLClassLoader l : loaders) {
            l.close();
        }
    }

    /** A class loader over one directory per "jar", each with a services file for the sink role. */
    private ClassLoader loaderWithSinkJars(String... servicesFiles) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (int i = 0; i < servicesFiles.length; i++) {
            Path jar = tmp.resolve("plugin-" + i);
            Path services = jar.resolve("META-INF/services");
            Files.createDirectories(services);
            Files.writeString(services.resolve(PbxSinkProvider.class.getName()), servicesFiles[i]);
            urls.add(jar.toUri().toURL());
        }
        URLClassLoader l = new URLClassLoader(urls.toArray(URL[]::new), getClass().getClassLoader());
        loaders.add(l);
        return l;
    }

    @Test
    void noSinkFailsFastNamingTheModuleToAdd() throws IOException {
        Providers p = Providers.load(loaderWithSinkJars());
        assertThat(p.sinkIds()).isEmpty();
        assertThatThrownBy(() -> p.sink(null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no PBX sink found")
                .hasMessageContaining("teamsconnect-starface");
        assertThatThrownBy(() -> p.source(null)).hasMessageContaining("teamsconnect-graph");
    }

    @Test
    void oneSinkIsTakenWithoutAnId() throws IOException {
        Providers p = Providers.load(loaderWithSinkJars(A + "\n"));
        assertThat(p.sink(null)).isInstanceOf(TestProviders.SinkA.class);
        assertThat(p.sink("alpha")).isInstanceOf(TestProviders.SinkA.class);
        assertThatThrownBy(() -> p.sink("starface"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("\"starface\"").hasMessageContaining("found: alpha");
    }

    @Test
    void twoSinksNeedAnExplicitId() throws IOException {
        Providers p = Providers.load(loaderWithSinkJars("# comment\n" + A + "\n", B));
        assertThat(p.sinkIds()).containsExactlyInAnyOrder("alpha", "beta");
        assertThatThrownBy(() -> p.sink(null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("2 PBX sink providers found")
                .hasMessageContaining("alpha").hasMessageContaining("beta")
                .satisfies(e -> assertThat(((ConfigException) e).keyPath()).isEqualTo("sink.type"));
        assertThat(p.sink("beta")).isInstanceOf(TestProviders.SinkB.class);
    }

    @Test
    void sameProviderTwiceOnTheClassPathCountsOnce() throws IOException {
        Providers p = Providers.load(loaderWithSinkJars(A, A));
        assertThat(p.sink(null)).isInstanceOf(TestProviders.SinkA.class);
        assertThat(p.broken()).isEmpty();
    }

    @Test
    void brokenProviderIsNamedAndNotFatal() throws IOException {
        ClassLoader l = loaderWithSinkJars("com.example.pbx.MissingSinkProvider\n", A,
                TestProviders.SinkFailingConstructor.class.getName());
        Providers p = Providers.load(l);
        assertThat(p.sink(null)).isInstanceOf(TestProviders.SinkA.class);
        assertThat(p.broken()).hasSize(2);
        assertThat(p.broken().get(0).origin()).contains("plugin-0");
        assertThat(p.broken().get(0).problem()).contains("com.example.pbx.MissingSinkProvider");
        assertThat(p.broken().get(1).origin()).contains("plugin-2");
        assertThat(p.broken().get(1).problem()).contains("SinkFailingConstructor");
    }

    @Test
    void onlyBrokenProvidersStillFailFastAndMentionThem() throws IOException {
        Providers p = Providers.load(loaderWithSinkJars("com.example.pbx.MissingSinkProvider"));
        assertThatThrownBy(() -> p.sink(null))
                .hasMessageContaining("teamsconnect-starface")
                .hasMessageContaining("plugin-0");
    }

    @Test
    void coreStoresAreFoundAndNeedAnId() throws IOException {
        Providers p = Providers.load(loaderWithSinkJars());
        assertThat(p.storeIds()).containsExactlyInAnyOrder("file", "memory");
        assertThatThrownBy(() -> p.store(null)).hasMessageContaining("file").hasMessageContaining("memory");
        assertThat(p.store("file")).isInstanceOf(FileStateStoreProvider.class);
    }

    @Test
    void storeMessagesNameTheStateSectionAndNoKeyThatDoesNotExist() throws IOException {
        Providers p = Providers.load(loaderWithSinkJars());
        assertThatThrownBy(() -> p.store("redis")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("state: no state store with the id \"redis\"")
                .hasMessageContaining("state.file").hasMessageNotContaining("stateStore.type");
        assertThatThrownBy(() -> p.store(null)).hasMessageStartingWith("state: ")
                .hasMessageNotContaining("stateStore.type");
    }

    @Test
    void findsSourcesToo() throws IOException {
        Path jar = tmp.resolve("graph");
        Files.createDirectories(jar.resolve("META-INF/services"));
        Files.writeString(jar.resolve("META-INF/services/" + PresenceSourceProvider.class.getName()),
                TestProviders.SourceG.class.getName());
        try (URLClassLoader l = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            assertThat(Providers.load(l).source(null)).isInstanceOf(TestProviders.SourceG.class);
        }
    }
}
