package io.ratatoskr.core.durable;

import io.ratatoskr.log.AppendResult;
import io.ratatoskr.log.ReadBuffer;
import io.ratatoskr.log.ReadProgress;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.RecordView;
import io.ratatoskr.log.StoredRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One partition of a durable topic: the unit that replication wraps (a Raft group per partition in
 * a cluster). Deliberately narrow — append, read, truncate, a state snapshot and a way to hear
 * about new data — so that a replicated implementation can stand in for the local log.
 *
 * <p>Thread-safety: implementations are thread-safe. Futures and listeners complete on the
 * partition's own threads: callbacks must not block.
 */
public interface Partition {

    /** The durable topic's name. */
    String topic();

    /** The partition number, from 0. */
    int id();

    /**
     * Appends records as one batch. Completes once durable as the topic's durability mode says, or
     * exceptionally with a {@link io.ratatoskr.core.error.RatatoskrException} whose code says why
     * ({@code PARTITION_OVERLOADED}, {@code PARTITION_FAILED}, {@code MESSAGE_TOO_LARGE}).
     */
    CompletableFuture<AppendResult> append(List<Record> records);

    /**
     * Reads from {@code offset} (at most {@code maxRecords} records, about {@code maxBytes}),
     * never past the durable end. An offset before the start is moved to the start; one past the
     * end gives an empty result.
     */
    ReadResult read(long offset, int maxRecords, int maxBytes);

    /**
     * As {@link #read(long, int, int)}, handing each record to {@code visitor} on the calling thread, in
     * offset order, as a view valid only during the visit (see {@link RecordView}); file ranges are loaded
     * into {@code buffer}. For readers that decode each record at once: no copy of the record's value.
     * This default reads copies and wraps them.
     */
    default ReadProgress read(
            long offset, int maxRecords, int maxBytes, ReadBuffer buffer, Consumer<RecordView> visitor) {
        ReadResult r = read(offset, maxRecords, maxBytes);
        for (StoredRecord record : r.records()) {
            visitor.accept(RecordView.of(record));
        }
        return new ReadProgress(r.records().size(), r.nextOffset(), r.highWatermark(), r.logStartOffset());
    }

    /** The first offset still kept. */
    long startOffset();

    /** The offset the next durable record will get (the high watermark). */
    long endOffset();

    /** The first offset whose record is stored at or after {@code timestampMs}; {@link #endOffset()} if none. */
    long offsetForTimestamp(long timestampMs);

    /** Removes every record at or after {@code offset} (replication uses this to repair a follower). */
    void truncateTo(long offset);

    /** The partition's state, for describe, metrics and health. */
    PartitionSnapshot snapshot();

    /**
     * Calls {@code listener} (on a partition thread, must not block) each time the durable end moves
     * forward, until the returned handle is closed.
     */
    AutoCloseable watch(Runnable listener);
}
