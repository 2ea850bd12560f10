package io.ratatoskr.core.session;

/** The session a connection was attached to, and whether it held state from before (Session Present). */
public record ConnectResult(Session session, boolean sessionPresent) {
}
