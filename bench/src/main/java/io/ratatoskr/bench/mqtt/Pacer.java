package io.ratatoskr.bench.mqtt;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * A thread that sends at a fixed rate for a load generator whose client has no event loop of ours (a Kafka
 * producer, a gRPC stub): send {@code k} is due at {@code first + k * interval} and is handed its due time, which
 * the sender stamps into the payload, so that a broker that falls behind is charged for the wait (no coordinated
 * omission). While {@code outstanding} is at {@code outstandingMax} it waits (the due times keep counting).
 *
 * <p>Thread-safety: the callbacks run on the pacer's thread; they must be safe to call from it.
 */
public final class Pacer {
    private final Thread thread;

    private Pacer(Thread thread) {
        this.thread = thread;
    }

    /**
     * Starts a pacer thread.
     *
     * @param send called with each send's due time ({@link System#nanoTime()})
     */
    public static Pacer start(String name, long firstNanos, double intervalNanos, BooleanSupplier stopped,
                              IntSupplier outstanding, int outstandingMax, LongConsumer send) {
        Thread t = new Thread(() -> {
            for (long k = 0; !stopped.getAsBoolean(); k++) {
                long due = firstNanos + (long) (k * intervalNanos);
                Timeline.sleepUntil(due);
                while (outstanding.getAsInt() >= outstandingMax && !stopped.getAsBoolean()) {
                    LockSupport.parkNanos(100_000);
                }
                send.accept(due);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return new Pacer(t);
    }

    /** Waits for the thread to end (after {@code stopped} turned true). */
    public void join() throws InterruptedException {
        thread.join(10_000);
    }
}
