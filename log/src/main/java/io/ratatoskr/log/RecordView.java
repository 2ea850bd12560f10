package io.ratatoskr.log;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A record read back from a log whose key, value and idempotency key are views of the buffer the
 * read loaded from the file, not copies: what {@link Log#read(long, int, int, boolean, ReadBuffer,
 * java.util.function.Consumer)} hands to its visitor, for readers that decode a record into something
 * else at once and would otherwise copy each value twice.
 *
 * <p>Thread-safety: not thread-safe. The buffers are valid only during the visit that received the
 * view (the next read with the same {@link ReadBuffer} overwrites them); they must not be written to.
 * Each buffer's position and limit are the field's bounds and belong to the receiver. Headers are
 * decoded copies, as in {@link StoredRecord}.
 *
 * @param offset the record's offset in the log
 * @param timestampMs the record's timestamp (milliseconds since the epoch)
 * @param key nullable key bytes
 * @param value nullable value bytes (null: tombstone)
 * @param headers headers, never null
 * @param idempotencyKey nullable idempotency key bytes
 */
public record RecordView(
        long offset, long timestampMs, ByteBuffer key, ByteBuffer value, List<Header> headers,
        ByteBuffer idempotencyKey) {

    public RecordView {
        Objects.requireNonNull(headers, "headers");
    }

    /** A view of {@code record}'s own arrays. */
    public static RecordView of(StoredRecord record) {
        return new RecordView(record.offset(), record.timestampMs(), wrap(record.key()), wrap(record.value()),
                record.headers(), wrap(record.idempotencyKey()));
    }

    /** The record with its fields copied out of the read buffer: it outlives the visit. */
    public StoredRecord toStoredRecord() {
        return new StoredRecord(offset, timestampMs, copy(key), copy(value), headers, copy(idempotencyKey));
    }

    /** The bytes this record takes in memory once copied out: its fields plus a fixed overhead. */
    public long sizeInMemory() {
        long n = 24 + remaining(key) + remaining(value) + remaining(idempotencyKey);
        for (Header h : headers) {
            n += 8 + h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }

    /** Whether this record is a tombstone (null value). */
    public boolean isTombstone() {
        return value == null;
    }

    private static int remaining(ByteBuffer b) {
        return b == null ? 0 : b.remaining();
    }

    private static ByteBuffer wrap(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }

    /** A fresh array with {@code b}'s remaining bytes (null for null); {@code b} is not moved. */
    public static byte[] copy(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }
}
