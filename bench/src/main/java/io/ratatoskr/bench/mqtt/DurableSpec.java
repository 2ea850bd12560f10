package io.ratatoskr.bench.mqtt;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * The durable-topic part of a run: which topic the publishers write to (topics {@code <topic>/<i>}, which it
 * captures), how it is created, and whether the consumers drain a backlog instead of reading live.
 *
 * <p>Immutable; validated on construction.
 *
 * @param adminUrl       Ratatoskr's admin API: the topic is created there before the run and deleted after
 *                       it; null when the topic exists already
 * @param topic          the durable topic's name, or null for one made up per run (needs {@code adminUrl})
 * @param partitions     partitions of the topic created
 * @param durability     durability of the topic created: {@code fsync}, {@code group} or {@code async}
 * @param preload        messages to publish before any consumer starts, then measure how fast the consumer
 *                       group drains them; 0 for a live run (publishers and consumers at once)
 * @param preloadTimeout how long the preload may take
 * @param registerGroup  whether, before the preload, the members subscribe once and leave, so that the group
 *                       exists before the backlog is written (matters when a new group starts at the end)
 * @param keepTopic      whether to leave the created topic in place after the run
 */
public record DurableSpec(URI adminUrl, String topic, int partitions, String durability, long preload,
                          Duration preloadTimeout, boolean registerGroup, boolean keepTopic) {
    private static final Set<String> DURABILITIES = Set.of("fsync", "group", "async");

    public DurableSpec {
        if (topic == null && adminUrl == null) {
            throw new IllegalArgumentException("a durable topic needs --durable-topic NAME (an existing topic) or"
                    + " --admin-url URL (to create one)");
        }
        if (topic != null && !topic.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("--durable-topic must be letters, digits, '.', '_' and '-', got '"
                    + topic + "'");
        }
        if (partitions < 1 || partitions > 1024) {
            throw new IllegalArgumentException("--partitions must be within 1..1024, got " + partitions);
        }
        if (!DURABILITIES.contains(durability)) {
            throw new IllegalArgumentException("--durability must be fsync, group or async, got '" + durability + "'");
        }
        if (preload < 0) {
            throw new IllegalArgumentException("--preload must not be negative, got " + preload);
        }
        if (preloadTimeout == null || preloadTimeout.isNegative() || preloadTimeout.isZero()) {
            throw new IllegalArgumentException("--preload-timeout must be positive");
        }
    }

    /** The topic's name: the one given, or {@code generated}. */
    String topicOr(String generated) {
        return topic != null ? topic : generated;
    }

    boolean drain() {
        return preload > 0;
    }
}
