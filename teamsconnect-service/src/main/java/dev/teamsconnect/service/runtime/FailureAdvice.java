package dev.teamsconnect.service.runtime;

import dev.teamsconnect.service.i18n.Messages;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * The one place that turns a sign-in or connection failure into what went wrong and how to fix it, for
 * {@code check}, /health and the log. It looks at the exception chain (the plugins keep the JDK's exception as
 * the cause: {@link UnknownHostException}, {@link ConnectException}, {@link SSLException} ...) and at the
 * messages along it (the Entra ID error code, the PBX's answer). Each {@link Problem} cites one section of
 * docs/troubleshooting.md; a test checks that every cited section exists. Never sees or returns a secret.
 */
public final class FailureAdvice {

    /** The side that failed: the fixes name its config keys. */
    public enum Side { SOURCE, SINK }

    /** What went wrong; the anchor is the section of docs/troubleshooting.md that explains the fix. */
    public enum Problem {
        WRONG_CLIENT_ID("wrong-client-id"),
        WRONG_CLIENT_SECRET("wrong-or-expired-client-secret"),
        WRONG_TENANT("wrong-tenant-id"),
        ACCOUNT_REJECTED("microsoft-account-rejected"),
        CERTIFICATE_NOT_UPLOADED("app-certificate-not-accepted"),
        TOKEN_REFUSED("token-refused-by-graph"),
        PERMISSION_MISSING("permission-or-consent-missing"),
        PBX_LOGIN_REJECTED("starface-login-rejected"),
        GROUP_NOT_FOUND("group-not-found"),
        PIN_MISMATCH("certificate-does-not-match-the-pin"),
        TLS_TO_PLAIN_PORT("https-to-a-port-that-speaks-plain-http"),
        PLAIN_TO_TLS_PORT("http-to-a-port-that-speaks-tls"),
        HOSTNAME_MISMATCH("certificate-for-another-host-name"),
        UNTRUSTED_CERTIFICATE("certificate-not-trusted"),
        UNKNOWN_HOST("unknown-host-name"),
        CONNECTION_REFUSED("connection-refused"),
        TIMEOUT("no-answer-in-time"),
        NETWORK("other-network-errors"),
        OTHER("other-errors");

        private final String anchor;

        Problem(String anchor) {
            this.anchor = anchor;
        }

        /** Where the fix is explained, e.g. {@code docs/troubleshooting.md#connection-refused}. */
        public String docs() {
            return "docs/troubleshooting.md#" + anchor;
        }

        /** The anchor of the section in docs/troubleshooting.md. */
        public String anchor() {
            return anchor;
        }
    }

    private FailureAdvice() {
    }

    /** What went wrong, from the failure's exception chain and messages. */
    public static Problem classify(Side side, Throwable failure) {
        Objects.requireNonNull(side, "side");
        List<Throwable> chain = chain(failure);
        String m = text(chain);
        // Entra ID's own error codes first: they are exact, the OAuth error names around them are not (a wrong
        // client id comes as invalid_client or unauthorized_client depending on the flow)
        if (m.contains("aadsts700016")) {
            return Problem.WRONG_CLIENT_ID;
        }
        if (m.contains("aadsts7000215") || m.contains("aadsts7000222") || m.contains("invalid client secret")) {
            return Problem.WRONG_CLIENT_SECRET;
        }
        if (m.contains("aadsts700027")) {
            return Problem.CERTIFICATE_NOT_UPLOADED;
        }
        if (m.contains("aadsts90002") || m.contains("aadsts900023")) {
            return Problem.WRONG_TENANT;
        }
        if (m.contains("aadsts50126") || m.contains("aadsts50076") || m.contains("aadsts50079")
                || m.contains("interaction_required") || m.contains("invalid_grant")) {
            return Problem.ACCOUNT_REJECTED;
        }
        if (m.contains("unauthorized_client")) {
            return Problem.WRONG_CLIENT_ID;
        }
        if (m.contains("invalid_client")) {
            return Problem.WRONG_CLIENT_SECRET;
        }
        if (m.contains("does not match the configured pin") || m.contains("does not match the pin") || m.contains("tls.pin")) {
            return Problem.PIN_MISMATCH;
        }
        if (m.contains("unrecognized ssl message") || m.contains("plaintext connection")) {
            return Problem.TLS_TO_PLAIN_PORT;
        }
        if (m.contains("no subject alternative") || m.contains("doesn't match any of the subject alternative")) {
            return Problem.HOSTNAME_MISMATCH;
        }
        if (m.contains("pkix") || m.contains("unable to find valid certification path")
                || m.contains("certificate_unknown") || m.contains("not trusted")) {
            return Problem.UNTRUSTED_CERTIFICATE;
        }
        if (has(chain, UnknownHostException.class) || has(chain, UnresolvedAddressException.class)) {
            return Problem.UNKNOWN_HOST;
        }
        if (has(chain, HttpTimeoutException.class) || has(chain, SocketTimeoutException.class)
                || m.contains("did not answer") || m.contains("timed out")) {
            return Problem.TIMEOUT;
        }
        if (has(chain, ConnectException.class) || has(chain, NoRouteToHostException.class)) {
            return Problem.CONNECTION_REFUSED;
        }
        if (m.contains("header parser received no bytes") || m.contains("invalid status line")
                || m.contains("connection reset") || has(chain, EOFException.class)) {
            // a TLS server answers a plain-text request by closing the connection (or with a TLS alert, which is
            // no HTTP status line): the only plain-HTTP symptom that names no TLS at all
            return Problem.PLAIN_TO_TLS_PORT;
        }
        if (m.contains("refused the access token")) {
            // before the permission rule: a refused token is not a missing permission
            return Problem.TOKEN_REFUSED;
        }
        if (m.contains("presence.read.all") || m.contains("http 403") || m.contains("permission")
                || m.contains("consent_required") || m.contains("invalid_scope")) {
            return Problem.PERMISSION_MISSING;
        }
        if (m.contains("rejected the login") || m.contains("login") && (m.contains("refused") || m.contains("401"))) {
            return Problem.PBX_LOGIN_REJECTED;
        }
        if (m.contains("no group named")) {
            return Problem.GROUP_NOT_FOUND;
        }
        if (m.contains("tls") || m.contains("ssl") || m.contains("certificate")) {
            return Problem.UNTRUSTED_CERTIFICATE;
        }
        if (m.contains("cannot reach") || m.contains("unreachable") || m.contains("i/o")
                || chain.stream().anyMatch(t -> t instanceof java.io.IOException)) {
            return Problem.NETWORK;
        }
        return Problem.OTHER;
    }

    /** The fix for {@code failure} in English, naming the keys of {@code section}, with the docs section to read. */
    public static String fix(Side side, String section, Throwable failure) {
        return fix(side, section, failure, Messages.english());
    }

    /** The fix for {@code failure} in the language of {@code messages}. */
    public static String fix(Side side, String section, Throwable failure, Messages messages) {
        return fix(side, section, classify(side, failure), messages);
    }

    /** The fix for a known problem. */
    public static String fix(Side side, String section, Problem problem, Messages messages) {
        String key = "fix." + problem.name() + "." + side.name().toLowerCase(Locale.ROOT);
        if (!messages.has(key)) {
            key = "fix." + problem.name();
        }
        return messages.get(key, section) + " " + messages.get("fix.seeDocs", problem.docs());
    }

    private static List<Throwable> chain(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable c = t; c != null && out.size() < 20 && !out.contains(c); c = c.getCause()) {
            out.add(c);
        }
        return out;
    }

    private static String text(List<Throwable> chain) {
        StringBuilder b = new StringBuilder();
        for (Throwable t : chain) {
            b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean has(List<Throwable> chain, Class<? extends Throwable> type) {
        return chain.stream().anyMatch(type::isInstance);
    }
}
