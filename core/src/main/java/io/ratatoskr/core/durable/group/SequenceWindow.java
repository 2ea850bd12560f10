package io.ratatoskr.core.durable.group;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Values under increasing {@code long} keys that come in in key order and leave in any order: what a
 * {@code TreeMap<Long, T>} or an insertion-ordered {@code LinkedHashMap<Long, T>} would hold, for the
 * way a consumer group uses them — a partition's pending messages by offset (the first key is the
 * committed offset) and the deliveries in flight by delivery id (the oldest first).
 *
 * <p>It is a ring of slots in key order, the keys in a parallel array. A value that leaves empties
 * its slot (found by its key), and empty slots at the front are dropped at once. An empty slot
 * behind a value that stays (a message waiting for a retry while later ones are acknowledged) is
 * kept until the ring holds more empty slots than values, then the ring is compacted: the slots stay
 * within about twice the values, and each operation costs amortized constant time apart from the
 * search, which is a lookup by distance from the first key while keys have no gaps, else binary.
 * Adding, taking the first and removing allocate nothing and box nothing once the ring has
 * grown to its working size; a ring that empties from the front shrinks back (at an eighth full).
 *
 * <p>Thread-safety: none; each window is confined to its group's thread.
 */
final class SequenceWindow<T> {
    private static final int MIN_CAPACITY = 16;

    private long[] keys = new long[MIN_CAPACITY];
    private Object[] values = new Object[MIN_CAPACITY];
    /** Index of the first slot; slots {@code [head, head + slots)} (modulo the capacity) are in use. */
    private int head;
    private int slots;
    /** Values held: the slots that are not empty. */
    private int size;
    /** The last key added since the window was last empty; {@link Long#MIN_VALUE}: none. */
    private long lastKey = Long.MIN_VALUE;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The first key; only when not empty. */
    long firstKey() {
        requireNotEmpty();
        return keys[head]; // the front slot is never empty
    }

    /** The value under the first key; only when not empty. */
    @SuppressWarnings("unchecked")
    T first() {
        requireNotEmpty();
        return (T) values[head];
    }

    /** Adds {@code value} under {@code key}, which must be above every key added since the window was last empty. */
    void add(long key, T value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (key <= lastKey) {
            throw new IllegalArgumentException("key " + key + " is not above the last one added, " + lastKey);
        }
        if (slots == keys.length) {
            resize(keys.length * 2);
        }
        int i = index(slots);
        keys[i] = key;
        values[i] = value;
        slots++;
        size++;
        lastKey = key;
    }

    /** The value under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    T get(long key) {
        int slot = find(key);
        return slot < 0 ? null : (T) values[index(slot)];
    }

    /** Removes the value under {@code key}; returns it, or null if there is none. */
    @SuppressWarnings("unchecked")
    T remove(long key) {
        int slot = find(key);
        if (slot < 0) {
            return null;
        }
        int i = index(slot);
        T value = (T) values[i];
        if (value == null) {
            return null;
        }
        values[i] = null;
        size--;
        if (size == 0) {
            lastKey = Long.MIN_VALUE; // an empty window starts over (a seek back)
        }
        if (slot == 0) {
            dropEmptyFront();
            if (keys.length > MIN_CAPACITY && slots <= keys.length / 8) {
                compact(); // gives back what a burst grew the ring to
            }
        } else if (slots - size > size + MIN_CAPACITY) {
            compact();
        }
        return value;
    }

    /** The values held, in key order (a copy). */
    @SuppressWarnings("unchecked")
    List<T> values() {
        List<T> out = new ArrayList<>(size);
        for (int s = 0; s < slots; s++) {
            Object v = values[index(s)];
            if (v != null) {
                out.add((T) v);
            }
        }
        return out;
    }

    void clear() {
        Arrays.fill(values, null);
        head = 0;
        slots = 0;
        size = 0;
        lastKey = Long.MIN_VALUE;
    }

    /** Slots allocated, for tests: about twice the values held at most, whatever came and went. */
    int capacity() {
        return keys.length;
    }

    private void requireNotEmpty() {
        if (size == 0) {
            throw new IllegalStateException("the window is empty");
        }
    }

    /** The slot (0: the front) holding {@code key}, or -1. */
    private int find(long key) {
        if (slots == 0) {
            return -1;
        }
        // Keys without gaps (a partition's offsets, a group's delivery ids) are found by their distance.
        long distance = key - keys[head];
        if (distance >= 0 && distance < slots && keys[index((int) distance)] == key) {
            return (int) distance;
        }
        int lo = 0;
        int hi = slots - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = keys[index(mid)];
            if (k < key) {
                lo = mid + 1;
            } else if (k > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private int index(int slot) {
        return (head + slot) & (keys.length - 1); // the capacity is a power of two
    }

    private void dropEmptyFront() {
        while (slots > 0 && values[head] == null) {
            head = (head + 1) & (keys.length - 1);
            slots--;
        }
        if (slots == 0) {
            head = 0;
        }
    }

    /** Drops every empty slot, keeping the order, into a ring sized to what is left. */
    private void compact() {
        int capacity = keys.length;
        while (capacity > MIN_CAPACITY && capacity / 4 >= size) {
            capacity /= 2;
        }
        long[] k = new long[capacity];
        Object[] v = new Object[capacity];
        int n = 0;
        for (int s = 0; s < slots; s++) {
            int i = index(s);
            if (values[i] != null) {
                k[n] = keys[i];
                v[n++] = values[i];
            }
        }
        keys = k;
        values = v;
        head = 0;
        slots = n;
    }

    private void resize(int capacity) {
        long[] k = new long[capacity];
        Object[] v = new Object[capacity];
        for (int s = 0; s < slots; s++) {
            int i = index(s);
            k[s] = keys[i];
            v[s] = values[i];
        }
        keys = k;
        values = v;
        head = 0;
    }
}
