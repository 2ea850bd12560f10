package io.ratatoskr.core.durable.group;

import java.util.Objects;

/**
 * Names one consumer group: a group name is scoped to its durable topic.
 *
 * <p>Thread-safety: immutable.
 */
public record GroupId(String topic, String group) {
    public GroupId {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
    }

    @Override
    public String toString() {
        return topic + "/" + group;
    }
}
