package io.ratatoskr.log.format;

import static io.ratatoskr.log.format.BatchFormat.ATTR_HEADERS;
import static io.ratatoskr.log.format.BatchFormat.ATTR_IDEMPOTENCY_KEY;
import static io.ratatoskr.log.format.BatchFormat.ATTR_KEY;
import static io.ratatoskr.log.format.BatchFormat.ATTR_KNOWN;
import static io.ratatoskr.log.format.BatchFormat.ATTR_VALUE;
import static io.ratatoskr.log.format.BatchFormat.HEADER_SIZE;

import io.ratatoskr.log.CompressionCodec;
import io.ratatoskr.log.CorruptRecordException;
import io.ratatoskr.log.Header;
import io.ratatoskr.log.RecordView;
import io.ratatoskr.log.StoredRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only view of one stored batch ({@link BatchFormat} version 1) and its decoder.
 *
 * <p>Thread-safety: not thread-safe (it reads its buffer with relative gets); confine each instance
 * to one thread. Decoded records are immutable.
 */
public final class RecordBatch {

    private final ByteBuffer buf;

    private RecordBatch(ByteBuffer buf) {
        this.buf = buf;
    }

    /**
     * Wraps the batch that starts at {@code buf}'s position; the buffer must hold the whole batch.
     * Checks the framing (length, magic, version, attributes), not the CRC.
     */
    public static RecordBatch wrap(ByteBuffer buf) {
        int start = buf.position();
        if (buf.remaining() < HEADER_SIZE) {
            throw new CorruptRecordException("batch header is cut: " + buf.remaining() + " bytes");
        }
        int size = BatchFormat.LOG_OVERHEAD + buf.getInt(start + BatchFormat.LENGTH_OFFSET);
        if (size < HEADER_SIZE || size > buf.remaining()) {
            throw new CorruptRecordException("batch length " + size + " does not fit " + buf.remaining());
        }
        RecordBatch batch = new RecordBatch(buf.slice(start, size));
        batch.checkFraming();
        return batch;
    }

    private void checkFraming() {
        if (buf.get(BatchFormat.MAGIC_OFFSET) != BatchFormat.MAGIC) {
            throw new CorruptRecordException("bad magic " + buf.get(BatchFormat.MAGIC_OFFSET));
        }
        if (buf.get(BatchFormat.VERSION_OFFSET) != BatchFormat.VERSION) {
            throw new CorruptRecordException("unknown batch version " + buf.get(BatchFormat.VERSION_OFFSET));
        }
        int attributes = buf.getShort(BatchFormat.ATTRIBUTES_OFFSET);
        if ((attributes & ~BatchFormat.CODEC_MASK) != 0 || (attributes & BatchFormat.CODEC_MASK) > 4) {
            throw new CorruptRecordException("unknown batch attributes " + attributes);
        }
        if (lastOffsetDelta() < 0 || recordCount() < 0) {
            throw new CorruptRecordException("negative offset delta or record count");
        }
    }

    public long baseOffset() {
        return buf.getLong(BatchFormat.BASE_OFFSET_OFFSET);
    }

    public int lastOffsetDelta() {
        return buf.getInt(BatchFormat.LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset after this batch. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    public int sizeInBytes() {
        return buf.limit();
    }

    public long baseTimestamp() {
        return buf.getLong(BatchFormat.BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(BatchFormat.MAX_TIMESTAMP_OFFSET);
    }

    public int recordCount() {
        return buf.getInt(BatchFormat.RECORD_COUNT_OFFSET);
    }

    public CompressionCodec codec() {
        return CompressionCodec.ofId(buf.getShort(BatchFormat.ATTRIBUTES_OFFSET) & BatchFormat.CODEC_MASK);
    }

    /** Whether the stored CRC matches the bytes. */
    public boolean isCrcValid() {
        return buf.getInt(BatchFormat.CRC_OFFSET) == BatchFormat.crc32c(buf, BatchFormat.CRC_START, buf.limit());
    }

    /** Throws {@link CorruptRecordException} if the CRC does not match. */
    public void ensureValid() {
        if (!isCrcValid()) {
            throw new CorruptRecordException("CRC32C mismatch in batch at offset " + baseOffset());
        }
    }

    /** The batch bytes (a read-only view). */
    public ByteBuffer bytes() {
        return buf.asReadOnlyBuffer();
    }

    /** Decodes every record. Checks the CRC first. */
    public List<StoredRecord> records() {
        List<RecordView> views = views();
        List<StoredRecord> out = new ArrayList<>(views.size());
        for (RecordView v : views) {
            out.add(v.toStoredRecord());
        }
        return out;
    }

    /**
     * Decodes every record as a view whose key, value and idempotency key are slices of this batch's
     * buffer (of the decompressed records for a compressed batch), valid as long as that buffer is.
     * Checks the CRC first.
     */
    public List<RecordView> views() {
        ensureValid();
        ByteBuffer in = recordsSection();
        int count = recordCount();
        if (count > in.remaining() / BatchFormat.MIN_RECORD_BYTES) {
            // checked before the list is sized: a count is not memory until its records are there
            throw new CorruptRecordException("record count " + count + " does not fit " + in.remaining()
                    + " bytes in batch at offset " + baseOffset());
        }
        List<RecordView> out = new ArrayList<>(count);
        long baseOffset = baseOffset();
        long baseTs = baseTimestamp();
        try {
            for (int i = 0; i < count; i++) {
                out.add(readRecord(in, baseOffset, baseTs));
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("malformed record in batch at offset " + baseOffset, e);
        }
        if (in.hasRemaining()) {
            throw new CorruptRecordException(in.remaining() + " stray bytes after the records of batch at " + baseOffset);
        }
        return out;
    }

    private ByteBuffer recordsSection() {
        ByteBuffer section = buf.slice(HEADER_SIZE, buf.limit() - HEADER_SIZE);
        CompressionCodec codec = codec();
        if (codec == CompressionCodec.NONE) {
            return section;
        }
        if (section.remaining() < 4) {
            throw new CorruptRecordException("compressed batch without length");
        }
        int uncompressed = section.getInt();
        if (uncompressed < 0 || uncompressed > BatchFormat.MAX_UNCOMPRESSED_BYTES) {
            throw new CorruptRecordException("bad uncompressed length " + uncompressed);
        }
        byte[] src;
        int offset;
        if (section.hasArray()) {
            src = section.array();
            offset = section.arrayOffset() + section.position();
        } else {
            src = new byte[section.remaining()];
            section.duplicate().get(src);
            offset = 0;
        }
        return ByteBuffer.wrap(
                Compression.decompress(codec, src, offset, section.remaining(), uncompressed));
    }

    private static RecordView readRecord(ByteBuffer in, long baseOffset, long baseTs) {
        int length = Varints.getUnsigned(in);
        if (length < 3 || length > in.remaining()) {
            throw new CorruptRecordException("record length " + length + " does not fit");
        }
        int end = in.position() + length;
        int attributes = in.get();
        if ((attributes & ~ATTR_KNOWN) != 0) {
            throw new CorruptRecordException("unknown record attributes " + attributes);
        }
        long ts = baseTs + Varints.getSigned(in);
        long offset = baseOffset + Varints.getUnsigned(in);
        ByteBuffer key = (attributes & ATTR_KEY) != 0 ? slice(in) : null;
        ByteBuffer value = (attributes & ATTR_VALUE) != 0 ? slice(in) : null;
        ByteBuffer idem = (attributes & ATTR_IDEMPOTENCY_KEY) != 0 ? slice(in) : null;
        List<Header> headers = List.of();
        if ((attributes & ATTR_HEADERS) != 0) {
            int count = Varints.getUnsigned(in);
            if (count < 0 || count > in.remaining()) {
                throw new CorruptRecordException("header count " + count + " does not fit");
            }
            Header[] hs = new Header[count];
            for (int i = 0; i < count; i++) {
                String k = new String(readBytes(in), StandardCharsets.UTF_8);
                int v = Varints.getUnsigned(in);
                byte[] hv = null;
                if (v != 0) {
                    hv = new byte[checkLength(v - 1, in)];
                    in.get(hv);
                }
                hs[i] = new Header(k, hv);
            }
            headers = List.of(hs);
        }
        if (in.position() != end) {
            throw new CorruptRecordException("record body is " + (in.position() - end) + " bytes off its length");
        }
        return new RecordView(offset, ts, key, value, headers, idem);
    }

    private static ByteBuffer slice(ByteBuffer in) {
        int length = checkLength(Varints.getUnsigned(in), in);
        ByteBuffer field = in.slice(in.position(), length);
        in.position(in.position() + length);
        return field;
    }

    private static byte[] readBytes(ByteBuffer in) {
        byte[] b = new byte[checkLength(Varints.getUnsigned(in), in)];
        in.get(b);
        return b;
    }

    private static int checkLength(int length, ByteBuffer in) {
        if (length < 0 || length > in.remaining()) {
            throw new CorruptRecordException("field length " + length + " does not fit");
        }
        return length;
    }
}
