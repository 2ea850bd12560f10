package io.ratatoskr.log;

import java.util.Objects;

/**
 * The state of a log as the rest of the broker sees it (health checks, /ready, metrics).
 *
 * <p>Thread-safety: immutable.
 *
 * @param state the state
 * @param cause why the log is {@link State#FAILED}; null otherwise
 */
public record LogStatus(State state, Throwable cause) {

    /** The states of a log. */
    public enum State {
        /** Appends and reads are served. */
        OPEN,
        /**
         * An I/O error (a failed write or fsync, a full disk) stopped appends; the log is read-only:
         * durable records can still be read. {@link Log#recover()} tries to reopen it.
         */
        FAILED,
        /** Closed or deleted. */
        CLOSED
    }

    public static final LogStatus OPEN = new LogStatus(State.OPEN, null);
    public static final LogStatus CLOSED = new LogStatus(State.CLOSED, null);

    public LogStatus {
        Objects.requireNonNull(state, "state");
    }

    /** Whether the log failed because its disk is full (ENOSPC). */
    public boolean diskFull() {
        return state == State.FAILED && isDiskFull(cause);
    }

    static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
