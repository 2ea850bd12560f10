package io.ratatoskr.mqtt.codec;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * {@link MqttProperties#userProperties()}: the user properties as {@link UserProperty} values, read from the
 * flat array of names and values without copying it. Immutable (the array is never written after the
 * properties object is built), so thread-safe; each {@link #get} makes a new record.
 */
final class UserPropertyList extends AbstractList<UserProperty> implements RandomAccess {
    private final String[] pairs;

    UserPropertyList(String[] pairs) {
        this.pairs = pairs;
    }

    @Override
    public UserProperty get(int index) {
        Objects.checkIndex(index, pairs.length / 2);
        return new UserProperty(pairs[2 * index], pairs[2 * index + 1]);
    }

    @Override
    public int size() {
        return pairs.length / 2;
    }
}
