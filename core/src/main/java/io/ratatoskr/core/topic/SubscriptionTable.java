package io.ratatoskr.core.topic;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The subscriptions of all subscribers, as a trie of topic-filter levels, matched against topic
 * names (MQTT 5.0 §4.7, shared subscriptions §4.8.2).
 *
 * <p>Matching allocates nothing: it walks the topic name's levels by index, finds a literal child by
 * the level's char range ({@link ChildTable}), keeps the wildcard children in fields of their own, and
 * walks the subscriptions of a node by index ({@link SubscriberList}); the results go to the caller's
 * {@link Visitor}, which a caller reuses.
 *
 * <p>Thread-safety: {@link #match} runs lock-free from any thread; changes ({@link #subscribe},
 * {@link #unsubscribe}) take one write lock, so that pruning empty nodes can never race with a
 * concurrent subscribe into the same node, and publish what they change with release stores (see
 * {@link TrieNode}). A match concurrent with a change sees the subscription either before or after it.
 *
 * @param <K> the subscriber key; compared with {@code equals} for plain subscriptions, by identity in shared groups
 */
public final class SubscriptionTable<K> {
    private final TrieNode<K> root = new TrieNode<>(null, "");
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicInteger count = new AtomicInteger();
    /**
     * Bumped after every change, under the write lock: a match that read version <i>v</i> before it
     * started saw at least every change before <i>v</i>, so a result cached with <i>v</i> stays the
     * table's answer while the version is still <i>v</i>.
     */
    private volatile long version;

    /** Receives the matches of one topic name. */
    public interface Visitor<K> {
        /** A non-shared subscription of {@code key} matched. May be called several times per key. */
        void subscription(K key, String filter, SubscriptionOptions options);

        /** A shared subscription group matched; the caller picks one member. */
        void sharedGroup(SharedGroup<K> group);
    }

    /**
     * Adds a subscription, or replaces the options of the key's existing one on the same filter
     * (§3.8.4: a repeated subscription replaces the earlier one).
     *
     * @param filter a valid filter (see {@link Topics#checkFilter}), possibly {@code $share/...}
     * @return true if a subscription of this key on this filter existed before
     */
    public boolean subscribe(K key, String filter, SubscriptionOptions options) {
        int plainStart = plainStart(filter);
        writeLock.lock();
        try {
            TrieNode<K> node = root;
            for (int start = plainStart; ; ) {
                int end = levelEnd(filter, start);
                node = node.childForWrite(filter, start, end);
                if (end == filter.length()) {
                    break;
                }
                start = end + 1;
            }
            boolean existed;
            if (plainStart == 0) {
                existed = node.subscribersForWrite().put(key, options);
            } else {
                existed = node.sharedGroupForWrite(shareName(filter, plainStart)).put(key, options);
            }
            if (!existed) {
                count.incrementAndGet();
            }
            version++;
            return existed;
        } finally {
            writeLock.unlock();
        }
    }

    /** Removes a subscription. @return true if it existed */
    public boolean unsubscribe(K key, String filter) {
        int plainStart = plainStart(filter);
        writeLock.lock();
        try {
            TrieNode<K> node = root;
            for (int start = plainStart; ; ) {
                int end = levelEnd(filter, start);
                node = node.child(filter, start, end);
                if (node == null) {
                    return false;
                }
                if (end == filter.length()) {
                    break;
                }
                start = end + 1;
            }
            boolean removed;
            if (plainStart == 0) {
                SubscriberList<K> subs = node.subscribers;
                removed = subs != null && subs.remove(key);
                if (removed && subs.isEmpty()) {
                    node.subscribers = null;
                }
            } else {
                SharedGroup<K> group = node.sharedGroup(shareName(filter, plainStart));
                removed = group != null && group.remove(key);
                if (group != null && group.size() == 0) {
                    node.removeSharedGroup(group);
                }
            }
            if (removed) {
                count.decrementAndGet();
                prune(node);
                version++;
            }
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    private void prune(TrieNode<K> node) {
        while (node.parent != null && node.isEmpty()) {
            node.parent.removeChild(node);
            node = node.parent;
        }
    }

    /** The version of the table's content: it changes whenever a subscription is added, replaced or removed. */
    public long version() {
        return version;
    }

    /** The number of subscriptions, shared memberships included. */
    public int size() {
        return count.get();
    }

    /**
     * Visits every subscription matching {@code topic}, a valid topic name. Allocates nothing beyond what
     * the visitor does. A subscriber with several matching subscriptions is visited once for each
     * (MQTT 5.0 §3.3.4: the caller merges them into one delivery).
     */
    public void match(String topic, Visitor<K> visitor) {
        matchLevel(root, topic, 0, visitor);
    }

    private void matchLevel(TrieNode<K> node, String topic, int start, Visitor<K> visitor) {
        int end = levelEnd(topic, start);
        // [MQTT-4.7.2-1]: wildcards at the first level do not match names starting with '$'.
        if (start != 0 || topic.isEmpty() || topic.charAt(0) != '$') {
            TrieNode<K> multi = node.multi;
            if (multi != null) {
                multi.visit(visitor);
            }
            TrieNode<K> single = node.single;
            if (single != null) {
                matchRest(single, topic, end, visitor);
            }
        }
        ChildTable<K> children = node.children;
        TrieNode<K> exact = children == null ? null : children.get(topic, start, end);
        if (exact != null) {
            matchRest(exact, topic, end, visitor);
        }
    }

    private void matchRest(TrieNode<K> node, String topic, int levelEnd, Visitor<K> visitor) {
        if (levelEnd == topic.length()) {
            node.visit(visitor);
            // "sport/#" matches "sport" too [MQTT-4.7.1-1].
            TrieNode<K> multi = node.multi;
            if (multi != null) {
                multi.visit(visitor);
            }
        } else {
            matchLevel(node, topic, levelEnd + 1, visitor);
        }
    }

    /** Where the plain filter starts: after {@code $share/<shareName>/}, else 0. */
    private static int plainStart(String filter) {
        return Topics.isShared(filter) ? filter.indexOf('/', Topics.SHARED_PREFIX.length()) + 1 : 0;
    }

    private static String shareName(String filter, int plainStart) {
        return filter.substring(Topics.SHARED_PREFIX.length(), plainStart - 1);
    }

    private static int levelEnd(String s, int from) {
        int i = s.indexOf('/', from);
        return i < 0 ? s.length() : i;
    }
}
