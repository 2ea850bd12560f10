package io.ratatoskr.mqtt.codec;

import java.util.Objects;

/** An MQTT 5 user property (§3.3.2.3.7): a UTF-8 string pair; names may repeat, order is kept. */
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
