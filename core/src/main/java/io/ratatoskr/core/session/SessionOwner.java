package io.ratatoskr.core.session;

/**
 * Who a session belongs to: the user name of the authenticated principal whose connection made it,
 * or anonymous. A connection by anyone else must neither take the session over nor resume it, so
 * that a client identifier cannot be used to read another user's queued messages (see
 * {@link Session#connect}). With authentication off every client is anonymous and so owns every
 * session, as MQTT alone has it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param username the user name; null for anonymous
 */
public record SessionOwner(String username) {
    public static final SessionOwner ANONYMOUS = new SessionOwner(null);

    public static SessionOwner of(String username) {
        return username == null ? ANONYMOUS : new SessionOwner(username);
    }

    public boolean isAnonymous() {
        return username == null;
    }

    /** For log lines: {@code user 'alice'} or {@code anonymous}. */
    public String describe() {
        return username == null ? "anonymous" : "user '" + username + "'";
    }
}
