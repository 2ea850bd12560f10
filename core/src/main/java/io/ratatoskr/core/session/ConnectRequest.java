package io.ratatoskr.core.session;

import java.util.Objects;

/**
 * What a connecting client asks of its session. Immutable.
 *
 * @param clientId       the client identifier (already assigned by the broker if the client sent none)
 * @param cleanStart     discard any existing session (3.1.1: Clean Session)
 * @param expirySeconds  how long to keep the session after the connection ends, already capped
 *                       by the broker's maximum; 0 ends it with the connection
 * @param will           the will message, or null
 * @param receiveMaximum the client's Receive Maximum: its limit on unacknowledged QoS 1/2 PUBLISH
 *                       packets we send (65,535 when it set none)
 * @param owner          who connects: a session owned by someone else is neither taken over nor resumed
 */
public record ConnectRequest(String clientId, boolean cleanStart, long expirySeconds, Will will, int receiveMaximum,
                             SessionOwner owner) {
    /** An anonymous client's request. */
    public ConnectRequest(String clientId, boolean cleanStart, long expirySeconds, Will will, int receiveMaximum) {
        this(clientId, cleanStart, expirySeconds, will, receiveMaximum, SessionOwner.ANONYMOUS);
    }

    public ConnectRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(owner, "owner");
        if (receiveMaximum < 1 || receiveMaximum > 65_535) {
            throw new IllegalArgumentException("receive maximum " + receiveMaximum + " is outside 1..65535");
        }
        if (expirySeconds < 0 || expirySeconds > SessionConfig.NEVER_EXPIRES) {
            throw new IllegalArgumentException("session expiry " + expirySeconds + " is out of range");
        }
    }

    public ConnectRequest withOwner(SessionOwner o) {
        return new ConnectRequest(clientId, cleanStart, expirySeconds, will, receiveMaximum, o);
    }
}
