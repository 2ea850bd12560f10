package io.ratatoskr.core.durable;

import java.util.List;
import java.util.Optional;

/**
 * Finds durable topics by name: what consumer groups and cursor consumers need of the topic
 * registry. Implemented by the registry ({@code DurableTopics}).
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
public interface TopicDirectory {

    /** The durable topic named {@code name}, if it exists. */
    Optional<DurableTopic> find(String name);

    /**
     * The durable topic named {@code name}, created with {@code config} if it does not exist (the
     * dead-letter topic of a group is made this way).
     */
    DurableTopic createIfAbsent(String name, TopicConfig config);

    /** The durable topic as consumers see it. Thread-safe. */
    interface DurableTopic {
        String name();

        TopicConfig config();

        /** The partitions, by number. Grows when partitions are added, never shrinks. */
        List<Partition> partitions();

        /** Whether the topic was deleted: its consumers stop. */
        boolean isDeleted();
    }
}
