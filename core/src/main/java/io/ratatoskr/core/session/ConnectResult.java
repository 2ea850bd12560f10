package io.ratatoskr.core.session;

/**
 * The session a connection was attached to, and whether it held state from before (Session Present);
 * or, with {@code notOwner}, that the session belongs to another {@link SessionOwner} and nothing was
 * attached or changed.
 */
public record ConnectResult(Session session, boolean sessionPresent, boolean notOwner) {
    public ConnectResult(Session session, boolean sessionPresent) {
        this(session, sessionPresent, false);
    }

    /** The connect was refused: {@code session} belongs to someone else. */
    static ConnectResult notOwner(Session session) {
        return new ConnectResult(session, false, true);
    }
}
