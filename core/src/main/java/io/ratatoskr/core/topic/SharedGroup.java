package io.ratatoskr.core.topic;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The members of one shared subscription {@code $share/<shareName>/<filter>} (MQTT 5.0 §4.8.2).
 * A message matching the filter goes to one member, chosen round-robin, preferring members the
 * caller considers available (connected, with room).
 *
 * <p>Thread-safe: members are a copy-on-write array replaced under the owning
 * {@link SubscriptionTable}'s write lock and read without locking.
 *
 * @param <K> the subscriber key, e.g. a session
 */
public final class SharedGroup<K> {
    private final String shareName;
    private final String filter;
    private final AtomicInteger next = new AtomicInteger();
    private volatile Member<K>[] members;

    /** One member and its subscription options. */
    public record Member<K>(K key, SubscriptionOptions options) {
    }

    @SuppressWarnings("unchecked")
    SharedGroup(String shareName, String filter) {
        this.shareName = shareName;
        this.filter = filter;
        this.members = (Member<K>[]) new Member<?>[0];
    }

    public String shareName() {
        return shareName;
    }

    /** The topic filter without the {@code $share/<shareName>/} prefix. */
    public String filter() {
        return filter;
    }

    /** The full filter as the client wrote it. */
    public String sharedFilter() {
        return Topics.SHARED_PREFIX + shareName + "/" + filter;
    }

    public int size() {
        return members.length;
    }

    public Member<K>[] members() {
        return members.clone();
    }

    /**
     * The next member round-robin, preferring one that satisfies {@code available}; falls back to
     * any member when none is available; {@code null} when the group is empty.
     */
    public Member<K> pick(Predicate<K> available) {
        return pick(available, null);
    }

    /** As {@link #pick(Predicate)}, never choosing {@code excluded}; {@code null} if no other member. */
    public Member<K> pick(Predicate<K> available, K excluded) {
        Member<K>[] ms = members;
        int n = ms.length;
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        Member<K> fallback = null;
        for (int i = 0; i < n; i++) {
            Member<K> m = ms[(start + i) % n];
            if (m.key() == excluded) {
                continue;
            }
            if (available.test(m.key())) {
                return m;
            }
            if (fallback == null) {
                fallback = m;
            }
        }
        return fallback;
    }

    /** Whether any member other than {@code excluded} satisfies {@code available}. */
    public boolean hasAvailableMember(Predicate<K> available, K excluded) {
        for (Member<K> m : members) {
            if (m.key() != excluded && available.test(m.key())) {
                return true;
            }
        }
        return false;
    }

    // Mutators: called only under the table's write lock.

    boolean put(K key, SubscriptionOptions options) {
        Member<K>[] ms = members;
        for (int i = 0; i < ms.length; i++) {
            if (ms[i].key() == key) {
                Member<K>[] copy = ms.clone();
                copy[i] = new Member<>(key, options);
                members = copy;
                return true;
            }
        }
        Member<K>[] copy = Arrays.copyOf(ms, ms.length + 1);
        copy[ms.length] = new Member<>(key, options);
        members = copy;
        return false;
    }

    boolean remove(K key) {
        Member<K>[] ms = members;
        for (int i = 0; i < ms.length; i++) {
            if (ms[i].key() == key) {
                @SuppressWarnings("unchecked")
                Member<K>[] copy = (Member<K>[]) new Member<?>[ms.length - 1];
                System.arraycopy(ms, 0, copy, 0, i);
                System.arraycopy(ms, i + 1, copy, i, ms.length - i - 1);
                members = copy;
                return true;
            }
        }
        return false;
    }
}
