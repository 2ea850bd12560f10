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
 * @param maxRetainedMessages retained messages at most; a client's retained publish to a topic that has
 *                            none is refused beyond it (0: unlimited)
 * @param maxRetainedBytes    payload bytes of retained messages at most, enforced the same way, also on
 *                            a replacement that grows (0: unlimited)
 * @param memoryHighWatermark fraction of the maximum heap (after garbage collection) above which client
 *                            publishes are refused until it drops below 90% of it (0: off)
 */
public record BrokerConfig(int maxTopicLevels, SessionConfig session, long sysIntervalSeconds, int maxTopicLength,
                           int maxRetainedMessages, long maxRetainedBytes, double memoryHighWatermark) {
    /**
     * 1,024 bytes of topic is far beyond what real topic schemes use (AWS IoT allows 256) and keeps
     * the routing table's keys, retained-message keys and every PUBLISH's topic small; the
     * protocol's 65,535 would let one client make each of them 64 KiB.
     */
    public static final int DEFAULT_MAX_TOPIC_LENGTH = 1024;
    /**
     * Retained messages: 1,000,000 and 1 GiB of payload, far above what a deployment keeps on purpose
     * and below what would exhaust a default heap; memory: refuse publishes once 90% of the heap is
     * live, which leaves room for the work in flight to finish.
     */
    public static final BrokerConfig DEFAULTS = new BrokerConfig(64, SessionConfig.DEFAULTS, 10,
            DEFAULT_MAX_TOPIC_LENGTH, 1_000_000, 1L << 30, 0.9);

    /** A config with the default topic length, retained and memory limits. */
    public BrokerConfig(int maxTopicLevels, SessionConfig session, long sysIntervalSeconds) {
        this(maxTopicLevels, session, sysIntervalSeconds, DEFAULTS.maxTopicLength, DEFAULTS.maxRetainedMessages,
                DEFAULTS.maxRetainedBytes, DEFAULTS.memoryHighWatermark);
    }

    public BrokerConfig {
        if (maxRetainedMessages < 0 || maxRetainedBytes < 0) {
            throw new IllegalArgumentException("retained limits must not be negative");
        }
        if (!(memoryHighWatermark >= 0 && memoryHighWatermark < 1)) {
            throw new IllegalArgumentException("memoryHighWatermark must be within [0, 1), got " + memoryHighWatermark);
        }
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
        return new BrokerConfig(maxTopicLevels, s, sysIntervalSeconds, maxTopicLength, maxRetainedMessages,
                maxRetainedBytes, memoryHighWatermark);
    }

    public BrokerConfig withSysIntervalSeconds(long seconds) {
        return new BrokerConfig(maxTopicLevels, session, seconds, maxTopicLength, maxRetainedMessages,
                maxRetainedBytes, memoryHighWatermark);
    }

    public BrokerConfig withMaxTopicLength(int bytes) {
        return new BrokerConfig(maxTopicLevels, session, sysIntervalSeconds, bytes, maxRetainedMessages,
                maxRetainedBytes, memoryHighWatermark);
    }

    public BrokerConfig withRetainedLimits(int messages, long bytes) {
        return new BrokerConfig(maxTopicLevels, session, sysIntervalSeconds, maxTopicLength, messages, bytes,
                memoryHighWatermark);
    }

    public BrokerConfig withMemoryHighWatermark(double fractionOfHeap) {
        return new BrokerConfig(maxTopicLevels, session, sysIntervalSeconds, maxTopicLength, maxRetainedMessages,
                maxRetainedBytes, fractionOfHeap);
    }
}
