package io.ratatoskr.core.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The subscriptions of all subscribers, as a trie of topic-filter levels, matched against topic
 * names (MQTT 5.0 §4.7, shared subscriptions §4.8.2).
 *
 * <p>Thread-safety: {@link #match} runs lock-free from any thread over concurrent maps; changes
 * ({@link #subscribe}, {@link #unsubscribe}) take one write lock, so that pruning empty nodes can
 * never race with a concurrent subscribe into the same node. A match concurrent with a change
 * sees the subscription either before or after it.
 *
 * @param <K> the subscriber key; compared by identity
 */
public final class SubscriptionTable<K> {
    private final Node<K> root = new Node<>(null, "");
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
        ParsedFilter pf = ParsedFilter.of(filter);
        writeLock.lock();
        try {
            Node<K> node = root;
            for (String level : pf.levels) {
                node = node.childForWrite(level);
            }
            boolean existed;
            if (pf.shareName == null) {
                existed = node.subscribersForWrite().put(key, options) != null;
            } else {
                SharedGroup<K> group = node.sharedForWrite()
                        .computeIfAbsent(pf.shareName, n -> new SharedGroup<>(n, pf.plain));
                existed = group.put(key, options);
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
        ParsedFilter pf = ParsedFilter.of(filter);
        writeLock.lock();
        try {
            Node<K> node = root;
            for (String level : pf.levels) {
                Map<String, Node<K>> children = node.children;
                node = children == null ? null : children.get(level);
                if (node == null) {
                    return false;
                }
            }
            boolean removed;
            if (pf.shareName == null) {
                removed = node.subscribers != null && node.subscribers.remove(key) != null;
            } else {
                SharedGroup<K> group = node.shared == null ? null : node.shared.get(pf.shareName);
                removed = group != null && group.remove(key);
                if (group != null && group.size() == 0) {
                    node.shared.remove(pf.shareName);
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

    private void prune(Node<K> node) {
        while (node.parent != null && node.isEmpty()) {
            node.parent.children.remove(node.level, node);
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

    /** Visits every subscription matching {@code topic}, a valid topic name. */
    public void match(String topic, Visitor<K> visitor) {
        matchLevel(root, topic, 0, visitor);
    }

    private void matchLevel(Node<K> node, String topic, int start, Visitor<K> visitor) {
        Map<String, Node<K>> children = node.children;
        if (children == null) {
            return;
        }
        // [MQTT-4.7.2-1]: wildcards at the first level do not match names starting with '$'.
        boolean wildcardsApply = start != 0 || topic.isEmpty() || topic.charAt(0) != '$';
        int end = topic.indexOf('/', start);
        if (end < 0) {
            end = topic.length();
        }
        if (wildcardsApply) {
            Node<K> multi = children.get("#");
            if (multi != null) {
                visitNode(multi, visitor);
            }
            Node<K> single = children.get("+");
            if (single != null) {
                matchRest(single, topic, end, visitor);
            }
        }
        Node<K> exact = children.get(topic.substring(start, end));
        if (exact != null) {
            matchRest(exact, topic, end, visitor);
        }
    }

    private void matchRest(Node<K> node, String topic, int levelEnd, Visitor<K> visitor) {
        if (levelEnd == topic.length()) {
            visitNode(node, visitor);
            // "sport/#" matches "sport" too [MQTT-4.7.1-1].
            Map<String, Node<K>> children = node.children;
            Node<K> multi = children == null ? null : children.get("#");
            if (multi != null) {
                visitNode(multi, visitor);
            }
        } else {
            matchLevel(node, topic, levelEnd + 1, visitor);
        }
    }

    private void visitNode(Node<K> node, Visitor<K> visitor) {
        Map<K, SubscriptionOptions> subs = node.subscribers;
        if (subs != null && !subs.isEmpty()) {
            for (Map.Entry<K, SubscriptionOptions> e : subs.entrySet()) {
                visitor.subscription(e.getKey(), node.filter, e.getValue());
            }
        }
        Map<String, SharedGroup<K>> shared = node.shared;
        if (shared != null && !shared.isEmpty()) {
            for (SharedGroup<K> group : shared.values()) {
                visitor.sharedGroup(group);
            }
        }
    }

    /** The filter as it was parsed: levels, and the share name for {@code $share/...}. */
    private record ParsedFilter(String shareName, String plain, List<String> levels) {
        static ParsedFilter of(String filter) {
            String shareName = null;
            String plain = filter;
            if (Topics.isShared(filter)) {
                int slash = filter.indexOf('/', Topics.SHARED_PREFIX.length());
                shareName = filter.substring(Topics.SHARED_PREFIX.length(), slash);
                plain = filter.substring(slash + 1);
            }
            List<String> levels = new ArrayList<>();
            int start = 0;
            while (true) {
                int end = plain.indexOf('/', start);
                if (end < 0) {
                    levels.add(plain.substring(start));
                    break;
                }
                levels.add(plain.substring(start, end));
                start = end + 1;
            }
            return new ParsedFilter(shareName, plain, levels);
        }
    }

    private static final class Node<K> {
        final Node<K> parent;
        final String level;
        /** The filter this node stands for: the path of levels from the root. */
        final String filter;
        volatile ConcurrentHashMap<String, Node<K>> children;
        volatile ConcurrentHashMap<K, SubscriptionOptions> subscribers;
        volatile ConcurrentHashMap<String, SharedGroup<K>> shared;

        Node(Node<K> parent, String level) {
            this.parent = parent;
            this.level = level;
            this.filter = parent == null ? "" : parent.parent == null ? level : parent.filter + "/" + level;
        }

        Node<K> childForWrite(String level) {
            ConcurrentHashMap<String, Node<K>> c = children;
            if (c == null) {
                c = new ConcurrentHashMap<>(4);
                children = c;
            }
            return c.computeIfAbsent(level, l -> new Node<>(this, l));
        }

        Map<K, SubscriptionOptions> subscribersForWrite() {
            ConcurrentHashMap<K, SubscriptionOptions> s = subscribers;
            if (s == null) {
                s = new ConcurrentHashMap<>(4);
                subscribers = s;
            }
            return s;
        }

        Map<String, SharedGroup<K>> sharedForWrite() {
            ConcurrentHashMap<String, SharedGroup<K>> s = shared;
            if (s == null) {
                s = new ConcurrentHashMap<>(2);
                shared = s;
            }
            return s;
        }

        boolean isEmpty() {
            return (children == null || children.isEmpty())
                    && (subscribers == null || subscribers.isEmpty())
                    && (shared == null || shared.isEmpty());
        }
    }
}
