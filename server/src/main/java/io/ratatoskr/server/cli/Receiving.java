package io.ratatoskr.server.cli;

import java.time.Clock;

/**
 * When {@code sub} and {@code consume} stop: after {@code --count} messages were handled, after
 * {@code --timeout} without a message, or when the connection or stream fails. Messages beyond the count
 * are not claimed, so the caller leaves them unacknowledged (a consumer group gives them to another member).
 *
 * <p>Thread-safety: thread-safe; guarded by its monitor. Messages are claimed and completed on client
 * threads; {@link #await()} runs on the command's thread.
 */
final class Receiving {
    /** Why receiving ended. */
    enum End { COUNT_REACHED, TIMED_OUT, FAILED }

    private final long max;
    private final long idleTimeoutMs;
    private final Clock clock;
    private long claimed;
    private long completed;
    private long lastMs;
    private String failure;

    /**
     * @param max           how many messages to handle; 0 for no limit
     * @param idleTimeoutMs how long to wait for the next message (from the start, then from the last one);
     *                      0 or less for ever
     */
    Receiving(long max, long idleTimeoutMs, Clock clock) {
        this.max = max;
        this.idleTimeoutMs = idleTimeoutMs;
        this.clock = clock;
        this.lastMs = clock.millis();
    }

    /** Takes the next message: false when the count is already claimed (the caller must not handle it). */
    synchronized boolean claim() {
        if (max > 0 && claimed >= max) {
            return false;
        }
        claimed++;
        lastMs = clock.millis();
        return true;
    }

    /** A claimed message is handled. */
    synchronized void complete() {
        completed++;
        lastMs = clock.millis();
        notifyAll();
    }

    /** The connection or stream failed: receiving ends. Only the first reason is kept. */
    synchronized void fail(String why) {
        if (failure == null) {
            failure = why;
        }
        notifyAll();
    }

    synchronized String failure() {
        return failure;
    }

    synchronized long completed() {
        return completed;
    }

    /** Blocks until the count is handled, the idle timeout passes, or a failure. */
    synchronized End await() throws InterruptedException {
        while (true) {
            if (failure != null) {
                return End.FAILED;
            }
            if (max > 0 && completed >= max) {
                return End.COUNT_REACHED;
            }
            if (idleTimeoutMs > 0) {
                long left = lastMs + idleTimeoutMs - clock.millis();
                if (left <= 0) {
                    // A claimed message still being handled is not idle time.
                    if (claimed == completed) {
                        return End.TIMED_OUT;
                    }
                    left = idleTimeoutMs;
                }
                wait(left);
            } else {
                wait();
            }
        }
    }

    /**
     * The exit code for {@code end}: 0 when the count was reached, or when the timeout ended a receive
     * without a count; 3 when the timeout passed before the count; 1 on failure.
     */
    int exitCode(End end) {
        return switch (end) {
            case COUNT_REACHED -> 0;
            case TIMED_OUT -> max > 0 ? 3 : 0;
            case FAILED -> 1;
        };
    }
}
