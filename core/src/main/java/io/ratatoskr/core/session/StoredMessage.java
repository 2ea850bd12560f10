package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Message;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A message written once to the session journal for every persistent session it was routed to:
 * its journal identifier and how many of those sessions still hold it. The session that lets go of
 * it last removes it from the journal.
 *
 * <p>Thread-safety: thread-safe (the count is atomic; the rest is immutable).
 */
public final class StoredMessage {
    private final long id;
    private final Message message;
    private final AtomicInteger holders = new AtomicInteger();

    public StoredMessage(long id, Message message) {
        this.id = id;
        this.message = message;
    }

    /** The identifier the journal stores it under, unique within the journal. */
    public long id() {
        return id;
    }

    public Message message() {
        return message;
    }

    void hold() {
        holders.incrementAndGet();
    }

    /** @return true if no session holds the message any more */
    boolean letGo() {
        int left = holders.decrementAndGet();
        if (left < 0) {
            throw new IllegalStateException("stored message " + id + " let go more often than held");
        }
        return left == 0;
    }

    /** The number of sessions that hold it. */
    public int holders() {
        return holders.get();
    }
}
