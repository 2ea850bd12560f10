package io.ratatoskr.log;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between appending threads and a log's writer thread. Appends are bounded by
 * count and by bytes and refused at once when either bound is reached; control tasks (truncate,
 * retention, swap, close) are few and always accepted while the log is open. Tasks leave in the
 * order they came.
 *
 * <p>Thread-safety: guarded by one lock; any thread may offer, one thread drains.
 */
final class WriterQueue {

    /** A queued unit of work. */
    interface Task {
        /** Bytes the task holds (0 for control tasks). */
        int bytes();

        /** Whether this is an append (bounded) rather than a control task. */
        boolean isAppend();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final ArrayDeque<Task> tasks = new ArrayDeque<>();
    private final int maxAppends;
    private final long maxBytes;
    private int appends;
    private long bytes;
    private boolean open = true;
    /** Mirrors {@code tasks.size()} for the lock-free spin of the consumer. */
    private volatile int size;

    WriterQueue(int maxAppends, long maxBytes) {
        this.maxAppends = maxAppends;
        this.maxBytes = maxBytes;
    }

    /** Outcome of an offer. */
    enum Offer {
        ACCEPTED,
        FULL,
        CLOSED
    }

    Offer offer(Task task) {
        lock.lock();
        try {
            if (!open) {
                return Offer.CLOSED;
            }
            if (task.isAppend()) {
                if (appends >= maxAppends || bytes + task.bytes() > maxBytes) {
                    return Offer.FULL;
                }
                appends++;
                bytes += task.bytes();
            }
            tasks.addLast(task);
            size = tasks.size();
            if (size == 1) {
                nonEmpty.signal();
            }
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /** Offers {@code last} and closes the queue to every later offer, atomically. */
    Offer offerLast(Task last) {
        lock.lock();
        try {
            if (!open) {
                return Offer.CLOSED;
            }
            tasks.addLast(last);
            size = tasks.size();
            open = false;
            nonEmpty.signal();
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves queued tasks into {@code out}, in order, waiting up to {@code timeoutNanos} for the first
     * (negative: forever). With {@code appendsOnly} it stops before the first control task.
     */
    void drain(List<Task> out, long timeoutNanos, boolean appendsOnly) throws InterruptedException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (tasks.isEmpty()) {
                if (timeoutNanos < 0) {
                    nonEmpty.await();
                } else {
                    if (remaining <= 0) {
                        return;
                    }
                    remaining = nonEmpty.awaitNanos(remaining);
                }
            }
            Task t;
            while ((t = tasks.peekFirst()) != null) {
                if (appendsOnly && !t.isAppend()) {
                    break;
                }
                tasks.pollFirst();
                if (t.isAppend()) {
                    appends--;
                    bytes -= t.bytes();
                }
                out.add(t);
            }
            size = tasks.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Polls, without the lock, until a task is queued or {@code nanos} pass: a short spin before a
     * blocking {@link #drain} saves the park and wake-up when the next task is about to come.
     */
    void spinUntilNonEmpty(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (size == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Whether a task is queued right now. */
    boolean isEmpty() {
        lock.lock();
        try {
            return tasks.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    static long nanos(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
