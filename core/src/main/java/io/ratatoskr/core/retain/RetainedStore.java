package io.ratatoskr.core.retain;

import io.ratatoskr.core.message.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The last retained message per topic name (MQTT 5.0 §3.3.1.3), as a trie of topic levels so that
 * a wildcard subscription finds its retained messages without scanning every topic.
 *
 * <p>With a {@link RetainedJournal} attached, every change is also written there, under the same
 * lock, so the journal's order of changes to a topic is the store's.
 *
 * <p>Thread-safety: lookups are lock-free over concurrent maps; changes take one write lock so
 * that pruning empty nodes cannot race with an insert below them.
 */
public final class RetainedStore {
    private final Node root = new Node(null, "");
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong payloadBytes = new AtomicLong();
    /** Room reserved by publishes admitted but not yet stored ({@link #reserve}); guarded by the write lock. */
    private int reservedMessages;
    private long reservedBytes;
    private volatile RetainedJournal journal;

    /**
     * Writes every change to {@code journal} from now on (called by the wiring once the store has
     * been loaded from it, before clients connect).
     */
    public void journalTo(RetainedJournal journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
    }

    /**
     * Stores, replaces or clears the retained message of the message's topic: a zero-byte payload
     * clears it [MQTT-3.3.1-6], and is itself never stored [MQTT-3.3.1-7].
     *
     * @return the journal write the publisher's acknowledgement waits for, or null without a journal
     */
    public CompletableFuture<?> retain(Message message) {
        return retain(message, null);
    }

    /**
     * As {@link #retain(Message)}, using up {@code room} (from {@link #reserve}; null: none was taken):
     * the reserved room is given back as the change itself is counted, under the same lock.
     */
    public CompletableFuture<?> retain(Message message, Reservation room) {
        if (message.payload().length == 0) {
            release(room);
            return clear(message.topic());
        }
        Message stored = message.withRetain(true);
        writeLock.lock();
        try {
            releaseLocked(room);
            RetainedJournal j = journal;
            CompletableFuture<?> write = j == null ? null : j.stored(stored);
            Node node = root;
            for (String level : levels(message.topic())) {
                node = node.childForWrite(level);
            }
            Message old = node.message;
            node.message = stored;
            if (old == null) {
                count.incrementAndGet();
            } else {
                payloadBytes.addAndGet(-old.payload().length);
            }
            payloadBytes.addAndGet(stored.payload().length);
            return write;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Room set aside for one retained message between the publish's admission and its store
     * ({@link #reserve}): a message slot if its topic had none, and the payload bytes it grows the
     * store by. Handed back by {@link #retain(Message, Reservation)} or {@link #release}.
     */
    public record Reservation(boolean slot, long bytes) {
    }

    /**
     * Whether retaining {@code message} keeps the store within {@code maxMessages} and {@code maxBytes}
     * of payload (0: unlimited), counting the room other publishes have reserved: a replacement never
     * adds a message, a clear always fits. Takes nothing.
     *
     * @return null if it fits, else which limit it would exceed
     */
    public String checkRoom(Message message, int maxMessages, long maxBytes) {
        writeLock.lock();
        try {
            return roomLocked(message, maxMessages, maxBytes, false) instanceof String full ? full : null;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Reserves the room retaining {@code message} needs, if it fits within {@code maxMessages} and
     * {@code maxBytes} (0: unlimited) together with every reservation not yet used: so concurrent
     * publishers cannot overshoot the limits (checked and reserved under the write lock). The one case
     * left: a topic whose retained message is cleared between this check and the store needs a slot it
     * did not reserve.
     *
     * @return the reservation, or which limit the message would exceed (a String)
     */
    public Object reserve(Message message, int maxMessages, long maxBytes) {
        writeLock.lock();
        try {
            return roomLocked(message, maxMessages, maxBytes, true);
        } finally {
            writeLock.unlock();
        }
    }

    private Object roomLocked(Message message, int maxMessages, long maxBytes, boolean take) {
        int bytes = message.payload().length;
        if (bytes == 0) {
            return new Reservation(false, 0);
        }
        Message old = get(message.topic());
        boolean slot = old == null;
        if (slot && maxMessages > 0 && count.get() + reservedMessages >= maxMessages) {
            return maxMessages + " messages";
        }
        long growth = Math.max(0, bytes - (old == null ? 0 : old.payload().length));
        if (maxBytes > 0 && growth > 0 && payloadBytes.get() + reservedBytes + growth > maxBytes) {
            return maxBytes + " bytes of payload";
        }
        if (take) {
            reservedMessages += slot ? 1 : 0;
            reservedBytes += growth;
        }
        return new Reservation(slot, growth);
    }

    /** Gives back room {@link #reserve} took for a publish that will not be retained after all (null: none). */
    public void release(Reservation room) {
        if (room == null) {
            return;
        }
        writeLock.lock();
        try {
            releaseLocked(room);
        } finally {
            writeLock.unlock();
        }
    }

    private void releaseLocked(Reservation room) {
        if (room != null) {
            reservedMessages -= room.slot() ? 1 : 0;
            reservedBytes -= room.bytes();
        }
    }

    /**
     * Clears the retained message of a topic, if any.
     *
     * @return the journal write, or null without a journal or when there was nothing to clear
     */
    private CompletableFuture<?> clear(String topic) {
        writeLock.lock();
        try {
            RetainedJournal j = journal;
            return removeLocked(topic) && j != null ? j.cleared(topic) : null;
        } finally {
            writeLock.unlock();
        }
    }

    /** Clears the retained message of a topic, if any. @return true if there was one */
    public boolean remove(String topic) {
        writeLock.lock();
        try {
            boolean removed = removeLocked(topic);
            RetainedJournal j = journal;
            if (removed && j != null) {
                j.cleared(topic);
            }
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    private boolean removeLocked(String topic) {
        Node node = find(topic);
        if (node == null || node.message == null) {
            return false;
        }
        payloadBytes.addAndGet(-node.message.payload().length);
        node.message = null;
        count.decrementAndGet();
        while (node.parent != null && node.isEmpty()) {
            node.parent.children.remove(node.level, node);
            node = node.parent;
        }
        return true;
    }

    /** The retained message of a topic name, or null. */
    public Message get(String topic) {
        Node node = find(topic);
        return node == null ? null : node.message;
    }

    public int size() {
        return count.get();
    }

    public long payloadBytes() {
        return payloadBytes.get();
    }

    /**
     * Visits the retained messages whose topic matches {@code filter} (a valid, non-shared filter),
     * skipping and removing those whose expiry interval has passed at {@code nowMillis}.
     */
    public void match(String filter, long nowMillis, Consumer<Message> consumer) {
        List<Message> expired = new ArrayList<>(0);
        String[] levels = levels(filter);
        matchLevel(root, levels, 0, message -> {
            if (message.isExpired(nowMillis)) {
                expired.add(message);
            } else {
                consumer.accept(message);
            }
        });
        for (Message m : expired) {
            removeIfSame(m);
        }
    }

    private void removeIfSame(Message m) {
        writeLock.lock();
        try {
            Node node = find(m.topic());
            if (node != null && node.message == m) {
                remove(m.topic());
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void matchLevel(Node node, String[] levels, int i, Consumer<Message> out) {
        if (i == levels.length) {
            Message m = node.message;
            if (m != null) {
                out.accept(m);
            }
            return;
        }
        String level = levels[i];
        Map<String, Node> children = node.children;
        if (level.equals("#")) {
            // "a/#" matches "a" itself as well [MQTT-4.7.1-1].
            if (i > 0 && node.message != null) {
                out.accept(node.message);
            }
            if (children != null) {
                for (Node child : children.values()) {
                    if (i == 0 && child.level.startsWith("$")) {
                        continue; // [MQTT-4.7.2-1]
                    }
                    visitAll(child, out);
                }
            }
            return;
        }
        if (children == null) {
            return;
        }
        if (level.equals("+")) {
            for (Node child : children.values()) {
                if (i == 0 && child.level.startsWith("$")) {
                    continue; // [MQTT-4.7.2-1]
                }
                matchLevel(child, levels, i + 1, out);
            }
        } else {
            Node child = children.get(level);
            if (child != null) {
                matchLevel(child, levels, i + 1, out);
            }
        }
    }

    private void visitAll(Node node, Consumer<Message> out) {
        Message m = node.message;
        if (m != null) {
            out.accept(m);
        }
        Map<String, Node> children = node.children;
        if (children != null) {
            for (Node child : children.values()) {
                visitAll(child, out);
            }
        }
    }

    private Node find(String topic) {
        Node node = root;
        for (String level : levels(topic)) {
            Map<String, Node> children = node.children;
            node = children == null ? null : children.get(level);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static String[] levels(String topicOrFilter) {
        return topicOrFilter.split("/", -1);
    }

    private static final class Node {
        final Node parent;
        final String level;
        volatile ConcurrentHashMap<String, Node> children;
        volatile Message message;

        Node(Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }

        Node childForWrite(String level) {
            ConcurrentHashMap<String, Node> c = children;
            if (c == null) {
                c = new ConcurrentHashMap<>(4);
                children = c;
            }
            return c.computeIfAbsent(level, l -> new Node(this, l));
        }

        boolean isEmpty() {
            return message == null && (children == null || children.isEmpty());
        }
    }
}
