package dev.teamsconnect.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.OutputStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON payloads of the mqtt output: a user's state and the Home Assistant discovery configs
 * (docs/outputs.md, "The state payload" and "Home Assistant discovery"). Field names are stable; a field whose value is unknown is present with
 * {@code null}, so a template never has to guess whether a field exists.
 */
final class MqttPayloads {

    /** The value of the availability topic while the output is connected, and after it left or was cut off. */
    static final String ONLINE = "online";
    static final String OFFLINE = "offline";

    static final String SENSOR = "sensor";
    static final String BINARY_SENSOR = "binary_sensor";
    static final String PRESENCE = "presence";
    static final String BUSY = "busy";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MqttTopics topics;
    private final String version;

    MqttPayloads(MqttTopics topics) {
        this.topics = topics;
        String v = MqttPayloads.class.getPackage().getImplementationVersion();
        this.version = v == null ? "dev" : v;
    }

    /**
     * Whether the user counts as busy for a busy light: in a Teams call or meeting (category IN_A_CALL), or the
     * engine wants DND on the desk phone, or the phone shows DND (also a DND the user set by hand).
     */
    static boolean busy(OutputStatus s) {
        return s.category() == PresenceCategory.IN_A_CALL || Boolean.TRUE.equals(s.wantedDnd())
                || Boolean.TRUE.equals(s.pbxDnd());
    }

    /** The retained state of one user, on {@code <prefix>/<user key>/state}. */
    byte[] state(OutputStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", s.pbxUserId());
        m.put("label", s.label());
        m.put("teamsUserId", s.teamsUserId());
        m.put("availability", s.availability());
        m.put("activity", s.activity());
        m.put("category", s.category() == null ? null : s.category().code());
        m.put("busy", busy(s));
        m.put("wantedDnd", s.wantedDnd());
        m.put("pbxDnd", s.pbxDnd());
        m.put("hold", s.holdKind() == null ? null : s.holdKind().code());
        m.put("reason", s.reason());
        m.put("at", s.at().toString());
        return write(m);
    }

    /** The discovery config of the user's Teams presence sensor. */
    byte[] presenceSensor(OutputStatus s) {
        Map<String, Object> m = entity(s, PRESENCE, "Teams presence");
        m.put("value_template", "{{ value_json.availability if value_json.availability else 'PresenceUnknown' }}");
        m.put("icon", "mdi:microsoft-teams");
        return write(m);
    }

    /** The discovery config of the user's busy binary sensor (in a call, or DND on the desk phone). */
    byte[] busySensor(OutputStatus s) {
        Map<String, Object> m = entity(s, BUSY, "In a call or DND");
        m.put("value_template", "{{ 'ON' if value_json.busy else 'OFF' }}");
        m.put("payload_on", "ON");
        m.put("payload_off", "OFF");
        m.put("icon", "mdi:phone-in-talk");
        return write(m);
    }

    private Map<String, Object> entity(OutputStatus s, String entity, String name) {
        String userKey = MqttTopics.userKey(s.pbxUserId());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("unique_id", "teamsconnect_" + topics.nodeId() + "_" + topics.objectId(s.pbxUserId(), entity));
        m.put("state_topic", topics.state(s.pbxUserId()));
        m.put("json_attributes_topic", topics.state(s.pbxUserId()));
        m.put("availability_topic", topics.availability());
        m.put("payload_available", ONLINE);
        m.put("payload_not_available", OFFLINE);
        m.put("qos", 1);
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("identifiers", List.of("teamsconnect_" + topics.nodeId() + "_" + userKey));
        device.put("name", s.label());
        device.put("manufacturer", "TeamsConnect");
        device.put("model", "Teams presence of a PBX user");
        device.put("sw_version", version);
        m.put("device", device);
        return m;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] write(Map<String, Object> m) {
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
