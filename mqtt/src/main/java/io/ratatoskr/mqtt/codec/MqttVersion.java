package io.ratatoskr.mqtt.codec;

/**
 * The protocol versions Ratatoskr speaks, identified on the wire by the CONNECT packet's protocol
 * name and level (MQTT 3.1.1 §3.1.2.1-2, MQTT 5.0 §3.1.2.1-2).
 */
public enum MqttVersion {
    /** MQTT 3.1 (IBM), protocol name "MQIsdp", level 3. Accepted for old clients; treated as 3.1.1. */
    V3_1("MQIsdp", 3),
    /** MQTT 3.1.1 (OASIS 2014), protocol name "MQTT", level 4. */
    V3_1_1("MQTT", 4),
    /** MQTT 5.0 (OASIS 2019), protocol name "MQTT", level 5. */
    V5("MQTT", 5);

    private final String protocolName;
    private final int level;

    MqttVersion(String protocolName, int level) {
        this.protocolName = protocolName;
        this.level = level;
    }

    public String protocolName() {
        return protocolName;
    }

    public int level() {
        return level;
    }

    public boolean isV5() {
        return this == V5;
    }

    /** The version for a protocol name and level, or {@code null} when the pair is not one we speak. */
    public static MqttVersion of(String protocolName, int level) {
        for (MqttVersion v : values()) {
            if (v.level == level && v.protocolName.equals(protocolName)) {
                return v;
            }
        }
        return null;
    }
}
