package io.ratatoskr.log;

import io.ratatoskr.log.format.EncodedBatch;
import io.ratatoskr.log.segment.FileIo;
import io.ratatoskr.log.segment.LogSegment;
import io.ratatoskr.log.segment.OffsetCheckpointFile;
import io.ratatoskr.log.segment.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of one log: drains the {@link WriterQueue}, assigns offsets, writes batches
 * through a direct staging buffer, makes them durable as the {@link DurabilityMode} says (one fsync
 * for every append drained together: group commit), then completes the appends' futures and moves
 * the readable end. Every change to the segment set (roll, truncate, retention, compaction swap,
 * close, recover) runs here too, as a control task, so the log's state has one owner.
 *
 * <p>Failure: an {@link IOException} while writing or syncing puts the log in {@link
 * LogStatus.State#FAILED}: the appends of the group and all later ones fail with {@link
 * LogFailedException}; reads of durable data go on; {@link #recover()} reloads the directory and cuts
 * what was written but never acknowledged.
 *
 * <p>Futures complete in commit order, on the writer thread for small groups and on the log's
 * completer thread for large ones (so that the writer can start the next write and fsync while the
 * appenders are woken): dependent stages must not block (use the {@code *Async} variants for
 * anything slow).
 *
 * <p>Thread-safety: {@link #submit} and {@link #submitControl} may be called from any thread; every
 * other method and all fields except {@code status} and the counters belong to the writer thread.
 */
final class LogWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** How long a GROUP commit waits for more appends after each arrival (see {@link #linger}). */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /**
     * How long the idle writer polls the queue before it parks (a park and wake-up costs ~0.1 ms of
     * latency): 50 µs where there are cores to spare; none on one or two cores, where every log's
     * writer spinning after each write takes the CPU the network and broker threads need
     * (docs/benchmarks.md, gRPC profile). System property {@code ratatoskr.log.idleSpinMicros}.
     */
    static final long IDLE_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("ratatoskr.log.idleSpinMicros",
            Runtime.getRuntime().availableProcessors() > 2 ? 50 : 0));
    /**
     * Whether the GROUP-commit gathering waits for the next append by spinning (cores to spare) or by
     * a timed wait that the arrival cuts short (one or two cores, where a spin takes the CPU of the
     * threads that would send that append). Follows the idle spin, so {@code ratatoskr.log.idleSpinMicros}
     * set to 0 turns both off.
     */
    private static final boolean LINGER_SPINS = IDLE_SPIN_NANOS > 0;
    /**
     * After this many gatherings in a row that caught nothing, the writer stops gathering (an fsync at
     * once) and tries again only every {@link #LINGER_PROBE_EVERY}th group: appends that come in bursts
     * (one per read burst of a network thread) gain nothing from the wait.
     */
    private static final int FRUITLESS_LINGERS_MAX = 2;
    private static final int LINGER_PROBE_EVERY = 8;
    /** Groups up to this size complete on the writer thread when the completer is idle. */
    private static final int INLINE_COMPLETIONS_MAX = 4;

    /** An append on its way through the writer. */
    static final class Append implements WriterQueue.Task {
        final EncodedBatch batch;
        final CompletableFuture<AppendResult> future = new CompletableFuture<>();
        final long enqueuedNanos;
        AppendResult result;

        Append(EncodedBatch batch, long enqueuedNanos) {
            this.batch = batch;
            this.enqueuedNanos = enqueuedNanos;
        }

        @Override
        public int bytes() {
            return batch.sizeInBytes();
        }

        @Override
        public boolean isAppend() {
            return true;
        }
    }

    /** A state change run on the writer thread. */
    static final class Control<T> implements WriterQueue.Task {
        final String what;
        final Callable<T> action;
        final CompletableFuture<T> future = new CompletableFuture<>();

        Control(String what, Callable<T> action) {
            this.what = what;
            this.action = action;
        }

        @Override
        public int bytes() {
            return 0;
        }

        @Override
        public boolean isAppend() {
            return false;
        }

        void run() {
            try {
                future.complete(action.call());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }
    }

    private final Path dir;
    private final LogConfig config;
    private final LogEnvironment env;
    private final LogSegments segments;
    private final LogLoader loader;
    private final WriterQueue queue;
    private final ByteBuffer staging;
    private final ByteBuffer scanBuffer = ByteBuffer.allocate(64 * 1024);
    private final List<Append> inflight = new ArrayList<>();
    private final Thread thread;
    private final Completer completer;
    private final Runnable onClosed;

    private volatile LogStatus status = LogStatus.OPEN;
    private volatile long logEndOffset;
    private volatile int truncations;
    private java.util.function.LongConsumer truncationListener = offset -> {};
    private boolean running = true;
    private long nextOffset;
    private long activeRolledAtMs;
    private long recoveryPoint;
    private boolean unflushed;
    private long lastFlushNanos = System.nanoTime();
    private int lastGroupAppends;
    /** GROUP mode: gatherings in a row that caught no append, and groups since the last probe. */
    private int fruitlessLingers;
    private int groupsSinceProbe;

    final LongAdder fsyncs = new LongAdder();
    final LongAdder appendedBatches = new LongAdder();
    final LongAdder appendedRecords = new LongAdder();
    final LongAdder rejectedOverloaded = new LongAdder();

    LogWriter(
            Path dir, LogConfig config, LogEnvironment env, LogSegments segments, LogLoader loader,
            Runnable onClosed) {
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.segments = segments;
        this.loader = loader;
        this.onClosed = onClosed;
        this.queue = new WriterQueue(config.maxPendingAppends(), config.maxPendingBytes());
        this.staging = ByteBuffer.allocateDirect(config.writeBufferBytes());
        this.thread = env.writerThreads().newThread(this);
        this.thread.setName("log-writer-" + dir.getFileName());
        this.completer = new Completer(env.writerThreads(), "log-completer-" + dir.getFileName());
    }

    /** Installs freshly loaded segments (open or recover) and publishes their end as readable. */
    void install(List<LogSegment> loaded) throws IOException {
        LogSegment active = loaded.get(loaded.size() - 1);
        OffsetCheckpointFile.write(
                env.channels(), dir.resolve(SegmentFiles.RECOVERY_POINT),
                OffsetCheckpointFile.KIND_RECOVERY_POINT, active.baseOffset());
        segments.clear();
        for (LogSegment s : loaded) {
            segments.add(s);
        }
        becomesActive(active);
        nextOffset = active.nextOffset();
        logEndOffset = nextOffset;
        activeRolledAtMs = env.clock().millis();
        recoveryPoint = active.baseOffset();
        segments.publishReadableEnd(
                new LogSegments.ReadableEnd(nextOffset, active.baseOffset(), active.size()));
    }

    void start() {
        completer.start();
        thread.start();
    }

    LogStatus status() {
        return status;
    }

    // ---- submission (any thread) ----

    CompletableFuture<AppendResult> submit(EncodedBatch batch) {
        LogStatus s = status;
        if (s.state() == LogStatus.State.FAILED) {
            return CompletableFuture.failedFuture(failedException(s.cause()));
        }
        Append a = new Append(batch, System.nanoTime());
        return switch (queue.offer(a)) {
            case ACCEPTED -> a.future;
            case FULL -> {
                rejectedOverloaded.increment();
                yield CompletableFuture.failedFuture(
                        new LogOverloadedException(
                                "log " + dir + " has " + config.maxPendingAppends() + " appends or "
                                        + config.maxPendingBytes() + " bytes pending; append refused"));
            }
            case CLOSED -> CompletableFuture.failedFuture(closedException());
        };
    }

    <T> CompletableFuture<T> submitControl(String what, Callable<T> action) {
        Control<T> c = new Control<>(what, action);
        if (queue.offer(c) != WriterQueue.Offer.ACCEPTED) {
            return CompletableFuture.failedFuture(closedException());
        }
        return c.future;
    }

    /** Queues the final close task; later submissions fail. Returns its future. */
    CompletableFuture<Void> submitClose(boolean writeCleanMarker) {
        Control<Void> c = new Control<>("close", () -> {
            closeNow(writeCleanMarker);
            return null;
        });
        if (queue.offerLast(c) != WriterQueue.Offer.ACCEPTED) {
            return CompletableFuture.completedFuture(null);
        }
        return c.future;
    }

    void awaitTermination() throws InterruptedException {
        if (Thread.currentThread() != thread) {
            thread.join();
            completer.awaitTermination();
        }
    }

    LogClosedException closedException() {
        return new LogClosedException("log " + dir + " is closed");
    }

    LogFailedException failedException(Throwable cause) {
        String why = LogStatus.isDiskFull(cause) ? "the disk is full" : "an I/O error";
        return new LogFailedException(
                "log " + dir + " is read-only after " + why + " (" + cause
                        + "); appends are refused until recover() succeeds", cause);
    }

    // ---- the writer loop ----

    @Override
    public void run() {
        List<WriterQueue.Task> tasks = new ArrayList<>();
        while (running) {
            tasks.clear();
            try {
                if (IDLE_SPIN_NANOS > 0) {
                    queue.spinUntilNonEmpty(IDLE_SPIN_NANOS);
                }
                queue.drain(tasks, idleTimeoutNanos(), false);
            } catch (InterruptedException e) {
                LOG.warn("{}: writer interrupted; closing without a clean-shutdown marker", dir);
                closeNow(false);
                break;
            }
            try {
                for (WriterQueue.Task t : tasks) {
                    if (t instanceof Append a) {
                        write(a);
                    } else if (t instanceof Control<?> c) {
                        commit();
                        c.run();
                    }
                }
                if (config.durability() == DurabilityMode.GROUP
                        && !inflight.isEmpty()
                        && (inflight.size() > 1 || lastGroupAppends > 1)
                        && lingerPays()) {
                    // Linger only when appends come concurrently: a lone appender gains nothing.
                    int before = inflight.size();
                    linger(tasks);
                    fruitlessLingers = inflight.size() > before ? 0 : fruitlessLingers + 1;
                }
                commit();
                maybeFlushAsync();
            } catch (Throwable t) {
                fail(t);
            }
        }
        failQueued();
    }

    private long idleTimeoutNanos() {
        if (config.durability() == DurabilityMode.ASYNC && unflushed) {
            long due = lastFlushNanos + WriterQueue.nanos(config.asyncFlushIntervalMs());
            return Math.max(1, due - System.nanoTime());
        }
        return -1;
    }

    /** Whether to gather before this group's fsync: yes unless recent gatherings caught nothing. */
    private boolean lingerPays() {
        if (fruitlessLingers < FRUITLESS_LINGERS_MAX) {
            return true;
        }
        if (++groupsSinceProbe >= LINGER_PROBE_EVERY) {
            groupsSinceProbe = 0;
            return true;
        }
        return false;
    }

    /**
     * GROUP mode: before the fsync, keep taking appends while they keep arriving: wait for up to {@code
     * SPIN_NANOS} after each arrival (spinning where cores are to spare, else a timed wait the next
     * arrival ends), and never past {@code groupCommitMaxDelayMs} after the oldest append of the group.
     * Appends that are on their way join the fsync instead of waiting for the next one.
     */
    private void linger(List<WriterQueue.Task> tasks) throws InterruptedException {
        long deadline = inflight.get(0).enqueuedNanos + WriterQueue.nanos(config.groupCommitMaxDelayMs());
        while (true) {
            long now = System.nanoTime();
            if (now >= deadline) {
                return;
            }
            long wait = Math.min(SPIN_NANOS, deadline - now);
            tasks.clear();
            if (LINGER_SPINS) {
                queue.spinUntilNonEmpty(wait);
                queue.drain(tasks, 0, true);
            } else {
                queue.drain(tasks, wait, true);
            }
            if (tasks.isEmpty()) {
                return;
            }
            for (WriterQueue.Task t : tasks) {
                write((Append) t);
            }
            if (inflight.isEmpty()) {
                return;
            }
        }
    }

    private void write(Append a) {
        if (status.state() != LogStatus.State.OPEN) {
            a.future.completeExceptionally(
                    status.state() == LogStatus.State.FAILED ? failedException(status.cause()) : closedException());
            return;
        }
        EncodedBatch batch = a.batch;
        try {
            maybeRoll(batch);
            long base = nextOffset;
            long last = base + batch.lastOffsetDelta();
            batch.assignBaseOffset(base);
            LogSegment active = segments.active();
            int position = active.append(batch.buffer(), base, last, batch.maxTimestampMs(), staging);
            nextOffset = last + 1;
            logEndOffset = nextOffset;
            a.result =
                    new AppendResult(
                            base, last, batch.baseTimestampMs(), batch.maxTimestampMs(), env.clock().millis(),
                            active.baseOffset(), position, batch.sizeInBytes());
            inflight.add(a);
        } catch (IOException e) {
            inflight.add(a);
            fail(e);
        }
    }

    private void maybeRoll(EncodedBatch batch) throws IOException {
        LogSegment active = segments.active();
        if (active.isEmpty()) {
            return;
        }
        long now = env.clock().millis();
        boolean full = (long) active.size() + batch.sizeInBytes() > config.segmentBytesMax();
        boolean old = now - activeRolledAtMs >= config.segmentAgeMsMax();
        boolean offsets = nextOffset + batch.lastOffsetDelta() - active.baseOffset() > Integer.MAX_VALUE;
        if (full || old || offsets || active.indexFull()) {
            roll();
        }
    }

    /** {@code segment} takes the appends from now on: its file is zero-filled ahead of its data. */
    private void becomesActive(LogSegment segment) {
        segment.preallocate(config.preallocateBytes(), config.segmentBytesMax());
    }

    /** Seals the active segment and starts a new one at the next offset. */
    void roll() throws IOException {
        LogSegment old = segments.active();
        if (old.isEmpty()) {
            return;
        }
        old.seal(staging);
        fsyncs.increment();
        LogSegment fresh = loader.newSegment(nextOffset);
        becomesActive(fresh);
        segments.add(fresh);
        FileIo.syncDirectory(env.channels(), dir);
        recoveryPoint = fresh.baseOffset();
        OffsetCheckpointFile.write(
                env.channels(), dir.resolve(SegmentFiles.RECOVERY_POINT),
                OffsetCheckpointFile.KIND_RECOVERY_POINT, recoveryPoint);
        activeRolledAtMs = env.clock().millis();
        LOG.debug("{}: rolled to segment {}", dir, SegmentFiles.name(fresh.baseOffset()));
    }

    /** Writes staged bytes, syncs as the durability mode says, completes the appends. */
    private void commit() {
        if (inflight.isEmpty()) {
            return;
        }
        if (status.state() != LogStatus.State.OPEN) {
            failInflight();
            return;
        }
        try {
            LogSegment active = segments.active();
            active.flushStaged(staging);
            if (config.durability() == DurabilityMode.ASYNC) {
                unflushed = true;
            } else {
                sync(active);
            }
            segments.publishReadableEnd(
                    new LogSegments.ReadableEnd(nextOffset, active.baseOffset(), active.size()));
        } catch (IOException e) {
            fail(e);
            return;
        }
        appendedBatches.add(inflight.size());
        lastGroupAppends = inflight.size();
        long now = System.nanoTime();
        for (Append a : inflight) {
            appendedRecords.add(a.batch.recordCount());
            env.listener().appended(now - a.enqueuedNanos);
        }
        if (inflight.size() <= INLINE_COMPLETIONS_MAX && completer.idle()) {
            // Few futures and nothing queued at the completer: completing here keeps the order and saves
            // a thread hand-off.
            for (Append a : inflight) {
                a.future.complete(a.result);
            }
        } else {
            completer.complete(new ArrayList<>(inflight));
        }
        inflight.clear();
    }

    /** fdatasync of the active segment, counted and timed. */
    private void sync(LogSegment active) throws IOException {
        long start = System.nanoTime();
        active.sync();
        fsyncs.increment();
        env.listener().synced(System.nanoTime() - start);
    }

    private void maybeFlushAsync() throws IOException {
        if (!unflushed || status.state() != LogStatus.State.OPEN) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastFlushNanos >= WriterQueue.nanos(config.asyncFlushIntervalMs())) {
            sync(segments.active());
            unflushed = false;
            lastFlushNanos = now;
        }
    }

    private void fail(Throwable t) {
        if (status.state() == LogStatus.State.OPEN) {
            LOG.error("{}: storage failure, the log is now read-only until recover(): {}", dir, t.toString(), t);
            status = new LogStatus(LogStatus.State.FAILED, t);
        }
        staging.clear();
        failInflight();
    }

    private void failInflight() {
        LogStatus s = status;
        for (Append a : inflight) {
            a.future.completeExceptionally(
                    s.state() == LogStatus.State.FAILED ? failedException(s.cause()) : closedException());
        }
        inflight.clear();
    }

    private void failQueued() {
        List<WriterQueue.Task> left = new ArrayList<>();
        try {
            queue.drain(left, 0, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (WriterQueue.Task t : left) {
            if (t instanceof Append a) {
                a.future.completeExceptionally(closedException());
            } else if (t instanceof Control<?> c) {
                c.future.completeExceptionally(closedException());
            }
        }
    }

    // ---- control actions (writer thread) ----

    long nextOffset() {
        return nextOffset;
    }

    /** The next offset as last published by the writer (any thread). */
    long logEndOffset() {
        return logEndOffset;
    }

    /** How many truncations have run (the cleaner aborts a pass that raced with one). */
    int truncations() {
        return truncations;
    }

    void onTruncate(java.util.function.LongConsumer listener) {
        this.truncationListener = listener;
    }

    /** {@link #roll()} as a control action: a failure fails the log. */
    void rollNow() throws IOException {
        try {
            roll();
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /** Runs a state-changing action; an I/O failure in it fails the log. */
    <T> T failing(Callable<T> action) throws Exception {
        try {
            return action.call();
        } catch (IOException e) {
            fail(e);
            throw e;
        }
    }

    /** Removes every record at or above {@code offset}; fsyncs; moves the readable end down. */
    void truncateTo(long offset) throws IOException {
        requireOpen();
        if (offset >= nextOffset) {
            return;
        }
        LogSegment keep = segments.floor(offset);
        List<LogSegment> drop =
                keep == null ? new ArrayList<>(segments.all()) : segments.above(keep.baseOffset());
        if (keep == null) {
            keep = loader.newSegment(offset);
            segments.add(keep);
        }
        for (LogSegment s : drop) {
            retire(s);
        }
        truncations++;
        truncationListener.accept(offset);
        keep.truncateTo(offset, scanBuffer);
        keep.makeWritable();
        becomesActive(keep);
        keep.appendFiller(offset);
        nextOffset = offset;
        logEndOffset = offset;
        FileIo.syncDirectory(env.channels(), dir);
        if (recoveryPoint > keep.baseOffset()) {
            recoveryPoint = keep.baseOffset();
            OffsetCheckpointFile.write(
                    env.channels(), dir.resolve(SegmentFiles.RECOVERY_POINT),
                    OffsetCheckpointFile.KIND_RECOVERY_POINT, recoveryPoint);
        }
        activeRolledAtMs = env.clock().millis();
        segments.publishReadableEnd(new LogSegments.ReadableEnd(offset, keep.baseOffset(), keep.size()));
        LOG.info("{}: truncated to offset {}", dir, offset);
    }

    /** Takes a segment out of the log: renamed to *.deleted now, closed and deleted later. */
    void retire(LogSegment segment) throws IOException {
        segments.remove(segment);
        segment.renameToDeleted();
        retireRenamed(segment);
    }

    /** Closes and deletes a segment already renamed to *.deleted, after the file delete delay. */
    void retireRenamed(LogSegment segment) throws IOException {
        if (env.scheduler() == null || config.fileDeleteDelayMs() == 0) {
            segment.deleteRenamed();
            return;
        }
        env.scheduler()
                .schedule(
                        () -> {
                            try {
                                segment.deleteRenamed();
                            } catch (IOException e) {
                                LOG.warn("{}: could not delete {}: {}", dir, segment.file(), e.toString());
                            }
                        },
                        config.fileDeleteDelayMs(),
                        TimeUnit.MILLISECONDS);
    }

    void requireOpen() {
        LogStatus s = status;
        if (s.state() == LogStatus.State.FAILED) {
            throw failedException(s.cause());
        }
        if (s.state() == LogStatus.State.CLOSED) {
            throw closedException();
        }
    }

    /**
     * Reloads the directory after a failure: what was written but never acknowledged is cut. Returns
     * whether the log is open again.
     */
    boolean recover() {
        if (status.state() != LogStatus.State.FAILED) {
            return status.state() == LogStatus.State.OPEN;
        }
        long acknowledged = segments.readableEnd().offset();
        List<LogSegment> old = new ArrayList<>(segments.all());
        try {
            LogLoader.Loaded loaded = loader.load();
            try {
                install(loaded.segments());
            } catch (IOException | RuntimeException e) {
                loaded.segments().forEach(this::closeQuietly);
                throw e;
            }
            status = LogStatus.OPEN;
            if (nextOffset > acknowledged) {
                truncateTo(acknowledged);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: recovery failed, the log stays read-only: {}", dir, e.toString());
            status = new LogStatus(LogStatus.State.FAILED, e);
            return false;
        }
        for (LogSegment s : old) {
            closeQuietly(s);
        }
        LOG.info("{}: recovered; the log ends at offset {}", dir, nextOffset);
        return true;
    }

    private void closeNow(boolean writeCleanMarker) {
        try {
            commit();
            if (writeCleanMarker && status.state() == LogStatus.State.OPEN) {
                LogSegment active = segments.active();
                active.seal(staging);
                OffsetCheckpointFile.write(
                        env.channels(), dir.resolve(SegmentFiles.RECOVERY_POINT),
                        OffsetCheckpointFile.KIND_RECOVERY_POINT, active.baseOffset());
                OffsetCheckpointFile.write(
                        env.channels(), dir.resolve(SegmentFiles.CLEAN_SHUTDOWN),
                        OffsetCheckpointFile.KIND_CLEAN_SHUTDOWN, nextOffset);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: close could not finish cleanly; the next open recovers: {}", dir, e.toString());
        } finally {
            for (LogSegment s : segments.all()) {
                closeQuietly(s);
            }
            status = LogStatus.CLOSED;
            running = false;
            completer.shutdown();
            onClosed.run();
        }
    }

    private void closeQuietly(LogSegment s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("{}: closing {}: {}", dir, s.file(), e.toString());
        }
    }

    long activeRolledAtMs() {
        return activeRolledAtMs;
    }

    /**
     * Completes the futures of committed appends on a thread of its own, so that the writer can start
     * the next write and fsync while the appenders are woken. Futures complete in commit order.
     *
     * <p>Thread-safety: the writer hands over groups through a thread-safe queue; one thread
     * completes them.
     */
    private static final class Completer implements Runnable {
        private static final List<Append> STOP = new ArrayList<>();
        private final java.util.concurrent.LinkedBlockingQueue<List<Append>> groups =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final Thread thread;
        private final java.util.concurrent.atomic.AtomicInteger outstanding =
                new java.util.concurrent.atomic.AtomicInteger();

        Completer(java.util.concurrent.ThreadFactory threads, String name) {
            this.thread = threads.newThread(this);
            this.thread.setName(name);
        }

        void start() {
            thread.start();
        }

        void complete(List<Append> group) {
            outstanding.incrementAndGet();
            groups.add(group);
        }

        /** Whether every group handed over so far has been completed. */
        boolean idle() {
            return outstanding.get() == 0;
        }

        void shutdown() {
            groups.add(STOP);
        }

        void awaitTermination() throws InterruptedException {
            if (Thread.currentThread() != thread) {
                thread.join();
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    List<Append> group = groups.take();
                    if (group == STOP) {
                        return;
                    }
                    for (Append a : group) {
                        a.future.complete(a.result);
                    }
                    outstanding.decrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
