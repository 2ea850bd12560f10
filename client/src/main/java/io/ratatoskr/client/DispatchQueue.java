package io.ratatoskr.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the handler tasks of one subscription or consumer on a shared executor, at most
 * {@code concurrency} at once, in submission order (so with concurrency 1 strictly one after the
 * other). The queue needs no bound of its own: its producers are bounded by flow control (gRPC
 * inbound requests for subscriptions, credits for consumers).
 *
 * <p>Thread-safety: thread-safe; guarded by its monitor, never held while a task runs.
 */
final class DispatchQueue {
    private static final Logger log = LoggerFactory.getLogger(DispatchQueue.class);
    private static final ThreadLocal<DispatchQueue> CURRENT = new ThreadLocal<>();

    private final Executor executor;
    private final int concurrency;
    private final String name;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;
    private boolean closed;

    DispatchQueue(Executor executor, int concurrency, String name) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
        }
        this.executor = executor;
        this.concurrency = concurrency;
        this.name = name;
    }

    /** Queues {@code task}; dropped if the queue is closed. */
    synchronized void submit(Runnable task) {
        if (closed) {
            return;
        }
        queue.add(task);
        while (running < concurrency && !queue.isEmpty()) {
            Runnable first = queue.poll();
            running++;
            try {
                executor.execute(() -> runFrom(first));
            } catch (RejectedExecutionException e) {
                running--;
                queue.clear();
                log.warn("{}: handler executor refused a task (shut down?); dropping queued messages", name);
                return;
            }
        }
    }

    /** Drops the queued tasks and takes no more; running tasks finish. */
    synchronized void close() {
        closed = true;
        queue.clear();
    }

    /**
     * Waits up to {@code timeout} for the running tasks to finish; returns at once when called from one
     * of them. True if none is running.
     */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (CURRENT.get() == this) {
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private void runFrom(Runnable first) {
        CURRENT.set(this);
        try {
            Runnable task = first;
            while (task != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    log.error("{}: a handler task failed", name, t);
                }
                synchronized (this) {
                    task = closed ? null : queue.poll();
                    if (task == null) {
                        running--;
                        notifyAll();
                    }
                }
            }
        } finally {
            CURRENT.remove();
        }
    }
}
