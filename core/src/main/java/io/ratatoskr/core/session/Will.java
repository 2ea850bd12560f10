package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Message;

import java.util.Objects;

/**
 * A will message and its delay (MQTT 5.0 §3.1.2.5, §3.1.3.2.2): published when the connection ends
 * without a normal DISCONNECT, after {@code delaySeconds} or when the session ends, whichever is
 * first. Immutable.
 */
public record Will(Message message, long delaySeconds) {
    public Will {
        Objects.requireNonNull(message, "message");
        if (delaySeconds < 0) {
            throw new IllegalArgumentException("will delay must not be negative");
        }
    }
}
