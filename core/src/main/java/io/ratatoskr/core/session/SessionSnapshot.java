package io.ratatoskr.core.session;

import io.ratatoskr.core.topic.SubscriptionOptions;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A session's state at one moment, for the admin API: taken on the session's loop by
 * {@link Session#snapshot()}, then safe to read anywhere.
 *
 * <p>Thread-safety: immutable.
 *
 * @param clientId             the client identifier
 * @param connected            whether a connection is attached
 * @param persistent           whether the session is kept in the session journal
 * @param expirySeconds        the Session Expiry Interval ({@link SessionConfig#NEVER_EXPIRES}: never)
 * @param disconnectedAtMillis when its last connection ended (clock millis), -1 while connected or never
 * @param subscriptions        filter to options, sorted by filter
 * @param queued               messages waiting beyond the in-flight window
 * @param inFlight             outbound QoS 1/2 messages with a packet identifier
 */
public record SessionSnapshot(String clientId, boolean connected, boolean persistent, long expirySeconds,
                              long disconnectedAtMillis, Map<String, SubscriptionOptions> subscriptions,
                              int queued, int inFlight) {
    public SessionSnapshot {
        subscriptions = Collections.unmodifiableMap(new TreeMap<>(subscriptions));
    }

    /** When the session expires if its client does not come back (clock millis), or -1: connected or never. */
    public long expiresAtMillis() {
        if (connected || disconnectedAtMillis < 0 || expirySeconds == SessionConfig.NEVER_EXPIRES) {
            return -1;
        }
        return disconnectedAtMillis + expirySeconds * 1000L;
    }
}
