package io.ratatoskr.log;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A record read back from a log, with its offset and the timestamp it was stored with.
 *
 * <p>Thread-safety: immutable; its arrays are fresh copies that belong to the reader.
 *
 * @param offset the record's offset in the log
 * @param timestampMs the record's timestamp (milliseconds since the epoch)
 * @param key nullable key
 * @param value nullable value (null: tombstone)
 * @param headers headers, never null
 * @param idempotencyKey nullable idempotency key
 */
public record StoredRecord(
        long offset,
        long timestampMs,
        byte[] key,
        byte[] value,
        List<Header> headers,
        byte[] idempotencyKey) {

    public StoredRecord {
        Objects.requireNonNull(headers, "headers");
    }

    /** The record as it would be appended again (same key, value, headers, timestamp). */
    public Record toRecord() {
        return new Record(key, value, headers, timestampMs, idempotencyKey);
    }

    /** Whether this record is a tombstone (null value). */
    public boolean isTombstone() {
        return value == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredRecord r
                && offset == r.offset
                && timestampMs == r.timestampMs
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value)
                && headers.equals(r.headers)
                && Arrays.equals(idempotencyKey, r.idempotencyKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, timestampMs, Arrays.hashCode(key), Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "StoredRecord[offset=" + offset + ", key=" + Record.describe(key) + ", value="
                + Record.describe(value) + ", ts=" + timestampMs + "]";
    }
}
