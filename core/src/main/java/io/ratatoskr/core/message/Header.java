package io.ratatoskr.core.message;

import java.util.Objects;

/** A name/value pair carried with a message: an MQTT 5 user property, a gRPC metadata entry. */
public record Header(String name, String value) {
    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
