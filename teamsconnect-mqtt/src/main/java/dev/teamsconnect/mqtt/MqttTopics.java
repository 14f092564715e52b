package dev.teamsconnect.mqtt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The topic layout of the mqtt output (docs/outputs.md, "What is sent"):
 * <pre>
 * &lt;topicPrefix&gt;/availability                                   online | offline (retained, last will)
 * &lt;topicPrefix&gt;/&lt;user key&gt;/state                               JSON (retained)
 * &lt;discoveryPrefix&gt;/sensor/&lt;node id&gt;/&lt;user key&gt;_presence/config   Home Assistant discovery (retained)
 * &lt;discoveryPrefix&gt;/binary_sensor/&lt;node id&gt;/&lt;user key&gt;_busy/config
 * </pre>
 * The <b>user key</b> is the PBX user id when it consists only of {@code A-Z a-z 0-9 _ -} (at most 64 characters):
 * those are safe in a topic level and in a Home Assistant object id. Any other id becomes its safe characters (others
 * replaced by {@code _}, at most 48) plus {@code -} and the first 8 hex digits of the SHA-256 of the id (UTF-8), so
 * that two ids that differ only in unsafe characters keep apart. The <b>node id</b> is the topic prefix with every
 * unsafe character (also {@code /}) replaced by {@code _}, so two installations with different prefixes get
 * different Home Assistant entities.
 */
final class MqttTopics {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String prefix;
    private final String discoveryPrefix;
    private final String nodeId;

    MqttTopics(String prefix, String discoveryPrefix) {
        if (prefixProblem(prefix).isPresent() || prefixProblem(discoveryPrefix).isPresent()) {
            throw new IllegalArgumentException("bad topic prefix: " + prefixProblem(prefix).or(() -> prefixProblem(discoveryPrefix)).get());
        }
        this.prefix = prefix;
        this.discoveryPrefix = discoveryPrefix;
        this.nodeId = prefix.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    String prefix() {
        return prefix;
    }

    String nodeId() {
        return nodeId;
    }

    String availability() {
        return prefix + "/availability";
    }

    String state(String pbxUserId) {
        return prefix + "/" + userKey(pbxUserId) + "/state";
    }

    /** The Home Assistant discovery config topic of one entity: {@code component} is sensor or binary_sensor. */
    String discoveryConfig(String component, String pbxUserId, String entity) {
        return discoveryPrefix + "/" + component + "/" + nodeId + "/" + objectId(pbxUserId, entity) + "/config";
    }

    /** The object id of an entity, e.g. {@code 0001_presence}. */
    String objectId(String pbxUserId, String entity) {
        return userKey(pbxUserId) + "_" + entity;
    }

    /** The topic-safe key of a PBX user id (see the class comment). */
    static String userKey(String pbxUserId) {
        if (SAFE.matcher(pbxUserId).matches()) {
            return pbxUserId;
        }
        String safe = pbxUserId.replaceAll("[^A-Za-z0-9_-]", "_");
        if (safe.length() > 48) {
            safe = safe.substring(0, 48);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(pbxUserId.getBytes(StandardCharsets.UTF_8));
            return safe + "-" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What is wrong with a topic prefix, or empty when it is fine: one or more topic levels separated by {@code /},
     * none empty, without the wildcards {@code +} and {@code #}, not starting with {@code $} (reserved for the
     * broker), without control characters, at most 200 characters.
     */
    static Optional<String> prefixProblem(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (prefix.length() > 200) {
            return Optional.of("must be at most 200 characters, but has " + prefix.length());
        }
        if (prefix.contains("+") || prefix.contains("#")) {
            return Optional.of("must not contain the MQTT wildcards + or #");
        }
        if (prefix.startsWith("$")) {
            return Optional.of("must not start with $ (topics starting with $ belong to the broker)");
        }
        if (prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("//")) {
            return Optional.of("must not start or end with / or contain an empty level (//)");
        }
        if (prefix.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return Optional.of("must not contain control characters");
        }
        if (prefix.chars().anyMatch(Character::isWhitespace)) {
            return Optional.of("must not contain spaces");
        }
        return Optional.empty();
    }
}
