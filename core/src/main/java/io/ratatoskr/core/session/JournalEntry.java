package io.ratatoskr.core.session;

/**
 * One persistent session's hold on a {@link StoredMessage}: the journal keeps the message for the
 * session until the entry is released — acknowledged by the client, dropped (expired, overflow,
 * too large) or handed to another session — or the session ends.
 *
 * <p>Thread-safety: confined to the loop of the session that holds it (made on the publishing
 * thread, then handed over through the session's mailbox).
 */
public final class JournalEntry {
    private final StoredMessage message;
    private boolean released;

    /** An entry holding {@code message}. */
    public JournalEntry(StoredMessage message) {
        this.message = message;
        message.hold();
    }

    public StoredMessage message() {
        return message;
    }

    /**
     * Releases the entry, once.
     *
     * @return whether this call released it (false if it already was) and, in
     *         {@link Release#lastHolder}, whether no other session holds the message any more
     */
    public Release release() {
        if (released) {
            return Release.ALREADY;
        }
        released = true;
        return message.letGo() ? Release.LAST : Release.RELEASED;
    }

    public boolean isReleased() {
        return released;
    }

    /** The outcome of {@link #release}. */
    public enum Release {
        ALREADY, RELEASED, LAST;

        public boolean lastHolder() {
            return this == LAST;
        }
    }
}
