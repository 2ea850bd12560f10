package io.ratatoskr.core.broker;

import io.ratatoskr.core.session.SessionConfig;

import java.util.Objects;

/**
 * Broker-wide settings of the core. Immutable; validated on construction.
 *
 * @param maxTopicLevels      topic names and filters with more levels are refused
 * @param session             limits every session observes
 * @param sysIntervalSeconds  how often {@code $SYS/broker/...} statistics are published; 0 disables them
 * @param maxTopicLength      topic names and filters longer than this many UTF-8 bytes are refused (the
 *                            protocol allows 65,535)
 */
public record BrokerConfig(int maxTopicLevels, SessionConfig session, long sysIntervalSeconds, int maxTopicLength) {
    /**
     * 1,024 bytes of topic is far beyond what real topic schemes use (AWS IoT allows 256) and keeps
     * the routing table's keys, retained-message keys and every PUBLISH's topic small; the
     * protocol's 65,535 would let one client make each of them 64 KiB.
     */
    public static final int DEFAULT_MAX_TOPIC_LENGTH = 1024;
    public static final BrokerConfig DEFAULTS =
            new BrokerConfig(64, SessionConfig.DEFAULTS, 10, DEFAULT_MAX_TOPIC_LENGTH);

    /** A config with the default maximum topic length. */
    public BrokerConfig(int maxTopicLevels, SessionConfig session, long sysIntervalSeconds) {
        this(maxTopicLevels, session, sysIntervalSeconds, DEFAULT_MAX_TOPIC_LENGTH);
    }

    public BrokerConfig {
        if (maxTopicLength < 1 || maxTopicLength > 65_535) {
            throw new IllegalArgumentException("maxTopicLength must be within 1..65535, got " + maxTopicLength);
        }
        Objects.requireNonNull(session, "session");
        if (maxTopicLevels < 1 || maxTopicLevels > 32_768) {
            throw new IllegalArgumentException("maxTopicLevels must be within 1..32768, got " + maxTopicLevels);
        }
        if (sysIntervalSeconds < 0) {
            throw new IllegalArgumentException("sysIntervalSeconds must not be negative, got " + sysIntervalSeconds);
        }
    }

    public BrokerConfig withSession(SessionConfig s) {
        return new BrokerConfig(maxTopicLevels, s, sysIntervalSeconds, maxTopicLength);
    }

    public BrokerConfig withSysIntervalSeconds(long seconds) {
        return new BrokerConfig(maxTopicLevels, session, seconds, maxTopicLength);
    }

    public BrokerConfig withMaxTopicLength(int bytes) {
        return new BrokerConfig(maxTopicLevels, session, sysIntervalSeconds, bytes);
    }
}
