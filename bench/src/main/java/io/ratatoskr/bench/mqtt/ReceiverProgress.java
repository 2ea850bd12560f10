package io.ratatoskr.bench.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A receiver running on threads of its own (a Kafka consumer, a gRPC Consume stream): the progress it shows
 * while a run waits for it, and that wait.
 *
 * <p>Thread-safety: the progress figures are volatile, written by the receiver's thread ({@link #progress},
 * {@link #failed}) and read by any; {@link #stats()} is for after {@link #stopAndJoin}.
 */
public abstract class ReceiverProgress {
    private volatile long uniqueSoFar;
    private volatile long lastNewNanos;
    private volatile String failure;

    /** Publishes the tally's progress (on the receiver's thread). */
    protected final void progress(Tally tally) {
        uniqueSoFar = tally.unique();
        lastNewNanos = tally.lastNewNanos();
    }

    /** Records what went wrong with it. */
    protected final void failed(String what) {
        failure = what;
    }

    /** New messages received so far. */
    public final long uniqueSoFar() {
        return uniqueSoFar;
    }

    /** {@link System#nanoTime()} when the last new message arrived, or 0. */
    public final long lastNewNanos() {
        return lastNewNanos;
    }

    /** What went wrong with it, or null. */
    public final String failure() {
        return failure;
    }

    /** Stops it and waits, at most about {@code timeout}, until it has stopped. */
    public abstract void stopAndJoin(Duration timeout) throws InterruptedException;

    /** What it counted; call after {@link #stopAndJoin}. */
    public abstract ReceiverStats stats();

    /** Stops every receiver and returns what each counted. */
    public static List<ReceiverStats> stopAll(List<? extends ReceiverProgress> receivers, Duration timeout)
            throws InterruptedException {
        List<ReceiverStats> stats = new ArrayList<>();
        for (ReceiverProgress r : receivers) {
            r.stopAndJoin(timeout);
            stats.add(r.stats());
        }
        return stats;
    }

    /**
     * Waits until the receivers have had {@code expected} new messages between them, or nothing new arrived for
     * {@code idleNanos}, or the deadline; returns whether they had them all. A receiver that failed ends the wait.
     */
    public static boolean awaitConsumed(List<? extends ReceiverProgress> receivers, long expected, long deadline,
                                        long idleNanos) {
        long lastProgress = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long unique = receivers.stream().mapToLong(ReceiverProgress::uniqueSoFar).sum();
            if (unique >= expected) {
                return true;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0 || receivers.stream().anyMatch(r -> r.failure() != null)) {
                return false;
            }
            if (unique != lastProgress) {
                lastProgress = unique;
                lastChange = now;
            } else if (now - lastChange >= idleNanos) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** When the last of them had its last new message, or {@code otherwise} if none had any. */
    public static long lastNewNanos(List<? extends ReceiverProgress> receivers, long otherwise) {
        return receivers.stream().mapToLong(ReceiverProgress::lastNewNanos).max().orElse(otherwise);
    }
}
