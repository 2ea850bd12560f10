package io.ratatoskr.log;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One record to append: key, value, headers, timestamp and an optional idempotency key.
 *
 * <p>A null {@code value} is a tombstone: in a compacted log it deletes the key. A timestamp of
 * {@link #NO_TIMESTAMP} means "now": the log stamps the record with its clock when the batch is
 * encoded. The log stores the idempotency key with the record; finding duplicates is the caller's
 * business.
 *
 * <p>The value may be given in two parts, {@code valuePrefix} and {@code value}, stored one after the
 * other as one value: a caller that frames a large payload with a small head of its own need not copy
 * the payload into a new array first (the batch encoder copies each part once). Readers get the value
 * back whole ({@link StoredRecord#value()}); {@link #storedValue()} gives it whole here too.
 *
 * <p>Thread-safety: immutable as long as nobody changes the byte arrays after handing them over. The
 * log does not copy them (no per-record allocation on the hot path) and never changes them.
 *
 * @param key nullable key bytes
 * @param value nullable value bytes; null is a tombstone
 * @param headers headers, never null (use {@code List.of()})
 * @param timestampMs milliseconds since the epoch, or {@link #NO_TIMESTAMP}
 * @param idempotencyKey nullable idempotency key bytes
 * @param valuePrefix nullable bytes stored before {@code value} as part of the same value; only with a
 *     non-null value
 */
public record Record(
        byte[] key, byte[] value, List<Header> headers, long timestampMs, byte[] idempotencyKey,
        byte[] valuePrefix) {

    /** The timestamp that asks the log to stamp the record itself. */
    public static final long NO_TIMESTAMP = -1L;

    public Record {
        headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
        if (timestampMs < 0 && timestampMs != NO_TIMESTAMP) {
            throw new IllegalArgumentException("negative timestamp: " + timestampMs);
        }
        if (valuePrefix != null && value == null) {
            throw new IllegalArgumentException("a tombstone has no value prefix");
        }
    }

    /** A record whose value is {@code value} alone. */
    public Record(byte[] key, byte[] value, List<Header> headers, long timestampMs, byte[] idempotencyKey) {
        this(key, value, headers, timestampMs, idempotencyKey, null);
    }

    /** The length of the stored value: the prefix's and the value's; 0 for a tombstone. */
    public int valueLength() {
        return (value == null ? 0 : value.length) + (valuePrefix == null ? 0 : valuePrefix.length);
    }

    /** The value as stored (the prefix, then the value), null for a tombstone; a copy when in two parts. */
    public byte[] storedValue() {
        if (valuePrefix == null || value == null) {
            return value;
        }
        byte[] whole = Arrays.copyOf(valuePrefix, valuePrefix.length + value.length);
        System.arraycopy(value, 0, whole, valuePrefix.length, value.length);
        return whole;
    }

    /** A record with only a value, stamped at append. */
    public static Record of(byte[] value) {
        return new Record(null, value, List.of(), NO_TIMESTAMP, null);
    }

    /** A keyed record, stamped at append. */
    public static Record of(byte[] key, byte[] value) {
        return new Record(key, value, List.of(), NO_TIMESTAMP, null);
    }

    /** This record with another timestamp. */
    public Record withTimestamp(long timestampMs) {
        return new Record(key, value, headers, timestampMs, idempotencyKey, valuePrefix);
    }

    /** This record with other headers. */
    public Record withHeaders(List<Header> headers) {
        return new Record(key, value, headers, timestampMs, idempotencyKey, valuePrefix);
    }

    /** This record with an idempotency key. */
    public Record withIdempotencyKey(byte[] idempotencyKey) {
        return new Record(key, value, headers, timestampMs, idempotencyKey, valuePrefix);
    }

    /** Whether this record is a tombstone (null value). */
    public boolean isTombstone() {
        return value == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r
                && timestampMs == r.timestampMs
                && Arrays.equals(key, r.key)
                && Arrays.equals(storedValue(), r.storedValue())
                && headers.equals(r.headers)
                && Arrays.equals(idempotencyKey, r.idempotencyKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                Arrays.hashCode(key), Arrays.hashCode(storedValue()), headers, timestampMs,
                Arrays.hashCode(idempotencyKey));
    }

    @Override
    public String toString() {
        return "Record[key=" + describe(key) + ", value=" + describe(storedValue()) + ", headers="
                + headers.size() + ", ts=" + timestampMs + "]";
    }

    static String describe(byte[] bytes) {
        return bytes == null ? "null" : bytes.length + "B";
    }
}
