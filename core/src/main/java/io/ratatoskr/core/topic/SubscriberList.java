package io.ratatoskr.core.topic;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;

/**
 * The non-shared subscriptions on one filter: an array of {@link SharedGroup.Member}s (key and
 * options) that a match walks by index, skipping holes, so visiting allocates nothing.
 *
 * <p>Thread-safety: one writer at a time (the owning {@link SubscriptionTable}'s write lock), any
 * number of lock-free readers. A subscription is added by a release store into a free slot at the end,
 * replaced or removed (slot set to null) in place, and growing or compacting publishes a new array
 * through the volatile {@link #slots}. A reader sees each change either before or after it; a reader
 * that races an unsubscribe and a re-subscribe of the same key may see that key twice, which the
 * caller's per-subscriber merge (MQTT 5.0 §3.3.4) folds into one delivery.
 *
 * @param <K> the subscriber key; compared with {@code equals} (shared groups compare by identity)
 */
final class SubscriberList<K> {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(SharedGroup.Member[].class);
    /** Above this many slots, writes find a key through {@link #index} instead of a scan. */
    private static final int SCAN_LIMIT = 16;

    private volatile SharedGroup.Member<K>[] slots = newArray(2);
    // Writer-only state, under the write lock.
    private int end;
    private int size;
    private HashMap<K, Integer> index;

    /** Visits every subscription. Lock-free, allocation-free. */
    void visit(String filter, SubscriptionTable.Visitor<K> visitor) {
        SharedGroup.Member<K>[] t = slots;
        for (int i = 0; i < t.length; i++) {
            @SuppressWarnings("unchecked")
            SharedGroup.Member<K> m = (SharedGroup.Member<K>) SLOT.getAcquire(t, i);
            if (m != null) {
                visitor.subscription(m.key(), filter, m.options());
            }
        }
    }

    /** Adds or replaces the key's subscription. Under the write lock. @return true if it existed */
    boolean put(K key, SubscriptionOptions options) {
        SharedGroup.Member<K> member = new SharedGroup.Member<>(key, options);
        int at = find(key);
        if (at >= 0) {
            SLOT.setRelease(slots, at, member);
            return true;
        }
        if (end == slots.length) {
            resize(size * 2 >= slots.length ? slots.length * 2 : slots.length);
        }
        SLOT.setRelease(slots, end, member);
        if (index != null) {
            index.put(key, end);
        }
        end++;
        size++;
        return false;
    }

    /** Removes the key's subscription. Under the write lock. @return true if it existed */
    boolean remove(K key) {
        int at = find(key);
        if (at < 0) {
            return false;
        }
        SLOT.setRelease(slots, at, null);
        if (index != null) {
            index.remove(key);
        }
        size--;
        if (size * 4 < slots.length && slots.length > 2) {
            resize(Math.max(2, slots.length / 2));
        }
        return true;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private int find(K key) {
        if (index != null) {
            Integer at = index.get(key);
            return at == null ? -1 : at;
        }
        SharedGroup.Member<K>[] t = slots;
        for (int i = 0; i < end; i++) {
            if (t[i] != null && t[i].key().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** Copies the live subscriptions, in order and without holes, into a new array. */
    private void resize(int capacity) {
        SharedGroup.Member<K>[] old = slots;
        SharedGroup.Member<K>[] t = newArray(capacity);
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (old[i] != null) {
                t[n++] = old[i];
            }
        }
        end = n;
        index = capacity > SCAN_LIMIT ? new HashMap<>(capacity * 2) : null;
        if (index != null) {
            for (int i = 0; i < n; i++) {
                index.put(t[i].key(), i);
            }
        }
        slots = t;
    }

    @SuppressWarnings("unchecked")
    private static <K> SharedGroup.Member<K>[] newArray(int capacity) {
        return (SharedGroup.Member<K>[]) new SharedGroup.Member<?>[capacity];
    }
}
