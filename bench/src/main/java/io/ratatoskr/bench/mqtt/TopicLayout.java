package io.ratatoskr.bench.mqtt;

import java.util.List;

/**
 * How publishers map onto topics and subscribers onto topic filters, so that every message reaches a number
 * of subscribers known in advance — which is what lets the generator count losses and duplicates exactly.
 *
 * <p>Topic names are {@code <prefix>/<n>}, with a prefix unique to the run. Fan-in onto one subscriber is
 * {@code Spread(1)} (every publisher on one topic) or {@code Wildcard} with one subscriber; new shapes are new
 * records here; {@link Scenario} works out who receives what by matching the filters against the topics,
 * whatever the shape.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface TopicLayout {

    /** The topic publisher {@code publisher} (0-based, of {@code publishers}) publishes to. */
    String topicOf(String prefix, int publisher, int publishers);

    /** The filters subscriber {@code subscriber} (0-based) subscribes to when there are {@code publishers}. */
    List<String> filtersOf(String prefix, int subscriber, int publishers);

    /** The form {@link #parse} reads back. */
    String describe();

    /**
     * Whether each message goes to just one of the subscribers whose filters take it (a consumer group),
     * instead of to every one of them.
     */
    default boolean oneReceiverPerMessage() {
        return false;
    }

    /** Whether the layout reads a Ratatoskr durable topic, which the run must name or create. */
    default boolean needsDurableTopic() {
        return false;
    }

    /**
     * {@code topics} topics; publisher {@code i} publishes to topic {@code i mod topics} and subscriber
     * {@code j} subscribes to topic {@code j mod topics}. With as many topics as publishers and as many
     * subscribers, each publisher has its own subscriber; with one topic, every subscriber gets every
     * message (fan-out) and every publisher shares it (fan-in).
     *
     * @param topics the number of topics, or 0 for one per publisher
     */
    record Spread(int topics) implements TopicLayout {
        public Spread {
            if (topics < 0) {
                throw new IllegalArgumentException("topics must not be negative, got " + topics);
            }
        }

        private int count(int publishers) {
            return topics == 0 ? publishers : topics;
        }

        @Override
        public String topicOf(String prefix, int publisher, int publishers) {
            return prefix + "/" + publisher % count(publishers);
        }

        @Override
        public List<String> filtersOf(String prefix, int subscriber, int publishers) {
            return List.of(prefix + "/" + subscriber % count(publishers));
        }

        @Override
        public String describe() {
            return topics == 0 ? "per-publisher" : Integer.toString(topics);
        }
    }

    /** Each publisher its own topic; every subscriber subscribes to {@code <prefix>/#} and gets everything. */
    record Wildcard() implements TopicLayout {
        @Override
        public String topicOf(String prefix, int publisher, int publishers) {
            return prefix + "/" + publisher;
        }

        @Override
        public List<String> filtersOf(String prefix, int subscriber, int publishers) {
            return List.of(prefix + "/#");
        }

        @Override
        public String describe() {
            return "wildcard";
        }
    }

    /**
     * A consumer group on a durable topic: the prefix is the durable topic's name, publisher {@code i}
     * publishes to {@code <prefix>/<i>} (which the topic captures), and every subscriber is a member that
     * subscribes to {@code $queue/<group>/<prefix>}. Each message goes to one member, which acknowledges it
     * with its PUBACK.
     */
    record Queue(String group) implements GroupLayout {
        public Queue {
            checkGroupName(group, "a consumer group");
        }

        @Override
        public List<String> filtersOf(String prefix, int subscriber, int publishers) {
            return List.of("$queue/" + group + "/" + prefix);
        }

        @Override
        public String describe() {
            return "queue:" + group;
        }

        @Override
        public boolean needsDurableTopic() {
            return true;
        }
    }

    /**
     * A shared subscription (MQTT 5 §4.8.2, also accepted from 3.1.1 clients by Ratatoskr, Mosquitto and HiveMQ):
     * publisher {@code i} publishes to {@code <prefix>/<i>} and every subscriber subscribes to
     * {@code $share/<group>/<prefix>/+}, so each message goes to exactly one of them. Receivers keep a set of
     * sequence numbers each, merged after the run: a message two members had is a duplicate, one nobody had is
     * lost.
     */
    record Shared(String group) implements GroupLayout {
        public Shared {
            checkGroupName(group, "a shared subscription group");
        }

        @Override
        public List<String> filtersOf(String prefix, int subscriber, int publishers) {
            return List.of("$share/" + group + "/" + prefix + "/+");
        }

        @Override
        public String describe() {
            return "shared:" + group;
        }
    }

    /**
     * A layout whose subscribers share the messages, each going to one of them: publisher {@code i} publishes to
     * {@code <prefix>/<i>}.
     */
    sealed interface GroupLayout extends TopicLayout permits Queue, Shared {
        String group();

        @Override
        default String topicOf(String prefix, int publisher, int publishers) {
            return prefix + "/" + publisher;
        }

        @Override
        default boolean oneReceiverPerMessage() {
            return true;
        }
    }

    private static void checkGroupName(String group, String what) {
        if (group == null || group.isEmpty() || group.contains("/") || group.contains("+") || group.contains("#")) {
            throw new IllegalArgumentException(what + " name must be a non-empty topic level without wildcards, got '"
                    + group + "'");
        }
    }

    /**
     * Reads {@code per-publisher}, {@code wildcard}, {@code queue:<group>}, {@code shared:<group>} or a number of
     * topics.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    static TopicLayout parse(String text) {
        String t = text.trim();
        if (t.equals("per-publisher")) {
            return new Spread(0);
        }
        if (t.equals("wildcard")) {
            return new Wildcard();
        }
        if (t.startsWith("queue:")) {
            return new Queue(t.substring("queue:".length()));
        }
        if (t.startsWith("shared:")) {
            return new Shared(t.substring("shared:".length()));
        }
        int n;
        try {
            n = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--topics takes per-publisher, wildcard, queue:<group>, shared:<group>"
                    + " or a number of topics, not '" + text + "'", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException("--topics must be at least 1, got " + n);
        }
        return new Spread(n);
    }
}
