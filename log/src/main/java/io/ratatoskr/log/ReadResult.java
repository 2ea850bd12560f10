package io.ratatoskr.log;

import java.util.List;

/**
 * The outcome of {@link Log#read}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param records the decoded records, in offset order, at most the number asked for; TTL-expired
 *     records and records below the requested offset are left out
 * @param nextOffset where the next read should start (after the last record examined)
 * @param highWatermark the readable end when the read ran (the durable end in FSYNC and GROUP mode)
 * @param logStartOffset the first offset in the log when the read ran
 */
public record ReadResult(
        List<StoredRecord> records, long nextOffset, long highWatermark, long logStartOffset) {

    public ReadResult {
        records = List.copyOf(records);
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }
}
