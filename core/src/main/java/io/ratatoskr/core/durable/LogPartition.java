package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.log.AppendResult;
import io.ratatoskr.log.InvalidRecordException;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogClosedException;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.LogOverloadedException;
import io.ratatoskr.log.LogStats;
import io.ratatoskr.log.LogStatus;
import io.ratatoskr.log.OffsetOutOfRangeException;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.Record;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Partition} on a local {@link Log}: the single-node implementation.
 *
 * <p>Thread-safety: thread-safe (the log is; listeners live in a copy-on-write list).
 */
public final class LogPartition implements Partition {
    private final String topic;
    private final int id;
    private final Log log;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    private LogPartition(String topic, int id, Log log) {
        this.topic = topic;
        this.id = id;
        this.log = log;
    }

    /** Opens (creating or recovering) the partition's log in {@code dir}. */
    public static LogPartition open(String topic, int id, Path dir, LogConfig config, LogEnvironment env) {
        return new LogPartition(topic, id, Log.open(dir, config, env));
    }

    /** The log configuration a topic's settings give. */
    public static LogConfig logConfig(TopicConfig c, LogConfig base) {
        return base.toBuilder()
                .durability(c.durability())
                .groupCommitMaxDelayMs(Math.max(1, c.groupCommitMaxDelayMs()))
                .retentionMaxAgeMs(c.retentionMaxAgeMs())
                .retentionMaxBytes(c.retentionMaxBytes())
                .retentionMaxMessages(c.retentionMaxMessages())
                .cleanupPolicy(c.cleanupPolicy())
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

    @Override
    public CompletableFuture<AppendResult> append(List<Record> records) {
        CompletableFuture<AppendResult> result = new CompletableFuture<>();
        log.append(records).whenComplete((r, e) -> {
            if (e == null) {
                result.complete(r);
                for (Runnable l : listeners) {
                    l.run();
                }
            } else {
                result.completeExceptionally(translate(e));
            }
        });
        return result;
    }

    private RatatoskrException translate(Throwable e) {
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
        LogStatus status = log.status();
        String why = status.diskFull() ? "the disk is full" : String.valueOf(t.getMessage());
        return new RatatoskrException(ErrorCode.PARTITION_FAILED, ErrorCode.PARTITION_FAILED.format(name(), why), t);
    }

    @Override
    public ReadResult read(long offset, int maxRecords, int maxBytes) {
        long start = Math.max(offset, log.logStartOffset());
        long end = log.highWatermark();
        if (start >= end) {
            return new ReadResult(List.of(), Math.max(start, end), end, log.logStartOffset());
        }
        try {
            return log.read(start, maxBytes, maxRecords);
        } catch (OffsetOutOfRangeException e) {
            // Retention moved the start meanwhile: read from the new start.
            long now = log.logStartOffset();
            return now > start ? log.read(now, maxBytes, maxRecords)
                    : new ReadResult(List.of(), start, log.highWatermark(), now);
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

    /** Closes the log. */
    public void close() {
        log.close();
    }

    /** Closes the log and removes its files. */
    public void delete() {
        log.delete();
    }

    private String name() {
        return topic + "/" + id;
    }

    @Override
    public String toString() {
        return "LogPartition[" + name() + "]";
    }
}
