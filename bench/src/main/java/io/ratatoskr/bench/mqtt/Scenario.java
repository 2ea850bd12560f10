package io.ratatoskr.bench.mqtt;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Who publishes where and who receives what: the publishers and subscribers of a run laid out by a
 * {@link TopicLayout} under one topic prefix, with the receivers of each publisher worked out by matching
 * filters against topics.
 *
 * <p>Immutable and thread-safe (the arrays it returns are copies).
 */
public record Scenario(int publishers, int subscribers, TopicLayout layout, String prefix) {

    public Scenario {
        if (publishers < 1) {
            throw new IllegalArgumentException("publishers must be at least 1, got " + publishers);
        }
        if (subscribers < 0) {
            throw new IllegalArgumentException("subscribers must not be negative, got " + subscribers);
        }
        if (layout == null || prefix == null || prefix.isEmpty() || prefix.contains("+") || prefix.contains("#")) {
            throw new IllegalArgumentException("a layout and a prefix without wildcards are required");
        }
    }

    public String topicOf(int publisher) {
        return layout.topicOf(prefix, publisher, publishers);
    }

    public List<String> filtersOf(int subscriber) {
        return layout.filtersOf(prefix, subscriber, publishers);
    }

    /**
     * Subscribers (0-based) whose filters match each publisher's topic: {@code result[publisher]}. For a
     * consumer group ({@link TopicLayout#oneReceiverPerMessage()}), every member, of which each message
     * reaches one.
     */
    public int[][] receivers() {
        int[][] result = new int[publishers][];
        if (layout.oneReceiverPerMessage()) {
            Arrays.setAll(result, i -> IntStream.range(0, subscribers).toArray());
            return result;
        }
        for (int i = 0; i < publishers; i++) {
            String topic = topicOf(i);
            int[] matched = new int[subscribers];
            int n = 0;
            for (int j = 0; j < subscribers; j++) {
                if (filtersOf(j).stream().anyMatch(f -> matches(f, topic))) {
                    matched[n++] = j;
                }
            }
            result[i] = Arrays.copyOf(matched, n);
        }
        return result;
    }

    /** Deliveries each message of publisher {@code i} makes, for every {@code i}. */
    public int[] fanOut() {
        if (layout.oneReceiverPerMessage()) {
            int[] result = new int[publishers];
            Arrays.fill(result, subscribers > 0 ? 1 : 0);
            return result;
        }
        return Arrays.stream(receivers()).mapToInt(r -> r.length).toArray();
    }

    /**
     * MQTT topic filter matching (§4.7) for the filters layouts make: literal levels, {@code +} and a
     * trailing {@code #}, which also matches its parent level.
     */
    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
