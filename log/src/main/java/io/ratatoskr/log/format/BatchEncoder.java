package io.ratatoskr.log.format;

import static io.ratatoskr.log.format.BatchFormat.ATTR_HEADERS;
import static io.ratatoskr.log.format.BatchFormat.ATTR_IDEMPOTENCY_KEY;
import static io.ratatoskr.log.format.BatchFormat.ATTR_KEY;
import static io.ratatoskr.log.format.BatchFormat.ATTR_VALUE;
import static io.ratatoskr.log.format.BatchFormat.HEADER_SIZE;
import static io.ratatoskr.log.format.BatchFormat.LOG_OVERHEAD;

import io.ratatoskr.log.CompressionCodec;
import io.ratatoskr.log.Header;
import io.ratatoskr.log.InvalidRecordException;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes records into one batch of {@link BatchFormat} version 1, CRC included.
 *
 * <p>Runs on the appending thread, so that encoding, compression and checksumming are spread over
 * the callers and the log's writer thread only patches the base offset and copies bytes.
 *
 * <p>Thread-safety: stateless.
 */
public final class BatchEncoder {

    private BatchEncoder() {}

    /**
     * Encodes {@code records} as offsets 0..n-1 relative to a base offset assigned later. Records
     * with {@link Record#NO_TIMESTAMP} get {@code nowMs}.
     */
    public static EncodedBatch encode(List<Record> records, CompressionCodec codec, long nowMs) {
        int n = records.size();
        if (n == 0) {
            throw new IllegalArgumentException("a batch needs at least one record");
        }
        long baseTs = stamp(records.get(0), nowMs);
        long maxTs = baseTs;
        for (int i = 1; i < n; i++) {
            maxTs = Math.max(maxTs, stamp(records.get(i), nowMs));
        }
        ByteBuffer buf = encode(records, null, baseTs, maxTs, n - 1, codec, nowMs);
        return new EncodedBatch(buf, n, n - 1, baseTs, maxTs);
    }

    /**
     * Re-encodes stored records (for compaction and truncation) keeping their offsets, with the given
     * base offset and last offset delta. {@code records} may be empty.
     */
    public static ByteBuffer reencode(
            long baseOffset, int lastOffsetDelta, long baseTimestampMs, long maxTimestampMs,
            List<StoredRecord> records, CompressionCodec codec) {
        List<Record> plain = new ArrayList<>(records.size());
        int[] deltas = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            StoredRecord r = records.get(i);
            plain.add(r.toRecord());
            long delta = r.offset() - baseOffset;
            if (delta < 0 || delta > lastOffsetDelta) {
                throw new IllegalArgumentException("offset " + r.offset() + " outside batch at " + baseOffset);
            }
            deltas[i] = (int) delta;
        }
        ByteBuffer buf = encode(plain, deltas, baseTimestampMs, maxTimestampMs, lastOffsetDelta, codec, 0);
        buf.putLong(BatchFormat.BASE_OFFSET_OFFSET, baseOffset);
        return buf;
    }

    private static long stamp(Record r, long nowMs) {
        return r.timestampMs() == Record.NO_TIMESTAMP ? nowMs : r.timestampMs();
    }

    private static ByteBuffer encode(
            List<Record> records, int[] offsetDeltas, long baseTs, long maxTs, int lastOffsetDelta,
            CompressionCodec codec, long nowMs) {
        int n = records.size();
        List<byte[]> headerKeys = null;
        int recordsSize = 0;
        int[] bodySizes = new int[n];
        for (int i = 0; i < n; i++) {
            Record r = records.get(i);
            if (!r.headers().isEmpty() && headerKeys == null) {
                headerKeys = new ArrayList<>();
            }
            int body = bodySize(r, stamp(r, nowMs) - baseTs, delta(offsetDeltas, i), headerKeys);
            bodySizes[i] = body;
            recordsSize += Varints.sizeOfUnsigned(body) + body;
            if (recordsSize > BatchFormat.MAX_UNCOMPRESSED_BYTES || recordsSize < 0) {
                throw new InvalidRecordException("batch records exceed " + BatchFormat.MAX_UNCOMPRESSED_BYTES
                        + " bytes uncompressed");
            }
        }
        byte[] recordBytes;
        ByteBuffer out;
        int headerKeyIndex = 0;
        if (codec == CompressionCodec.NONE) {
            recordBytes = new byte[HEADER_SIZE + recordsSize];
            out = ByteBuffer.wrap(recordBytes);
            out.position(HEADER_SIZE);
        } else {
            recordBytes = new byte[recordsSize];
            out = ByteBuffer.wrap(recordBytes);
        }
        for (int i = 0; i < n; i++) {
            headerKeyIndex =
                    writeRecord(
                            out, records.get(i), bodySizes[i], baseTs, delta(offsetDeltas, i), headerKeys,
                            headerKeyIndex, nowMs);
        }
        ByteBuffer batch;
        if (codec == CompressionCodec.NONE) {
            batch = out;
        } else {
            byte[] compressed = Compression.compress(codec, recordBytes, recordsSize);
            batch = ByteBuffer.allocate(HEADER_SIZE + 4 + compressed.length);
            batch.position(HEADER_SIZE);
            batch.putInt(recordsSize);
            batch.put(compressed);
        }
        int size = batch.position();
        batch.putLong(BatchFormat.BASE_OFFSET_OFFSET, 0L);
        batch.putInt(BatchFormat.LENGTH_OFFSET, size - LOG_OVERHEAD);
        batch.put(BatchFormat.MAGIC_OFFSET, BatchFormat.MAGIC);
        batch.put(BatchFormat.VERSION_OFFSET, BatchFormat.VERSION);
        batch.putShort(BatchFormat.ATTRIBUTES_OFFSET, (short) codec.id());
        batch.putInt(BatchFormat.LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
        batch.putLong(BatchFormat.BASE_TIMESTAMP_OFFSET, baseTs);
        batch.putLong(BatchFormat.MAX_TIMESTAMP_OFFSET, maxTs);
        batch.putInt(BatchFormat.RECORD_COUNT_OFFSET, n);
        batch.putInt(BatchFormat.CRC_OFFSET, BatchFormat.crc32c(batch, BatchFormat.CRC_START, size));
        return batch.flip();
    }

    private static int delta(int[] offsetDeltas, int i) {
        return offsetDeltas == null ? i : offsetDeltas[i];
    }

    private static int bodySize(Record r, long tsDelta, int offsetDelta, List<byte[]> headerKeys) {
        int size = 1 + Varints.sizeOfSigned(tsDelta) + Varints.sizeOfUnsigned(offsetDelta);
        size += sizeOfBytes(r.key()) + sizeOfBytes(r.idempotencyKey());
        if (r.value() != null) {
            size += Varints.sizeOfUnsigned(r.valueLength()) + r.valueLength();
        }
        if (!r.headers().isEmpty()) {
            size += Varints.sizeOfUnsigned(r.headers().size());
            for (Header h : r.headers()) {
                byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
                headerKeys.add(k);
                size += Varints.sizeOfUnsigned(k.length) + k.length;
                int v = h.value() == null ? 0 : h.value().length + 1;
                size += Varints.sizeOfUnsigned(v) + (v == 0 ? 0 : v - 1);
            }
        }
        return size;
    }

    private static int sizeOfBytes(byte[] b) {
        return b == null ? 0 : Varints.sizeOfUnsigned(b.length) + b.length;
    }

    private static int writeRecord(
            ByteBuffer out, Record r, int body, long baseTs, int offsetDelta, List<byte[]> headerKeys,
            int headerKeyIndex, long nowMs) {
        long tsDelta = stamp(r, nowMs) - baseTs;
        int attributes =
                (r.key() != null ? ATTR_KEY : 0)
                        | (r.value() != null ? ATTR_VALUE : 0)
                        | (r.idempotencyKey() != null ? ATTR_IDEMPOTENCY_KEY : 0)
                        | (r.headers().isEmpty() ? 0 : ATTR_HEADERS);
        int lengthPos = out.position();
        Varints.putUnsigned(out, body);
        int bodyStart = out.position();
        out.put((byte) attributes);
        Varints.putSigned(out, tsDelta);
        Varints.putUnsigned(out, offsetDelta);
        putBytes(out, r.key());
        if (r.value() != null) {
            Varints.putUnsigned(out, r.valueLength());
            if (r.valuePrefix() != null) {
                out.put(r.valuePrefix());
            }
            out.put(r.value());
        }
        putBytes(out, r.idempotencyKey());
        if (!r.headers().isEmpty()) {
            Varints.putUnsigned(out, r.headers().size());
            for (Header h : r.headers()) {
                byte[] k = headerKeys.get(headerKeyIndex++);
                Varints.putUnsigned(out, k.length);
                out.put(k);
                if (h.value() == null) {
                    Varints.putUnsigned(out, 0);
                } else {
                    Varints.putUnsigned(out, h.value().length + 1);
                    out.put(h.value());
                }
            }
        }
        if (out.position() - bodyStart != body) {
            throw new AssertionError("record size mismatch at " + lengthPos);
        }
        return headerKeyIndex;
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        if (b != null) {
            Varints.putUnsigned(out, b.length);
            out.put(b);
        }
    }
}
