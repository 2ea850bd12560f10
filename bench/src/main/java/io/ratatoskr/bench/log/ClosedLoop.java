package io.ratatoskr.bench.log;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop load: N threads, each with one append of one batch outstanding at a time, counted
 * over a measured window after a warm-up.
 *
 * <p>Thread-safety: one run at a time; the counters are thread-safe.
 */
final class ClosedLoop {

    /** Appends one batch for appender {@code thread} and waits for it; returns stored bytes (or 0). */
    @FunctionalInterface
    interface BatchAppender {
        long appendBatch(int thread) throws Exception;
    }

    /** What a window measured. */
    record Window(double seconds, long batches, long records, long storedBytes) {
        double recordsPerSecond() {
            return records / seconds;
        }
    }

    private ClosedLoop() {}

    static Window run(int threads, int batchSize, double warmupSeconds, double seconds, BatchAppender appender)
            throws Exception {
        LongAdder batches = new LongAdder();
        LongAdder bytes = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().name("appender-" + t).start(() -> {
                started.countDown();
                try {
                    while (!stop.get()) {
                        long stored = appender.appendBatch(id);
                        batches.increment();
                        bytes.add(stored);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                }
            }));
        }
        started.await();
        Thread.sleep((long) (warmupSeconds * 1000));
        long b0 = batches.sum();
        long s0 = bytes.sum();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long b1 = batches.sum();
        long s1 = bytes.sum();
        long t1 = System.nanoTime();
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("an appender failed", failure.get());
        }
        double elapsed = (t1 - t0) / 1e9;
        return new Window(elapsed, b1 - b0, (b1 - b0) * batchSize, s1 - s0);
    }
}
