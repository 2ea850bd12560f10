package io.ratatoskr.core.session;

/**
 * Limits every session observes. Immutable.
 *
 * @param maxQueuedMessages    messages a session holds beyond its in-flight window (offline, or
 *                             waiting for the client's receive maximum); at least 1. For a connected
 *                             client that is taking messages it is where publishers are held back
 *                             rather than a drop point for QoS 1/2 (see {@link Session#isCongested})
 * @param overflowPolicy       what happens when the queue is full
 * @param maxInflight          outbound QoS 1/2 messages sent and not yet acknowledged, at most;
 *                             the client's Receive Maximum lowers it further
 * @param maxSessionExpirySeconds the longest a disconnected session is kept; a client asking for
 *                             longer gets this (MQTT 5: told in CONNACK). 3.1.1 persistent sessions
 *                             (clean session 0) use this value
 * @param queueQos0WhenOffline whether QoS 0 messages are queued for a disconnected session (the
 *                             spec allows either, §4.1)
 * @param slowSubscriberTimeoutMs how long a connected client may take nothing (no message written to
 *                             it, no acknowledgement from it) and still count as alive: while alive it
 *                             holds its publishers back instead of losing QoS 1/2 messages; after it,
 *                             the overflow policy applies and publishers go on. At least 1
 */
public record SessionConfig(int maxQueuedMessages, OverflowPolicy overflowPolicy, int maxInflight,
                            long maxSessionExpirySeconds, boolean queueQos0WhenOffline,
                            long slowSubscriberTimeoutMs) {
    /** 0xFFFFFFFF: the session never expires (MQTT 5.0 §3.1.2.11.2). */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;
    /** Long enough for a client's garbage-collection pause or a congested link, short enough to notice a stuck one. */
    public static final long DEFAULT_SLOW_SUBSCRIBER_TIMEOUT_MS = 5_000;

    public static final SessionConfig DEFAULTS =
            new SessionConfig(1000, OverflowPolicy.DROP_OLDEST, 256, 7 * 24 * 3600L, false);

    public SessionConfig {
        if (maxQueuedMessages < 1) {
            throw new IllegalArgumentException("maxQueuedMessages must be at least 1, got " + maxQueuedMessages);
        }
        if (maxInflight < 1 || maxInflight > 65_535) {
            throw new IllegalArgumentException("maxInflight must be within 1..65535, got " + maxInflight);
        }
        if (maxSessionExpirySeconds < 0 || maxSessionExpirySeconds > NEVER_EXPIRES) {
            throw new IllegalArgumentException("maxSessionExpirySeconds must be within 0..4294967295, got "
                    + maxSessionExpirySeconds);
        }
        if (overflowPolicy == null) {
            throw new IllegalArgumentException("overflowPolicy is required");
        }
        if (slowSubscriberTimeoutMs < 1) {
            throw new IllegalArgumentException("slowSubscriberTimeoutMs must be at least 1, got "
                    + slowSubscriberTimeoutMs);
        }
    }

    /** With the default slow-subscriber timeout. */
    public SessionConfig(int maxQueuedMessages, OverflowPolicy overflowPolicy, int maxInflight,
                         long maxSessionExpirySeconds, boolean queueQos0WhenOffline) {
        this(maxQueuedMessages, overflowPolicy, maxInflight, maxSessionExpirySeconds, queueQos0WhenOffline,
                DEFAULT_SLOW_SUBSCRIBER_TIMEOUT_MS);
    }

    /** This configuration with another slow-subscriber timeout. */
    public SessionConfig withSlowSubscriberTimeoutMs(long ms) {
        return new SessionConfig(maxQueuedMessages, overflowPolicy, maxInflight, maxSessionExpirySeconds,
                queueQos0WhenOffline, ms);
    }
}
