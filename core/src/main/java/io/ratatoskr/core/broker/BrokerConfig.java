package io.ratatoskr.core.broker;

import io.ratatoskr.core.session.SessionConfig;

import java.util.Objects;

/**
 * Broker-wide settings of the core. Immutable; validated on construction.
 *
 * @param maxTopicLevels      topic names and filters with more levels are refused
 * @param session             limits every session observes
 * @param sysIntervalSeconds  how often {@code $SYS/broker/...} statistics are published; 0 disables them
 */
public record BrokerConfig(int maxTopicLevels, SessionConfig session, long sysIntervalSeconds) {
    public static final BrokerConfig DEFAULTS = new BrokerConfig(64, SessionConfig.DEFAULTS, 10);

    public BrokerConfig {
        Objects.requireNonNull(session, "session");
        if (maxTopicLevels < 1 || maxTopicLevels > 32_768) {
            throw new IllegalArgumentException("maxTopicLevels must be within 1..32768, got " + maxTopicLevels);
        }
        if (sysIntervalSeconds < 0) {
            throw new IllegalArgumentException("sysIntervalSeconds must not be negative, got " + sysIntervalSeconds);
        }
    }

    public BrokerConfig withSession(SessionConfig s) {
        return new BrokerConfig(maxTopicLevels, s, sysIntervalSeconds);
    }

    public BrokerConfig withSysIntervalSeconds(long seconds) {
        return new BrokerConfig(maxTopicLevels, session, seconds);
    }
}
