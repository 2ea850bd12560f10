package io.ratatoskr.core.topic;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The literal-level children of one {@link TrieNode}: an open-addressing hash table (linear probing)
 * of nodes keyed by their level, looked up by a char range of a topic name so that matching creates
 * no {@code String}. The hash is {@link String#hashCode()}'s, computed over the range.
 *
 * <p>Thread-safety: one writer at a time (the owning {@link SubscriptionTable}'s write lock), any
 * number of lock-free readers. A slot goes from empty to a node, and from a node to {@link #REMOVED}
 * (never back to empty), with release stores read by acquire loads, so a probe chain a reader follows
 * never breaks; growing or cleaning out removed slots builds a new array and publishes it through the
 * volatile {@link #slots}. A reader sees each insertion or removal either before or after it.
 *
 * @param <K> the subscriber key of the trie
 */
final class ChildTable<K> {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(TrieNode[].class);
    /** Marks a slot whose node was removed; probes continue past it. */
    private static final TrieNode<?> REMOVED = new TrieNode<>(null, "");
    private static final int MIN_CAPACITY = 4;

    private volatile TrieNode<K>[] slots = newArray(MIN_CAPACITY);
    /** Live nodes; written under the write lock. */
    private int size;
    /** Slots not empty (live or removed); kept at most half the capacity so a probe always ends. */
    private int used;

    /** The child whose level is {@code name.substring(start, end)}, or null. Lock-free, allocation-free. */
    TrieNode<K> get(String name, int start, int end) {
        int h = hash(name, start, end);
        TrieNode<K>[] t = slots;
        int mask = t.length - 1;
        for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
            @SuppressWarnings("unchecked")
            TrieNode<K> n = (TrieNode<K>) SLOT.getAcquire(t, i);
            if (n == null) {
                return null;
            }
            if (n != REMOVED && n.levelHash == h && n.levelEquals(name, start, end)) {
                return n;
            }
        }
    }

    /** Adds a node whose level is not in the table yet. Under the write lock. */
    void add(TrieNode<K> node) {
        if ((used + 1) * 2 > slots.length) {
            rehash(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size + 1)) * 4));
        }
        TrieNode<K>[] t = slots;
        int mask = t.length - 1;
        for (int i = spread(node.levelHash) & mask; ; i = (i + 1) & mask) {
            Object n = SLOT.getAcquire(t, i);
            if (n == null || n == REMOVED) {
                SLOT.setRelease(t, i, node);
                if (n == null) {
                    used++;
                }
                size++;
                return;
            }
        }
    }

    /** Removes {@code node}, which must be in the table. Under the write lock. */
    void remove(TrieNode<K> node) {
        TrieNode<K>[] t = slots;
        int mask = t.length - 1;
        for (int i = spread(node.levelHash) & mask; ; i = (i + 1) & mask) {
            Object n = SLOT.getAcquire(t, i);
            if (n == null) {
                throw new IllegalStateException("node " + node.filter + " is not in its parent's table");
            }
            if (n == node) {
                SLOT.setRelease(t, i, REMOVED);
                size--;
                break;
            }
        }
        if (size * 8 < t.length && t.length > MIN_CAPACITY) {
            rehash(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size)) * 4));
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    private void rehash(int capacity) {
        TrieNode<K>[] old = slots;
        TrieNode<K>[] t = newArray(capacity);
        int mask = capacity - 1;
        for (TrieNode<K> n : old) {
            if (n != null && n != REMOVED) {
                int i = spread(n.levelHash) & mask;
                while (t[i] != null) {
                    i = (i + 1) & mask;
                }
                t[i] = n;
            }
        }
        used = size;
        slots = t;
    }

    /** {@link String#hashCode()} of {@code s.substring(start, end)}. */
    static int hash(String s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    @SuppressWarnings("unchecked")
    private static <K> TrieNode<K>[] newArray(int capacity) {
        return (TrieNode<K>[]) new TrieNode<?>[capacity];
    }
}
