package dev.teamsconnect.starface;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxChange;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

/**
 * Run in a separate JVM by {@link StarfaceHttpLogGuardIntegrationTest}: a short sink session against a PBX.
 * Arguments: base URL, login id, password, and {@code sink} or {@code jdk-client-first} (another HttpClient
 * sends a request, with the canary token given as fifth argument, before the sink exists). Exits without logging out, so the token stays valid for the check.
 */
public final class StarfaceHttpLogChild {

    private StarfaceHttpLogChild() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        if (args[3].equals("jdk-client-first")) {
            // A canary header: shows that the JDK's log at "all" would print an authToken in this JVM.
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/rest/login"))
                    .header("authToken", args[4]).build(), HttpResponse.BodyHandlers.ofString());
        }
        StarfacePbxSink sink = StarfacePbxSink.builder().baseUrl(base).loginId(args[1]).password(args[2]).build();
        sink.open();
        List<PbxUser> users = sink.listUsers();
        sink.readStates(users);
        PbxUser last = users.get(users.size() - 1);
        sink.apply(new PbxChange(last, PbxState.dnd(false), PbxState.dnd(true), null, null, "child", Instant.EPOCH));
        System.out.println("CHILD DONE");
        System.out.flush();
        System.exit(0);
    }
}
