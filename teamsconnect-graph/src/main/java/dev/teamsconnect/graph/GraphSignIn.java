package dev.teamsconnect.graph;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.DeviceCodeFlowParameters;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.PublicClientApplication;
import com.microsoft.aad.msal4j.SilentParameters;
import com.microsoft.aad.msal4j.UserNamePasswordParameters;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.retry.RetryAfter;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets access tokens with msal4j in one of the three modes. Tokens come from msal4j's cache and are refreshed
 * silently before expiry (msal4j refreshes tokens that expire within 5 minutes). A sign-in that is rejected
 * (bad or rotated secret, revoked refresh token, missing consent) is terminal: it is reported once to the log
 * and the listener, and every later call throws the same exception without contacting the identity platform.
 * Not thread-safe; the source calls it from one thread.
 *
 * <p>Time: a token acquisition (silent or not, except the device code flow, which lasts until the code is entered
 * or expires) is abandoned after {@code httpTimeout}, or earlier when the Graph call that needs the token has less
 * budget left; each HTTP request msal4j makes is bounded the same way and its answer limited to 1 MiB (see
 * {@link AuthorityRoutingHttpClient}).
 *
 * <p>msal4j keeps 429/5xx answers of public-client token requests in a static (JVM-wide) throttling cache and
 * fails the same request fast for a while afterwards ({@code MsalThrottlingException}); that is reported as
 * retryable with msal4j's wait. Tests must not script identity 429/5xx for public clients they reuse.
 */
final class GraphSignIn {

    private static final Logger LOG = LoggerFactory.getLogger(GraphSignIn.class);
    private static final Set<String> TERMINAL_CODES = Set.of("invalid_client", "unauthorized_client", "invalid_grant",
            "invalid_scope", "interaction_required", "consent_required", "invalid_request", "expired_token",
            "access_denied", "authorization_declined", "bad_verification_code", "unsupported_grant_type");

    private final GraphPresenceSource.Settings s;
    private final Set<String> scopes;
    private final ConfidentialClientApplication confidential;
    private final PublicClientApplication publicClient;
    private final OwnerOnlyTokenCacheFile cacheFile;
    private TerminalException failed;
    private boolean interactiveAllowed;
    // Our own reuse of the last token: with a non-Microsoft authority host (instance discovery off) msal4j 1.26.1
    // did not find its cached app token in our tests and went to the token endpoint on every call.
    private String lastToken;
    private java.time.Instant lastTokenExpires = java.time.Instant.MIN;
    private static final Duration EXPIRY_MARGIN = Duration.ofMinutes(5);

    GraphSignIn(GraphPresenceSource.Settings s, TrustMaterial trust) {
        this.s = s;
        String resource = resourceOf(s.graphBaseUrl);
        this.scopes = s.authMode.delegated()
                ? Set.of(resource + "/Presence.Read.All", resource + "/User.Read.All")
                : Set.of(resource + "/.default");
        String authority = s.authorityHost.toString().replaceAll("/+$", "") + "/" + s.tenantId + "/";
        boolean microsoftHost = isMicrosoftAuthority(s.authorityHost);
        IHttpClient http = new AuthorityRoutingHttpClient(s.authorityHost, trust.sslContext(), s.httpTimeout,
                AuthorityRoutingHttpClient.BODY_LIMIT);
        this.cacheFile = s.tokenCache == null ? null : new OwnerOnlyTokenCacheFile(s.tokenCache, s.tokenCacheReadOnly);
        try {
            if (s.authMode == GraphAuthMode.CLIENT_CREDENTIALS) {
                IClientCredential credential = s.clientSecret != null
                        ? ClientCredentialFactory.createFromSecret(s.clientSecret)
                        : ClientCredentialFactory.createFromCertificate(s.certificateKey, s.certificate);
                ConfidentialClientApplication.Builder b = ConfidentialClientApplication.builder(s.clientId, credential)
                        .authority(authority).httpClient(http).logPii(false);
                if (!microsoftHost) {
                    b.validateAuthority(false).instanceDiscovery(false);
                }
                this.confidential = b.build();
                this.publicClient = null;
            } else {
                PublicClientApplication.Builder b = PublicClientApplication.builder(s.clientId)
                        .authority(authority).httpClient(http).logPii(false);
                if (!microsoftHost) {
                    b.validateAuthority(false).instanceDiscovery(false);
                }
                if (cacheFile != null) {
                    b.setTokenCacheAccessAspect(cacheFile);
                }
                this.publicClient = b.build();
                this.confidential = null;
            }
        } catch (MalformedURLException e) {
            throw new TerminalException("authority URL " + authority + " is not valid: " + e.getMessage());
        }
    }

    /** Whether msal4j should use Microsoft's instance discovery: only for Microsoft's own login hosts. */
    static boolean isMicrosoftAuthority(URI host) {
        String h = host.getHost() == null ? "" : host.getHost().toLowerCase(java.util.Locale.ROOT);
        return h.equals("login.microsoftonline.com") || h.equals("login.microsoftonline.us")
                || h.equals("login.partner.microsoftonline.cn") || h.equals("login.chinacloudapi.cn")
                || h.equals("login.windows.net") || h.equals("login.microsoft.com");
    }

    static String resourceOf(URI graphBaseUrl) {
        return graphBaseUrl.getScheme() + "://" + graphBaseUrl.getRawAuthority();
    }

    /** Signs in now; only here may a device code be shown (the admin is expected to watch the first start). */
    void open() {
        interactiveAllowed = true;
        try {
            accessToken(false);
        } finally {
            interactiveAllowed = false;
        }
    }

    /** An access token for Graph; {@code forceRefresh} bypasses msal4j's cache (after Graph answered 401). */
    // synchronized: the source's reads and its presence writer ask from two threads
    synchronized String accessToken(boolean forceRefresh) {
        if (failed != null) {
            throw failed;
        }
        if (!forceRefresh && lastToken != null && s.clock.instant().isBefore(lastTokenExpires.minus(EXPIRY_MARGIN))) {
            return lastToken;
        }
        try {
            IAuthenticationResult r = switch (s.authMode) {
                case CLIENT_CREDENTIALS -> bounded(confidential.acquireToken(ClientCredentialParameters.builder(scopes)
                        .skipCache(forceRefresh).build()));
                case DEVICE_CODE, PASSWORD -> delegated(forceRefresh);
            };
            lastToken = r.accessToken();
            lastTokenExpires = r.expiresOnDate() == null ? java.time.Instant.MIN : r.expiresOnDate().toInstant();
            return lastToken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while signing in to Microsoft Entra ID", e);
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        } catch (TimeoutException e) {
            throw new RetryableException("Microsoft sign-in at " + s.authorityHost + " did not answer within "
                    + s.httpTimeout.toMillis() + " ms (or the call's remaining budget); the token request was abandoned");
        } catch (TeamsConnectException e) {
            if (e instanceof TerminalException t) {
                fail(t);
            }
            throw e;
        } catch (RuntimeException e) {
            throw classify(e);
        }
    }

    /**
     * Waits for a token acquisition at most {@code httpTimeout}, and no longer than what is left of the current
     * Graph call's budget; the HTTP client given to msal4j bounds each of its requests as well.
     */
    private <T> T bounded(CompletableFuture<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = Math.min(s.httpTimeout.toNanos(), GraphHttpGuard.nanosLeft());
        try {
            return future.get(Math.max(1, nanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw e;
        }
    }

    private IAuthenticationResult delegated(boolean forceRefresh) throws InterruptedException, ExecutionException, TimeoutException {
        IAccount account = account();
        if (account != null) {
            try {
                return bounded(publicClient.acquireTokenSilently(SilentParameters.builder(scopes, account)
                        .forceRefresh(forceRefresh).build()));
            } catch (MalformedURLException e) {
                throw new TerminalException("authority URL is not valid: " + e.getMessage());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof MsalServiceException mse) || !TERMINAL_CODES.contains(String.valueOf(mse.errorCode()))
                        || s.authMode != GraphAuthMode.PASSWORD) {
                    throw e;
                }
                // Password mode can sign in again by itself: one attempt, no loop.
                LOG.info("silent token refresh was rejected ({}); signing in again with the configured password",
                        mse.errorCode());
            }
        }
        if (s.authMode == GraphAuthMode.PASSWORD) {
            return passwordSignIn();
        }
        if (!interactiveAllowed) {
            throw new TerminalException("the signed-in Microsoft account is no longer in the token cache"
                    + (cacheFile == null ? "" : " " + cacheFile.file()) + "; restart to sign in again with a device code");
        }
        return deviceCodeSignIn();
    }

    private IAccount account() throws InterruptedException, ExecutionException, TimeoutException {
        Set<IAccount> accounts = bounded(publicClient.getAccounts());
        if (s.username != null) {
            for (IAccount a : accounts) {
                if (s.username.equalsIgnoreCase(a.username())) {
                    return a;
                }
            }
            return s.authMode == GraphAuthMode.PASSWORD || accounts.isEmpty() ? null : accounts.iterator().next();
        }
        return accounts.isEmpty() ? null : accounts.iterator().next();
    }

    @SuppressWarnings("deprecation") // ROPC is deprecated by Microsoft; supported here as a documented legacy mode
    private IAuthenticationResult passwordSignIn() throws InterruptedException, ExecutionException, TimeoutException {
        LOG.info("signing in to Microsoft Entra ID as {} with username and password (legacy ROPC)", s.username);
        return bounded(publicClient.acquireToken(UserNamePasswordParameters.builder(scopes, s.username, s.password.toCharArray())
                .build()));
    }

    private IAuthenticationResult deviceCodeSignIn() throws InterruptedException, ExecutionException {
        DeviceCodeFlowParameters p = DeviceCodeFlowParameters.builder(scopes, code -> {
            DeviceCodePrompt prompt = new DeviceCodePrompt(code.message(), code.userCode(), code.verificationUri(),
                    Duration.ofSeconds(code.expiresIn()));
            LOG.warn("Microsoft sign-in needed for TeamsConnect: {}", code.message());
            try {
                s.listener.deviceCodeRequired(prompt);
            } catch (RuntimeException e) {
                LOG.warn("sign-in listener failed on the device code: {}", e.toString());
            }
        }).build();
        IAuthenticationResult r = publicClient.acquireToken(p).get();
        LOG.info("signed in to Microsoft Entra ID as {}", r.account() == null ? "(unknown)" : r.account().username());
        return r;
    }

    private TeamsConnectException classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TerminalException te) {
                fail(te);
                return te;
            }
            if (c instanceof TeamsConnectException tce) {
                return tce;
            }
        }
        if (t instanceof com.microsoft.aad.msal4j.MsalThrottlingException mte) {
            // msal4j's static throttling cache answered for the identity platform (after a 429/5xx): wait, do not hammer.
            return new RetryableException("Microsoft sign-in is throttled; retry in " + mte.retryInMs() + " ms",
                    Duration.ofMillis(mte.retryInMs()), null);
        }
        if (t instanceof MsalServiceException mse) {
            String code = String.valueOf(mse.errorCode());
            int status = mse.statusCode() == null ? 0 : mse.statusCode();
            if (status == 429 || status >= 500 || "temporarily_unavailable".equals(code)) {
                return new RetryableException("Microsoft sign-in is temporarily unavailable (HTTP " + status + ", " + code + ")",
                        retryAfter(mse), null);
            }
            if (TERMINAL_CODES.contains(code) || (status >= 400 && status < 500)) {
                TerminalException te = new TerminalException("Microsoft sign-in for app " + s.clientId + " in tenant "
                        + s.tenantId + " (" + s.authMode.configValue() + ") was rejected: " + code + ": "
                        + firstLine(mse.getMessage()) + ". " + hint(code, mse.getMessage()));
                fail(te);
                return te;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return new RetryableException("cannot reach the Microsoft sign-in endpoint " + s.authorityHost + ": " + c, null, c);
            }
        }
        return new RetryableException("Microsoft sign-in failed: " + (t == null ? "unknown" : t.getClass().getSimpleName()
                + ": " + firstLine(t.getMessage())), null, null);
    }

    private String hint(String code, String description) {
        // the AADSTS code is exact where the OAuth error name is not: a client id that does not exist comes as
        // invalid_client in some flows, which would otherwise point at the secret
        if (description != null && description.contains("AADSTS700016")) {
            return "Check teams.clientId and teams.tenantId: no app registration with this client id in this tenant.";
        }
        return switch (code) {
            case "invalid_client" -> "Check teams.auth.clientSecret / teams.auth.certificate (expired or rotated?).";
            case "invalid_grant", "interaction_required", "expired_token" -> s.authMode == GraphAuthMode.DEVICE_CODE
                    ? "Sign in again: restart TeamsConnect and enter the new device code."
                    : "Check teams.auth.username / teams.auth.password; accounts with MFA cannot use password mode.";
            case "unauthorized_client" -> "Check teams.clientId and teams.tenantId, and 'Allow public client flows' for delegated modes.";
            case "consent_required", "invalid_scope" -> "An admin must grant consent for Presence.Read.All and User.Read.All.";
            default -> "See docs/azure-setup.md.";
        };
    }

    private void fail(TerminalException e) {
        if (failed != null) {
            return;
        }
        failed = e;
        LOG.error("Microsoft sign-in stopped working; presence is no longer read until this is fixed: {}", e.getMessage());
        try {
            s.listener.signInFailed(e);
        } catch (RuntimeException le) {
            LOG.warn("sign-in listener failed: {}", le.toString());
        }
    }

    private Duration retryAfter(MsalServiceException e) {
        if (e.headers() == null) {
            return null;
        }
        for (var h : e.headers().entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase("Retry-After") && !h.getValue().isEmpty()) {
                return RetryAfter.parse(h.getValue().get(0), s.clock).orElse(null);
            }
        }
        return null;
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        int i = m.indexOf('\n');
        return (i < 0 ? m : m.substring(0, i)).trim();
    }
}
