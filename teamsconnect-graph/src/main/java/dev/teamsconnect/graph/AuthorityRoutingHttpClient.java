package dev.teamsconnect.graph;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The HTTP client msal4j uses: the JDK client with our trust material, and one correction. msal4j 1.26.1 sends
 * the silent refresh of a delegated account to the account's host WITHOUT the port of the configured authority
 * (see reference "Sign-in with msal4j"), so an authority on a non-default port gets that request on 443. A request
 * to the authority's host without a port is sent to the authority's port. For Microsoft's hosts (default port)
 * nothing changes.
 */
final class AuthorityRoutingHttpClient implements IHttpClient {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuthorityRoutingHttpClient.class);

    // The JDK client sets these itself and refuses them from callers.
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final URI authority;
    private final HttpClient http;
    private final Duration timeout;

    AuthorityRoutingHttpClient(URI authority, SSLContext sslContext, Duration timeout) {
        this.authority = authority;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .sslContext(sslContext)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI route(URI target) {
        if (authority.getPort() != -1 && target.getPort() == -1 && target.getHost() != null
                && target.getHost().equalsIgnoreCase(authority.getHost())) {
            URI routed = URI.create(authority.getScheme() + "://" + authority.getRawAuthority() + target.getRawPath()
                    + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
            LOG.debug("msal4j addressed {} without the authority's port; sending it to {}", target.getRawPath(), routed.getRawAuthority());
            return routed;
        }
        return target;
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        URI target = route(request.url().toURI());
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(target).timeout(timeout);
        if (request.headers() != null) {
            for (Map.Entry<String, String> h : request.headers().entrySet()) {
                if (h.getValue() != null && !RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    b.header(h.getKey(), h.getValue());
                }
            }
        }
        String method = request.httpMethod().name();
        if (request.body() != null) {
            b.method(method, java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
        } else {
            b.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
        }
        java.net.http.HttpResponse<String> r = http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        HttpResponse out = new HttpResponse().statusCode(r.statusCode()).body(r.body());
        out.addHeaders(r.headers().map());
        return out;
    }
}
