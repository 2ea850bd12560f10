package io.ratatoskr.core.topic;

import java.util.Arrays;

/**
 * One level of a {@link SubscriptionTable}'s trie: the filter it stands for, its children (the
 * wildcards {@code +} and {@code #} in fields of their own, literal levels in a {@link ChildTable}),
 * and the subscriptions on its filter, plain and shared.
 *
 * <p>Thread-safety: changed only under the table's write lock; read lock-free by matches through
 * volatile fields and the release/acquire publication of {@link ChildTable} and {@link SubscriberList}.
 * The shared groups are a copy-on-write array (a node rarely has more than a few).
 *
 * @param <K> the subscriber key; compared by identity
 */
final class TrieNode<K> {
    final TrieNode<K> parent;
    final String level;
    /** {@code level.hashCode()}, compared before the characters on lookup. */
    final int levelHash;
    /** The filter this node stands for: the path of levels from the root. */
    final String filter;
    volatile TrieNode<K> single;
    volatile TrieNode<K> multi;
    volatile ChildTable<K> children;
    volatile SubscriberList<K> subscribers;
    volatile SharedGroup<K>[] shared;

    TrieNode(TrieNode<K> parent, String level) {
        this.parent = parent;
        this.level = level;
        this.levelHash = level.hashCode();
        this.filter = parent == null ? "" : parent.parent == null ? level : parent.filter + "/" + level;
    }

    boolean levelEquals(String name, int start, int end) {
        return level.length() == end - start && name.regionMatches(start, level, 0, level.length());
    }

    /** The child for the level {@code filter.substring(start, end)}, or null. */
    TrieNode<K> child(String filter, int start, int end) {
        if (end - start == 1) {
            char c = filter.charAt(start);
            if (c == '+') {
                return single;
            }
            if (c == '#') {
                return multi;
            }
        }
        ChildTable<K> c = children;
        return c == null ? null : c.get(filter, start, end);
    }

    /** The child for the level {@code filter.substring(start, end)}, created if missing. Under the write lock. */
    TrieNode<K> childForWrite(String filter, int start, int end) {
        TrieNode<K> child = child(filter, start, end);
        if (child != null) {
            return child;
        }
        child = new TrieNode<>(this, filter.substring(start, end));
        if (child.level.equals("+")) {
            single = child;
        } else if (child.level.equals("#")) {
            multi = child;
        } else {
            ChildTable<K> c = children;
            if (c == null) {
                c = new ChildTable<>();
                children = c;
            }
            c.add(child);
        }
        return child;
    }

    /** Unlinks {@code child}, an empty child of this node. Under the write lock. */
    void removeChild(TrieNode<K> child) {
        if (child == single) {
            single = null;
        } else if (child == multi) {
            multi = null;
        } else {
            children.remove(child);
            if (children.isEmpty()) {
                children = null;
            }
        }
    }

    SubscriberList<K> subscribersForWrite() {
        SubscriberList<K> s = subscribers;
        if (s == null) {
            s = new SubscriberList<>();
            subscribers = s;
        }
        return s;
    }

    SharedGroup<K> sharedGroup(String shareName) {
        SharedGroup<K>[] groups = shared;
        if (groups != null) {
            for (SharedGroup<K> g : groups) {
                if (g.shareName().equals(shareName)) {
                    return g;
                }
            }
        }
        return null;
    }

    /** The group {@code $share/shareName/<this filter>}, created if missing. Under the write lock. */
    @SuppressWarnings("unchecked")
    SharedGroup<K> sharedGroupForWrite(String shareName) {
        SharedGroup<K> group = sharedGroup(shareName);
        if (group == null) {
            group = new SharedGroup<>(shareName, filter);
            SharedGroup<K>[] groups = shared;
            SharedGroup<K>[] copy = groups == null ? (SharedGroup<K>[]) new SharedGroup<?>[1]
                    : Arrays.copyOf(groups, groups.length + 1);
            copy[copy.length - 1] = group;
            shared = copy;
        }
        return group;
    }

    /** Unlinks {@code group}, which has no members left. Under the write lock. */
    @SuppressWarnings("unchecked")
    void removeSharedGroup(SharedGroup<K> group) {
        SharedGroup<K>[] groups = shared;
        SharedGroup<K>[] copy = (SharedGroup<K>[]) new SharedGroup<?>[groups.length - 1];
        int n = 0;
        for (SharedGroup<K> g : groups) {
            if (g != group) {
                copy[n++] = g;
            }
        }
        shared = copy.length == 0 ? null : copy;
    }

    /** Visits the subscriptions on this node's filter. Lock-free, allocation-free. */
    void visit(SubscriptionTable.Visitor<K> visitor) {
        SubscriberList<K> subs = subscribers;
        if (subs != null) {
            subs.visit(filter, visitor);
        }
        SharedGroup<K>[] groups = shared;
        if (groups != null) {
            for (int i = 0; i < groups.length; i++) {
                visitor.sharedGroup(groups[i]);
            }
        }
    }

    /** Under the write lock. */
    boolean isEmpty() {
        return single == null && multi == null && children == null
                && (subscribers == null || subscribers.isEmpty()) && shared == null;
    }
}
