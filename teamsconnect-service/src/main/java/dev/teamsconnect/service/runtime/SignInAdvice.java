package dev.teamsconnect.service.runtime;

import java.util.Locale;

/**
 * Turns a sign-in or connection failure into what to do about it, for {@code check}, /health and the log. The
 * rules look at the failure's message (the plugins put the Entra ID error code or the PBX's answer in it); a
 * message none of them recognises gets a general hint. Never sees or returns a secret.
 */
final class SignInAdvice {

    private SignInAdvice() {
    }

    /** The fix for a failure of the presence source (Microsoft Teams through Graph). */
    static String forSource(String sectionName, String message) {
        String m = lower(message);
        String s = sectionName;
        if (m.contains("aadsts7000215") || m.contains("aadsts7000222") || m.contains("invalid client secret")) {
            return "check " + s + ".auth.clientSecret: use the secret's Value (not its ID) from Certificates & secrets"
                    + " of the app registration, and create a new one if it has expired";
        }
        if (m.contains("aadsts700016") || m.contains("unauthorized_client")) {
            return "check " + s + ".clientId and " + s + ".tenantId: the app registration was not found in this tenant";
        }
        if (m.contains("aadsts90002") || m.contains("aadsts900023") || m.contains("tenant")
                && (m.contains("not found") || m.contains("invalid"))) {
            return "check " + s + ".tenantId: use the Directory (tenant) ID from the app registration's overview";
        }
        if (m.contains("aadsts50126") || m.contains("invalid_grant")) {
            return "check " + s + ".auth.username and " + s + ".auth.password (accounts with MFA cannot use password mode)";
        }
        if (m.contains("invalid_client")) {
            return "check " + s + ".auth.clientSecret or " + s + ".auth.certificate (expired or rotated?)";
        }
        if (m.contains("refused the access token")) {
            // checked before the permission rule: a refused token is not a missing permission
            return "the token was refused, not a permission: check that " + s + ".tenantId, " + s + ".authorityHost and "
                    + s + ".graphBaseUrl name the same tenant and cloud (e.g. login.microsoftonline.us with"
                    + " graph.microsoft.us), then restart";
        }
        if (m.contains("presence.read.all") || m.contains("http 403") || m.contains("permission")) {
            return "grant the app the Microsoft Graph permissions Presence.Read.All and User.Read.All with admin consent"
                    + " (docs/azure-setup.md)";
        }
        if (isTls(m)) {
            return "the certificate of the Microsoft endpoint is not trusted: behind a TLS-inspecting proxy, export its"
                    + " CA certificate and set " + s + ".tls.certificate";
        }
        if (isUnreachable(m)) {
            return "check the network path to " + s + ".authorityHost and " + s + ".graphBaseUrl (firewall, proxy, DNS)";
        }
        return "see docs/troubleshooting.md; run with TEAMSCONNECT_LOG_LEVEL=DEBUG for request detail";
    }

    /** The fix for a failure of the PBX sink. */
    static String forSink(String sectionName, String message) {
        String m = lower(message);
        String s = sectionName;
        if (m.contains("rejected the login") || m.contains("login") && (m.contains("refused") || m.contains("401")
                || m.contains("403"))) {
            return "check " + s + ".loginId and " + s + ".password (the STARFACE user needs the right \"Use REST API\")";
        }
        if (isTls(m)) {
            return "export the PBX's certificate (docs/starface.md, \"TLS\") and set " + s + ".tls.certificate to that"
                    + " PEM file";
        }
        if (m.contains("no group named")) {
            return "check users.group: it must name an existing STARFACE group";
        }
        if (isUnreachable(m)) {
            return "check " + s + ".baseUrl and the network path to the PBX (firewall, DNS, port)";
        }
        return "see docs/troubleshooting.md; run with TEAMSCONNECT_LOG_LEVEL=DEBUG for request detail";
    }

    private static boolean isTls(String m) {
        return m.contains("tls") || m.contains("pkix") || m.contains("certificate") || m.contains("ssl");
    }

    private static boolean isUnreachable(String m) {
        return m.contains("did not answer") || m.contains("cannot reach") || m.contains("connect") || m.contains("timed out")
                || m.contains("unknownhost") || m.contains("unreachable") || m.contains("i/o");
    }

    private static String lower(String message) {
        return message == null ? "" : message.toLowerCase(Locale.ROOT);
    }
}
