package io.ratatoskr.core.persist;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogOverloadedException;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.StoredRecord;

import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * What the broker's state logs — retained messages, sessions — have in common: a compacted log
 * configuration sized for the largest message, a full read at start, and how a failed write is
 * reported to a publisher.
 *
 * <p>Thread-safety: stateless.
 */
final class StateLogs {
    private static final int READ_BYTES = 4 * 1024 * 1024;

    private StateLogs() {}

    /**
     * A compacted log in {@code config}'s durability mode whose batches hold a message of
     * {@code maxMessageBytes} with room to spare. Segments are small, so that compaction (which
     * only rewrites sealed segments) keeps the log near the size of its live state and a restart
     * reads little more than that; tombstones go one minute after the values they shadow.
     */
    static LogConfig logConfig(PersistenceConfig config, int maxMessageBytes) {
        int maxBatch = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(8L << 20, 2L * maxMessageBytes + (64 << 10)));
        int segment = Math.max(16 << 20, maxBatch);
        return LogConfig.builder()
                .cleanupPolicy(CleanupPolicy.COMPACT)
                .durability(config.durability())
                .groupCommitMaxDelayMs(config.groupCommitMaxDelayMs())
                .segmentBytesMax(segment)
                .segmentAgeMsMax(15 * 60_000L)
                .maxBatchBytes(maxBatch)
                .maxPendingBytes(Math.max(64L << 20, 4L * maxBatch))
                .compactionLagMs(30_000)
                .tombstoneRetentionMs(60_000)
                .build();
    }

    /** Visits every record of {@code log}, tombstones included, in offset order. */
    static void readAll(Log log, Consumer<StoredRecord> visitor) {
        long offset = log.logStartOffset();
        long end = log.highWatermark();
        while (offset < end) {
            ReadResult r = log.read(offset, READ_BYTES, 10_000);
            r.records().forEach(visitor);
            if (r.nextOffset() <= offset) {
                break;
            }
            offset = r.nextOffset();
        }
    }

    /** What a publisher is told when the write of the {@code store} store failed. */
    static RatatoskrException refusal(String store, Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof RatatoskrException r) {
            return r;
        }
        if (t instanceof LogOverloadedException) {
            return new RatatoskrException(ErrorCode.STATE_STORE_OVERLOADED, ErrorCode.STATE_STORE_OVERLOADED.format(store),
                    t);
        }
        return new RatatoskrException(ErrorCode.STATE_STORE_FAILED,
                ErrorCode.STATE_STORE_FAILED.format(store, String.valueOf(t.getMessage())), t);
    }
}
