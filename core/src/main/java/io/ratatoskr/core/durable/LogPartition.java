package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.log.AppendResult;
import io.ratatoskr.log.InvalidRecordException;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogClosedException;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.LogException;
import io.ratatoskr.log.LogOverloadedException;
import io.ratatoskr.log.LogStats;
import io.ratatoskr.log.LogStatus;
import io.ratatoskr.log.OffsetOutOfRangeException;
import io.ratatoskr.log.ReadBuffer;
import io.ratatoskr.log.ReadProgress;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.RecordView;
import io.ratatoskr.log.StoredRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A {@link Partition} on a local {@link Log}: the single-node implementation.
 *
 * <p>A log's configuration is fixed when it is opened, so a topic's changed settings take effect
 * through {@link #reopen}: the log is closed (its queued appends complete first) and opened again
 * with the new configuration, behind the same {@code LogPartition} object, so consumers holding it
 * carry on.
 *
 * <p>Thread-safety: thread-safe. The log reference is swapped under the write half of a
 * read-write lock; {@link #append} holds the read half only while it hands the batch to the log
 * (encoding and enqueueing, never disk I/O). An append never waits for a swap ({@link #reopen},
 * {@link #close}, {@link #delete}, which wait for disk I/O): its caller may be a network event
 * loop. One that arrives while a swap runs waits in a bounded list (the log's
 * {@code maxPendingAppends}; beyond it the append is refused as overloaded) and is handed to the
 * log that the swap leaves — the reopened one, or the closed one, which refuses it — when the
 * swap ends. Appends land in the log in the order their callers made them. The {@code gate}
 * monitor guards the swap flag and that list; while the flag is clear no writer holds or waits
 * for the write half, so taking the read half under the monitor never blocks. Listeners live in
 * a copy-on-write list.
 */
public final class LogPartition implements Partition {
    private final String topic;
    private final int id;
    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private final Object gate = new Object();
    /** Guarded by {@code gate}: how many swaps run, and the appends that arrived meanwhile. */
    private int swapping;
    private final List<Waiting> waiting = new ArrayList<>();
    private volatile Log log;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    private final LogEnvironment environment;

    private LogPartition(String topic, int id, Log log, LogEnvironment environment) {
        this.topic = topic;
        this.id = id;
        this.log = log;
        this.environment = environment;
    }

    /** Opens (creating or recovering) the partition's log in {@code dir}. */
    public static LogPartition open(String topic, int id, Path dir, LogConfig config, LogEnvironment env) {
        return new LogPartition(topic, id, Log.open(dir, config, env), env);
    }

    /**
     * Room beside the payload in one batch for the envelope, the key and the user properties; a
     * message whose properties need more is refused by the log ({@code INVALID_ARGUMENT}).
     */
    static final int BATCH_HEADROOM_BYTES = 256 * 1024;

    /**
     * The log configuration a topic's settings give: {@code base} with the topic's durability,
     * retention, cleanup policy and TTL, a compaction lag of at least the dedupe window, and batch
     * (and so segment and queue) limits large enough for its largest message.
     */
    public static LogConfig logConfig(TopicConfig c, LogConfig base) {
        int batch = Math.max(base.maxBatchBytes(), c.maxMessageBytes() + BATCH_HEADROOM_BYTES);
        return base.toBuilder()
                .maxBatchBytes(batch)
                .segmentBytesMax(Math.max(base.segmentBytesMax(), batch))
                .maxPendingBytes(Math.max(base.maxPendingBytes(), batch))
                .durability(c.durability())
                .groupCommitMaxDelayMs(Math.max(1, c.groupCommitMaxDelayMs()))
                .retentionMaxAgeMs(c.retentionMaxAgeMs())
                .retentionMaxBytes(c.retentionMaxBytes())
                .retentionMaxMessages(c.retentionMaxMessages())
                .cleanupPolicy(c.cleanupPolicy())
                // A record whose idempotency key is in the dedupe window stays until the window has
                // passed: the window is rebuilt from the log at open, and a retry of a superseded
                // value must still be recognised rather than written over the newer one.
                .compactionLagMs(c.cleanupPolicy().compacts()
                        ? Math.max(base.compactionLagMs(), c.dedupeWindowMs()) : base.compactionLagMs())
                .messageTtlMs(c.defaultTtlMs())
                .build();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public int id() {
        return id;
    }

    /** The underlying log, for maintenance (retention, compaction) and tests. */
    public Log log() {
        return log;
    }

    /**
     * Closes the log and opens it again with {@code config}, unless it already has it. Appends
     * made meanwhile wait aside and go to the reopened log (see the class comment); if it cannot be
     * opened they are refused and so is every later append. Waits for disk I/O and for the old
     * log's completion threads: must not be called from a callback of this partition's futures.
     */
    public void reopen(LogConfig config) {
        if (log.config().equals(config)) {
            return;
        }
        swapLog(current -> {
            current.close();
            return Log.open(current.dir(), config, environment);
        });
    }

    /** An append that arrived while a swap ran. */
    private record Waiting(List<Record> records, CompletableFuture<AppendResult> result) {}

    /**
     * Replaces the log with what {@code change} makes of the current one (closing it first), while
     * appends wait aside; then hands them, in order, to the log it leaves. The write half excludes
     * an append that is handing its batch to the log, and other swaps.
     */
    private void swapLog(UnaryOperator<Log> change) {
        synchronized (gate) {
            swapping++;
        }
        try {
            swap.writeLock().lock();
            try {
                Log current = log;
                Log next = current;
                try {
                    next = change.apply(current);
                } finally {
                    log = next;
                }
            } finally {
                swap.writeLock().unlock();
            }
        } finally {
            synchronized (gate) {
                if (--swapping == 0) {
                    for (Waiting w : waiting) {
                        submit(log, w.records, w.result);
                    }
                    waiting.clear();
                }
            }
        }
    }

    /**
     * After an I/O failure ({@code FAILED} state), tries to reopen the log for appends (see
     * {@link Log#recover()}); returns whether it takes writes again.
     */
    public boolean recover() {
        return log.recover();
    }

    /** Whether the partition takes appends (its log is open and not failed). */
    public boolean isWritable() {
        return log.status().state() == LogStatus.State.OPEN;
    }

    @Override
    public CompletableFuture<AppendResult> append(List<Record> records) {
        CompletableFuture<AppendResult> result = new CompletableFuture<>();
        synchronized (gate) {
            if (swapping > 0) {
                if (waiting.size() >= log.config().maxPendingAppends()) {
                    return CompletableFuture.failedFuture(new RatatoskrException(ErrorCode.PARTITION_OVERLOADED,
                            ErrorCode.PARTITION_OVERLOADED.format(name()) + " (it is being reconfigured)"));
                }
                waiting.add(new Waiting(records, result));
                return result;
            }
            swap.readLock().lock(); // free: no swap runs or waits (see the class comment)
        }
        try {
            submit(log, records, result);
        } finally {
            swap.readLock().unlock();
        }
        return result;
    }

    /** Hands {@code records} to {@code target}; {@code result} completes with the append's outcome. */
    private void submit(Log target, List<Record> records, CompletableFuture<AppendResult> result) {
        CompletableFuture<AppendResult> appended;
        try {
            appended = target.append(records);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        appended.whenComplete((r, e) -> {
            if (e == null) {
                result.complete(r);
                for (Runnable l : listeners) {
                    l.run();
                }
            } else {
                result.completeExceptionally(translate(target, e));
            }
        });
    }

    private RatatoskrException translate(Log target, Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof RatatoskrException r) {
            return r;
        }
        if (t instanceof LogOverloadedException) {
            return new RatatoskrException(ErrorCode.PARTITION_OVERLOADED, ErrorCode.PARTITION_OVERLOADED.format(
                    name()), t);
        }
        if (t instanceof InvalidRecordException) {
            return new RatatoskrException(ErrorCode.INVALID_ARGUMENT, t.getMessage(), t);
        }
        if (t instanceof LogClosedException) {
            return new RatatoskrException(ErrorCode.UNAVAILABLE, "partition " + name() + " is closed", t);
        }
        LogStatus status = target.status();
        String why = status.diskFull() ? "the disk is full" : String.valueOf(t.getMessage());
        return new RatatoskrException(ErrorCode.PARTITION_FAILED, ErrorCode.PARTITION_FAILED.format(name(), why), t);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A read that a {@link #reopen} cuts short (its log's files closed under it) is read again
     * from the reopened log. One that starts while the reopen is between closing and opening fails
     * with the {@link LogException} of the closed log, which says to retry. A read never waits for
     * a reopen: it may run in a {@link #watch} listener on the closing log's own completion thread,
     * which the reopen waits for.
     */
    @Override
    public ReadResult read(long offset, int maxRecords, int maxBytes) {
        return read(offset, maxRecords, maxBytes, true);
    }

    /**
     * As {@link #read(long, int, int)}, with the records whose time to live has passed too (they
     * still carry idempotency keys of the dedupe window).
     */
    ReadResult readIncludingExpired(long offset, int maxRecords, int maxBytes) {
        return read(offset, maxRecords, maxBytes, false);
    }

    private ReadResult read(long offset, int maxRecords, int maxBytes, boolean skipExpired) {
        List<StoredRecord> out = new ArrayList<>();
        ReadProgress p = read(offset, maxRecords, maxBytes, skipExpired, null, r -> out.add(r.toStoredRecord()));
        return new ReadResult(out, p.nextOffset(), p.highWatermark(), p.logStartOffset());
    }

    /** {@inheritDoc} A read cut short by a {@link #reopen} continues as {@link #read(long, int, int)} says. */
    @Override
    public ReadProgress read(
            long offset, int maxRecords, int maxBytes, ReadBuffer buffer, Consumer<RecordView> visitor) {
        return read(offset, maxRecords, maxBytes, true, buffer, visitor);
    }

    private ReadProgress read(long offset, int maxRecords, int maxBytes, boolean skipExpired, ReadBuffer buffer,
            Consumer<RecordView> visitor) {
        Log before = log;
        // A read the reopen cuts short may have visited some records already: the retry skips them.
        long[] lastVisited = {-1};
        int[] visited = {0};
        Consumer<RecordView> once = r -> {
            if (r.offset() > lastVisited[0]) {
                lastVisited[0] = r.offset();
                visited[0]++;
                visitor.accept(r);
            }
        };
        try {
            return counted(read(before, offset, maxRecords, maxBytes, skipExpired, buffer, once), visited[0]);
        } catch (LogException e) {
            Log now = log;
            if (now == before) {
                throw e;
            }
            return counted(read(now, offset, maxRecords, maxBytes, skipExpired, buffer, once), visited[0]);
        }
    }

    private static ReadProgress counted(ReadProgress p, int visited) {
        return p.records() == visited ? p : new ReadProgress(visited, p.nextOffset(), p.highWatermark(),
                p.logStartOffset());
    }

    private static ReadProgress read(Log log, long offset, int maxRecords, int maxBytes, boolean skipExpired,
            ReadBuffer buffer, Consumer<RecordView> visitor) {
        long start = Math.max(offset, log.logStartOffset());
        long end = log.highWatermark();
        if (start >= end) {
            return new ReadProgress(0, Math.max(start, end), end, log.logStartOffset());
        }
        try {
            return log.read(start, maxBytes, maxRecords, skipExpired, buffer, visitor);
        } catch (OffsetOutOfRangeException e) {
            // Retention moved the start meanwhile: read from the new start.
            long now = log.logStartOffset();
            return now > start ? log.read(now, maxBytes, maxRecords, skipExpired, buffer, visitor)
                    : new ReadProgress(0, start, log.highWatermark(), now);
        }
    }

    @Override
    public long startOffset() {
        return log.logStartOffset();
    }

    @Override
    public long endOffset() {
        return log.highWatermark();
    }

    @Override
    public long offsetForTimestamp(long timestampMs) {
        return log.offsetForTimestamp(timestampMs);
    }

    @Override
    public void truncateTo(long offset) {
        log.truncateTo(offset);
    }

    @Override
    public PartitionSnapshot snapshot() {
        LogStatus status = log.status();
        LogStats stats = log.stats();
        return new PartitionSnapshot(topic, id, log.logStartOffset(), log.highWatermark(), stats.sizeInBytes(),
                stats.segments(), status.state().name(), status.cause() == null ? null : status.cause().toString());
    }

    @Override
    public AutoCloseable watch(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Closes the log; appends from now on are refused ({@code UNAVAILABLE}). */
    public void close() {
        swapLog(current -> {
            current.close();
            return current;
        });
    }

    /** Closes the log and removes its files. */
    public void delete() {
        swapLog(current -> {
            current.delete();
            return current;
        });
    }

    private String name() {
        return topic + "/" + id;
    }

    @Override
    public String toString() {
        return "LogPartition[" + name() + "]";
    }
}
