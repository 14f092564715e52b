package dev.teamsconnect.starface;

import dev.teamsconnect.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.LoginType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs full sessions (both login schemes, re-login, retries, a rejected login, logout) with TRACE logging captured
 * from slf4j-simple (configured in simplelogger.properties to write to System.err uncached), then checks that no
 * password, login secret or token appears anywhere in the output.
 */
class StarfaceSecretsNotLoggedIntegrationTest {

    private static final String PASSWORD = "Tr4ce-Pa55word-Zq";
    private static final String WRONG_PASSWORD = "Wr0ng-Pa55word-Xk";

    @Test
    void traceLogOfAFullRunHoldsNoPasswordSecretOrToken() {
        assertThat(LoggerFactory.getLogger(StarfacePbxSink.class).isTraceEnabled()).as("TRACE must be on for this test").isTrue();
        Set<String> tokens = new HashSet<>();
        List<String> secrets = new ArrayList<>();
        String log = captureStdErr(() -> {
            for (LoginType type : LoginType.values()) {
                try (StarfaceEmulator pbx = StarfaceEmulator.builder().loginType(type)
                        .user("0001", PASSWORD, "api@example.com", "Api", "Account", false)
                        .user("0002", "other", "u2@example.com", "Una", "Two", false)
                        .group("Sales", "0002")
                        .start()) {
                    ManualClock clock = new ManualClock(Instant.parse("2026-01-05T08:00:00Z"));
                    try (StarfacePbxSink sink = StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId("0001")
                            .password(PASSWORD).clock(clock).sleeper(d -> { }).build()) {
                        sink.open();
                        tokens.addAll(pbx.activeTokens());
                        List<PbxUser> users = sink.listUsers();
                        sink.listGroupMembers("Sales");
                        sink.readStates(users);
                        pbx.expireAllTokens();
                        pbx.failNext("PUT /rest/users/{id}/phoneconfig", 1, 503);
                        sink.applyAll(users.stream().map(u -> new PbxChange(u, PbxState.dnd(false), PbxState.dnd(true),
                                null, null, "test", Instant.EPOCH)).toList());
                        tokens.addAll(pbx.activeTokens());
                        clock.advance(Duration.ofHours(4));
                        sink.readStates(users);
                        tokens.addAll(pbx.activeTokens());
                    }
                    try (StarfacePbxSink bad = StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId("0001")
                            .password(WRONG_PASSWORD).sleeper(d -> { }).build()) {
                        assertThatThrownBy(bad::open).isInstanceOf(TerminalException.class);
                    }
                    secrets.addAll(pbx.loginSecretsSeen());
                }
            }
        });

        // The capture works and really is at DEBUG/TRACE level: it shows requests and logins.
        assertThat(log).contains("GET /rest/users -> 200").contains("PUT /rest/users/")
                .contains("Logged in to STARFACE").contains("'0001'").contains("DEBUG");
        assertThat(tokens).hasSizeGreaterThanOrEqualTo(6);
        assertThat(secrets).hasSizeGreaterThanOrEqualTo(8);
        assertThat(log).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD);
        for (String token : tokens) {
            assertThat(log).doesNotContain(token);
        }
        for (String secret : secrets) {
            assertThat(log).doesNotContain(secret);
            // the hash part of an Internal secret on its own
            assertThat(log).doesNotContain(secret.substring(secret.indexOf(':') + 1));
        }
    }

    @Test
    void traceLogOfAnOAuthRunHoldsNoPasswordClientSecretOrTokenAndNamesTheLoginOnce() {
        String clientSecret = "Cl1ent-S3cret-Qv";
        String wrongSecret = "Wr0ng-S3cret-Jp";
        Set<String> tokens = new HashSet<>();
        List<String> secrets = new ArrayList<>();
        String log = captureStdErr(() -> {
            try (StarfaceEmulator pbx = StarfaceEmulator.builder().oauth(clientSecret)
                    .user("0001", PASSWORD, "api@example.com", "Api", "Account", false)
                    .user("0002", "0ther-Pw-Kq", "u2@example.com", "Una", "Two", false)
                    .start()) {
                ManualClock clock = new ManualClock(Instant.parse("2026-01-05T08:00:00Z"));
                try (StarfacePbxSink sink = StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId("0001")
                        .password(PASSWORD).oauthClientSecret(clientSecret).clock(clock).sleeper(d -> { }).build()) {
                    sink.open();
                    tokens.addAll(pbx.activeTokens());
                    List<PbxUser> users = sink.listUsers();
                    pbx.expireAllAccessTokens();
                    sink.readStates(users); // 401, refresh
                    tokens.addAll(pbx.activeTokens());
                    clock.advance(Duration.ofSeconds(290));
                    sink.readStates(users); // renewed by refresh
                    tokens.addAll(pbx.activeTokens());
                    pbx.expireAllRefreshTokens();
                    clock.advance(Duration.ofSeconds(290));
                    sink.readStates(users); // refused refresh, new grant
                    tokens.addAll(pbx.activeTokens());
                }
                try (StarfacePbxSink bad = StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId("0001")
                        .password(PASSWORD).login(StarfaceLogin.OAUTH).oauthClientSecret(wrongSecret).sleeper(d -> { }).build()) {
                    assertThatThrownBy(bad::open).isInstanceOf(TerminalException.class);
                }
                secrets.addAll(pbx.secrets());
            }
        });

        assertThat(log).contains("POST /auth/realms/pbx/protocol/openid-connect/token -> 200")
                .contains("Signed in to STARFACE").contains("DEBUG");
        // the login chosen, once per sink at INFO
        assertThat(log.split("OAuth login as '0001' \\(starface.login: auto;", -1)).hasSize(2);
        assertThat(log.split("OAuth login as '0001' \\(starface.login: oauth;", -1)).hasSize(2);
        assertThat(tokens).hasSizeGreaterThanOrEqualTo(8);
        assertThat(secrets).contains(clientSecret, wrongSecret, PASSWORD);
        for (String secret : secrets) {
            assertThat(log).doesNotContain(secret);
        }
        for (String token : tokens) {
            assertThat(log).doesNotContain(token);
        }
    }

    private static String captureStdErr(Runnable run) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(original);
        }
        String captured = buffer.toString(StandardCharsets.UTF_8);
        original.print(captured); // keep it in the test output as well
        return captured;
    }
}
