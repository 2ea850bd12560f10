package io.ratatoskr.log;

import java.util.Objects;

/**
 * The configuration of one log: immutable, validated on construction, with safe defaults
 * ({@link #defaults()}). Durations are in milliseconds; -1 means "no limit" where a field says so.
 *
 * <p>Thread-safety: immutable.
 *
 * @param segmentBytesMax Roll the active segment before it would pass this size. Default: {@code 128 * 1024 *
 *     1024}.
 * @param segmentAgeMsMax Roll a non-empty active segment whose first batch is older than this on the next
 *     append. Default: {@code 7L * 24 * 3600 * 1000}.
 * @param indexIntervalBytes Bytes between two sparse index entries. Default: {@code 4096}.
 * @param indexBytesMax Upper bound of one offset index file; a full index rolls the segment. Default: {@code
 *     10 * 1024 * 1024}.
 * @param durability When an append completes: fsync, group commit or async flush. Default: {@code
 *     DurabilityMode.FSYNC}.
 * @param groupCommitMaxDelayMs GROUP mode: the longest an append waits for others to share its fsync.
 *     Default: {@code 2}.
 * @param asyncFlushIntervalMs ASYNC mode: how often written data is fsync'd. Default: {@code 1000}.
 * @param retentionMaxAgeMs Delete sealed segments whose newest record is older than this; -1: no limit.
 *     Default: {@code 7L * 24 * 3600 * 1000}.
 * @param retentionMaxBytes Delete the oldest sealed segments while the log would stay at least this big; -1:
 *     no limit. Default: {@code -1}.
 * @param retentionMaxMessages Delete the oldest sealed segments while at least this many offsets would
 *     remain; -1: no limit. Default: {@code -1}.
 * @param retentionCheckIntervalMs How often the scheduler runs retention. Default: {@code 300_000}.
 * @param cleanupPolicy Retention, compaction or both. Default: {@code CleanupPolicy.DELETE}.
 * @param compactionLagMs Records newer than this are never compacted (whole segments count). Default: {@code
 *     60_000}.
 * @param tombstoneRetentionMs How long a tombstone survives compaction after its timestamp. Default: {@code
 *     24L * 3600 * 1000}.
 * @param minCleanableDirtyRatio Compact only when the uncompacted part is at least this share of the
 *     compactable bytes. Default: {@code 0.5}.
 * @param compactionKeyMapBytesMax Memory bound of the cleaner's key map; a pass that fills it compacts what
 *     it mapped. Default: {@code 16L * 1024 * 1024}.
 * @param cleanerIntervalMs How often the scheduler runs the cleaner. Default: {@code 15_000}.
 * @param compression Codec for new batches. Default: {@code CompressionCodec.NONE}.
 * @param maxBatchBytes Largest encoded batch an append may write. Default: {@code 8 * 1024 * 1024}.
 * @param messageTtlMs Records older than this are not returned by reads; -1: no TTL. Default: {@code -1}.
 * @param maxPendingAppends Bound of the queue of appends waiting for the writer; past it appends fail fast.
 *     Default: {@code 8192}.
 * @param maxPendingBytes Bound of the bytes waiting for the writer; past it appends fail fast. Default:
 *     {@code 64L * 1024 * 1024}.
 * @param writeBufferBytes Size of the writer's direct staging buffer. Default: {@code 1024 * 1024}.
 * @param fileDeleteDelayMs How long deleted segments stay open for readers in flight (with a scheduler).
 *     Default: {@code 60_000}.
 * @param preallocateBytes The active segment's file is written with zeros up to this far ahead of its data
 *     (as far ahead as the segment already holds, from 64 KiB up to this), so that an fsync'd append
 *     overwrites blocks the file already has instead of growing the file: its fsync then writes the data
 *     alone, not the file's size and block map as well. A clean close and a roll cut the file back to its
 *     data; recovery after a crash cuts the zeros. 0: the file grows with each write; at most 64 MiB.
 *     Default: {@code 1024 * 1024}.
 */
public record LogConfig(
        int segmentBytesMax,
        long segmentAgeMsMax,
        int indexIntervalBytes,
        int indexBytesMax,
        DurabilityMode durability,
        long groupCommitMaxDelayMs,
        long asyncFlushIntervalMs,
        long retentionMaxAgeMs,
        long retentionMaxBytes,
        long retentionMaxMessages,
        long retentionCheckIntervalMs,
        CleanupPolicy cleanupPolicy,
        long compactionLagMs,
        long tombstoneRetentionMs,
        double minCleanableDirtyRatio,
        long compactionKeyMapBytesMax,
        long cleanerIntervalMs,
        CompressionCodec compression,
        int maxBatchBytes,
        long messageTtlMs,
        int maxPendingAppends,
        long maxPendingBytes,
        int writeBufferBytes,
        long fileDeleteDelayMs,
        int preallocateBytes) {

    /** Validates every field. */
    public LogConfig {
        positive(segmentBytesMax, "segmentBytesMax"); atLeast(segmentBytesMax, 1024, "segmentBytesMax");
        positive(segmentAgeMsMax, "segmentAgeMsMax");
        positive(indexIntervalBytes, "indexIntervalBytes");
        atLeast(indexBytesMax, 64, "indexBytesMax");
        Objects.requireNonNull(durability, "durability");
        nonNegative(groupCommitMaxDelayMs, "groupCommitMaxDelayMs");
        positive(asyncFlushIntervalMs, "asyncFlushIntervalMs");
        limit(retentionMaxAgeMs, "retentionMaxAgeMs");
        limit(retentionMaxBytes, "retentionMaxBytes");
        limit(retentionMaxMessages, "retentionMaxMessages");
        positive(retentionCheckIntervalMs, "retentionCheckIntervalMs");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        nonNegative(compactionLagMs, "compactionLagMs");
        nonNegative(tombstoneRetentionMs, "tombstoneRetentionMs");
        ratio(minCleanableDirtyRatio);
        atLeast(compactionKeyMapBytesMax, 1024, "compactionKeyMapBytesMax");
        positive(cleanerIntervalMs, "cleanerIntervalMs");
        Objects.requireNonNull(compression, "compression");
        atLeast(maxBatchBytes, 64, "maxBatchBytes");
        limit(messageTtlMs, "messageTtlMs");
        positive(maxPendingAppends, "maxPendingAppends");
        positive(maxPendingBytes, "maxPendingBytes");
        atLeast(writeBufferBytes, 4096, "writeBufferBytes");
        nonNegative(fileDeleteDelayMs, "fileDeleteDelayMs");
        nonNegative(preallocateBytes, "preallocateBytes");
        if (preallocateBytes > MAX_PREALLOCATE_BYTES) {
            // The zeros are written on the writer's thread, in the way of the appends behind them.
            throw new IllegalArgumentException("preallocateBytes must be at most " + MAX_PREALLOCATE_BYTES);
        }
        if (maxBatchBytes > segmentBytesMax) {
            throw new IllegalArgumentException(
                    "maxBatchBytes " + maxBatchBytes + " must not exceed segmentBytesMax " + segmentBytesMax);
        }
        if (maxBatchBytes > maxPendingBytes) {
            throw new IllegalArgumentException("maxBatchBytes must not exceed maxPendingBytes");
        }
    }

    /** The most {@code preallocateBytes} may be (64 MiB). */
    public static final int MAX_PREALLOCATE_BYTES = 64 << 20;

    /** The defaults: 128 MiB segments, fsync durability, 7-day retention, delete policy. */
    public static LogConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.segmentBytesMax = segmentBytesMax;
        b.segmentAgeMsMax = segmentAgeMsMax;
        b.indexIntervalBytes = indexIntervalBytes;
        b.indexBytesMax = indexBytesMax;
        b.durability = durability;
        b.groupCommitMaxDelayMs = groupCommitMaxDelayMs;
        b.asyncFlushIntervalMs = asyncFlushIntervalMs;
        b.retentionMaxAgeMs = retentionMaxAgeMs;
        b.retentionMaxBytes = retentionMaxBytes;
        b.retentionMaxMessages = retentionMaxMessages;
        b.retentionCheckIntervalMs = retentionCheckIntervalMs;
        b.cleanupPolicy = cleanupPolicy;
        b.compactionLagMs = compactionLagMs;
        b.tombstoneRetentionMs = tombstoneRetentionMs;
        b.minCleanableDirtyRatio = minCleanableDirtyRatio;
        b.compactionKeyMapBytesMax = compactionKeyMapBytesMax;
        b.cleanerIntervalMs = cleanerIntervalMs;
        b.compression = compression;
        b.maxBatchBytes = maxBatchBytes;
        b.messageTtlMs = messageTtlMs;
        b.maxPendingAppends = maxPendingAppends;
        b.maxPendingBytes = maxPendingBytes;
        b.writeBufferBytes = writeBufferBytes;
        b.fileDeleteDelayMs = fileDeleteDelayMs;
        b.preallocateBytes = preallocateBytes;
        return b;
    }

    /** Entries the offset index of one segment may hold. */
    public int offsetIndexEntriesMax() {
        long bySegment = segmentBytesMax / indexIntervalBytes + 2;
        return (int) Math.max(2, Math.min(indexBytesMax / 8, bySegment));
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static void nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }

    private static void atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }

    private static void limit(long value, String name) {
        if (value < -1 || value == 0) {
            throw new IllegalArgumentException(name + " must be positive or -1 (no limit), was " + value);
        }
    }

    private static void ratio(double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("minCleanableDirtyRatio must be in [0, 1], was " + value);
        }
    }

    /**
     * Builds a {@link LogConfig}; every field starts at its default.
     *
     * <p>Thread-safety: not thread-safe; use from one thread.
     */
    public static final class Builder {
        private int segmentBytesMax = 128 * 1024 * 1024;
        private long segmentAgeMsMax = 7L * 24 * 3600 * 1000;
        private int indexIntervalBytes = 4096;
        private int indexBytesMax = 10 * 1024 * 1024;
        private DurabilityMode durability = DurabilityMode.FSYNC;
        private long groupCommitMaxDelayMs = 2;
        private long asyncFlushIntervalMs = 1000;
        private long retentionMaxAgeMs = 7L * 24 * 3600 * 1000;
        private long retentionMaxBytes = -1;
        private long retentionMaxMessages = -1;
        private long retentionCheckIntervalMs = 300_000;
        private CleanupPolicy cleanupPolicy = CleanupPolicy.DELETE;
        private long compactionLagMs = 60_000;
        private long tombstoneRetentionMs = 24L * 3600 * 1000;
        private double minCleanableDirtyRatio = 0.5;
        private long compactionKeyMapBytesMax = 16L * 1024 * 1024;
        private long cleanerIntervalMs = 15_000;
        private CompressionCodec compression = CompressionCodec.NONE;
        private int maxBatchBytes = 8 * 1024 * 1024;
        private long messageTtlMs = -1;
        private int maxPendingAppends = 8192;
        private long maxPendingBytes = 64L * 1024 * 1024;
        private int writeBufferBytes = 1024 * 1024;
        private long fileDeleteDelayMs = 60_000;
        private int preallocateBytes = 1024 * 1024;

        private Builder() {}

        /** Roll the active segment before it would pass this size. */
        public Builder segmentBytesMax(int segmentBytesMax) {
            this.segmentBytesMax = segmentBytesMax;
            return this;
        }

        /** Roll a non-empty active segment whose first batch is older than this on the next append. */
        public Builder segmentAgeMsMax(long segmentAgeMsMax) {
            this.segmentAgeMsMax = segmentAgeMsMax;
            return this;
        }

        /** Bytes between two sparse index entries. */
        public Builder indexIntervalBytes(int indexIntervalBytes) {
            this.indexIntervalBytes = indexIntervalBytes;
            return this;
        }

        /** Upper bound of one offset index file; a full index rolls the segment. */
        public Builder indexBytesMax(int indexBytesMax) {
            this.indexBytesMax = indexBytesMax;
            return this;
        }

        /** When an append completes: fsync, group commit or async flush. */
        public Builder durability(DurabilityMode durability) {
            this.durability = durability;
            return this;
        }

        /** GROUP mode: the longest an append waits for others to share its fsync. */
        public Builder groupCommitMaxDelayMs(long groupCommitMaxDelayMs) {
            this.groupCommitMaxDelayMs = groupCommitMaxDelayMs;
            return this;
        }

        /** ASYNC mode: how often written data is fsync'd. */
        public Builder asyncFlushIntervalMs(long asyncFlushIntervalMs) {
            this.asyncFlushIntervalMs = asyncFlushIntervalMs;
            return this;
        }

        /** Delete sealed segments whose newest record is older than this; -1: no limit. */
        public Builder retentionMaxAgeMs(long retentionMaxAgeMs) {
            this.retentionMaxAgeMs = retentionMaxAgeMs;
            return this;
        }

        /** Delete the oldest sealed segments while the log would stay at least this big; -1: no limit. */
        public Builder retentionMaxBytes(long retentionMaxBytes) {
            this.retentionMaxBytes = retentionMaxBytes;
            return this;
        }

        /** Delete the oldest sealed segments while at least this many offsets would remain; -1: no limit. */
        public Builder retentionMaxMessages(long retentionMaxMessages) {
            this.retentionMaxMessages = retentionMaxMessages;
            return this;
        }

        /** How often the scheduler runs retention. */
        public Builder retentionCheckIntervalMs(long retentionCheckIntervalMs) {
            this.retentionCheckIntervalMs = retentionCheckIntervalMs;
            return this;
        }

        /** Retention, compaction or both. */
        public Builder cleanupPolicy(CleanupPolicy cleanupPolicy) {
            this.cleanupPolicy = cleanupPolicy;
            return this;
        }

        /** Records newer than this are never compacted (whole segments count). */
        public Builder compactionLagMs(long compactionLagMs) {
            this.compactionLagMs = compactionLagMs;
            return this;
        }

        /** How long a tombstone survives compaction after its timestamp. */
        public Builder tombstoneRetentionMs(long tombstoneRetentionMs) {
            this.tombstoneRetentionMs = tombstoneRetentionMs;
            return this;
        }

        /** Compact only when the uncompacted part is at least this share of the compactable bytes. */
        public Builder minCleanableDirtyRatio(double minCleanableDirtyRatio) {
            this.minCleanableDirtyRatio = minCleanableDirtyRatio;
            return this;
        }

        /** Memory bound of the cleaner's key map; a pass that fills it compacts what it mapped. */
        public Builder compactionKeyMapBytesMax(long compactionKeyMapBytesMax) {
            this.compactionKeyMapBytesMax = compactionKeyMapBytesMax;
            return this;
        }

        /** How often the scheduler runs the cleaner. */
        public Builder cleanerIntervalMs(long cleanerIntervalMs) {
            this.cleanerIntervalMs = cleanerIntervalMs;
            return this;
        }

        /** Codec for new batches. */
        public Builder compression(CompressionCodec compression) {
            this.compression = compression;
            return this;
        }

        /** Largest encoded batch an append may write. */
        public Builder maxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        /** Records older than this are not returned by reads; -1: no TTL. */
        public Builder messageTtlMs(long messageTtlMs) {
            this.messageTtlMs = messageTtlMs;
            return this;
        }

        /** Bound of the queue of appends waiting for the writer; past it appends fail fast. */
        public Builder maxPendingAppends(int maxPendingAppends) {
            this.maxPendingAppends = maxPendingAppends;
            return this;
        }

        /** Bound of the bytes waiting for the writer; past it appends fail fast. */
        public Builder maxPendingBytes(long maxPendingBytes) {
            this.maxPendingBytes = maxPendingBytes;
            return this;
        }

        /** Size of the writer's direct staging buffer. */
        public Builder writeBufferBytes(int writeBufferBytes) {
            this.writeBufferBytes = writeBufferBytes;
            return this;
        }

        /** How long deleted segments stay open for readers in flight (with a scheduler). */
        public Builder fileDeleteDelayMs(long fileDeleteDelayMs) {
            this.fileDeleteDelayMs = fileDeleteDelayMs;
            return this;
        }

        /** How far ahead of its data the active segment's file is zero-filled; 0: not at all. */
        public Builder preallocateBytes(int preallocateBytes) {
            this.preallocateBytes = preallocateBytes;
            return this;
        }

        public LogConfig build() {
            return new LogConfig(
                    segmentBytesMax,
                    segmentAgeMsMax,
                    indexIntervalBytes,
                    indexBytesMax,
                    durability,
                    groupCommitMaxDelayMs,
                    asyncFlushIntervalMs,
                    retentionMaxAgeMs,
                    retentionMaxBytes,
                    retentionMaxMessages,
                    retentionCheckIntervalMs,
                    cleanupPolicy,
                    compactionLagMs,
                    tombstoneRetentionMs,
                    minCleanableDirtyRatio,
                    compactionKeyMapBytesMax,
                    cleanerIntervalMs,
                    compression,
                    maxBatchBytes,
                    messageTtlMs,
                    maxPendingAppends,
                    maxPendingBytes,
                    writeBufferBytes,
                    fileDeleteDelayMs,
                    preallocateBytes);
        }
    }
}
