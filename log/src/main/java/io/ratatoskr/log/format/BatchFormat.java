package io.ratatoskr.log.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The record batch format, version 1: the unit that is appended, fsync'd, checksummed, indexed and
 * read. A batch is what one {@code Log.append} call writes.
 *
 * <h2>Batch layout (all integers big-endian)</h2>
 *
 * <table>
 *   <caption>Batch header, 44 bytes</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th><th>meaning</th></tr>
 *   <tr><td>0</td><td>8</td><td>baseOffset</td><td>offset of the first record (offset delta 0)</td></tr>
 *   <tr><td>8</td><td>4</td><td>batchLength</td><td>bytes that follow this field; whole batch = 12 +
 *       batchLength</td></tr>
 *   <tr><td>12</td><td>4</td><td>crc</td><td>CRC32C (Castagnoli) of bytes [16, 12 + batchLength):
 *       everything from magic to the end. baseOffset and batchLength are outside it so that the
 *       writer can assign offsets without a second pass; recovery checks them by continuity.</td></tr>
 *   <tr><td>16</td><td>1</td><td>magic</td><td>{@value #MAGIC} ('R')</td></tr>
 *   <tr><td>17</td><td>1</td><td>version</td><td>{@value #VERSION}</td></tr>
 *   <tr><td>18</td><td>2</td><td>attributes</td><td>bits 0-2: compression codec id (0 none, 1 gzip,
 *       2 snappy, 3 lz4, 4 zstd); bits 3-15: zero</td></tr>
 *   <tr><td>20</td><td>4</td><td>lastOffsetDelta</td><td>last offset of the batch minus baseOffset.
 *       Compaction keeps it even when it removes the last records, so that a batch's offset range
 *       never shrinks.</td></tr>
 *   <tr><td>24</td><td>8</td><td>baseTimestamp</td><td>timestamp the record deltas are relative to
 *       (ms since the epoch)</td></tr>
 *   <tr><td>32</td><td>8</td><td>maxTimestamp</td><td>largest record timestamp</td></tr>
 *   <tr><td>40</td><td>4</td><td>recordCount</td><td>records in the batch (0 only after
 *       compaction)</td></tr>
 *   <tr><td>44</td><td>...</td><td>records</td><td>uncompressed: the records back to back.
 *       Compressed: int32 uncompressed length (at most {@link #MAX_UNCOMPRESSED_BYTES}), then the
 *       compressed records. recordCount is at most the records section's uncompressed bytes divided by
 *       {@link #MIN_RECORD_BYTES}.</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Record layout (varint = unsigned LEB128; varlong = zigzag LEB128)</caption>
 *   <tr><th>field</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>length</td><td>varint</td><td>bytes of the record after this field</td></tr>
 *   <tr><td>attributes</td><td>int8</td><td>bit 0 key present, bit 1 value present (absent:
 *       tombstone), bit 2 idempotency key present, bit 3 headers present; bits 4-7 zero</td></tr>
 *   <tr><td>timestampDelta</td><td>varlong</td><td>timestamp minus baseTimestamp</td></tr>
 *   <tr><td>offsetDelta</td><td>varint</td><td>offset minus baseOffset</td></tr>
 *   <tr><td>key</td><td>varint length + bytes</td><td>if bit 0</td></tr>
 *   <tr><td>value</td><td>varint length + bytes</td><td>if bit 1</td></tr>
 *   <tr><td>idempotencyKey</td><td>varint length + bytes</td><td>if bit 2</td></tr>
 *   <tr><td>headers</td><td>varint count, then per header: varint key length, UTF-8 key, varint
 *       (value length + 1, 0 for a null value), value bytes</td><td>if bit 3</td></tr>
 * </table>
 *
 * <p>A 100-byte value without key or headers in a batch of 16 costs 5 bytes of record overhead plus
 * 44/16 bytes of batch header: about 8%.
 *
 * <p><b>Torn or corrupt data.</b> A batch is valid when its 12-byte prefix and whole body lie inside
 * the file, magic and version match, attributes are known, and the CRC matches. Recovery stops at the
 * first batch that is not valid, or whose baseOffset does not follow the previous batch's last
 * offset, and truncates the segment there (see {@code LogLoader}). A reader that meets an invalid
 * batch in durable data reports {@link io.ratatoskr.log.CorruptRecordException}.
 *
 * <p>Thread-safety: constants and stateless helpers.
 */
public final class BatchFormat {

    /** Magic byte: 'R'. */
    public static final byte MAGIC = 0x52;
    /** The only version written and read. */
    public static final byte VERSION = 1;

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int CRC_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int VERSION_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 18;
    public static final int LAST_OFFSET_DELTA_OFFSET = 20;
    public static final int BASE_TIMESTAMP_OFFSET = 24;
    public static final int MAX_TIMESTAMP_OFFSET = 32;
    public static final int RECORD_COUNT_OFFSET = 40;
    /** Size of the fixed header; the records start here. */
    public static final int HEADER_SIZE = 44;
    /**
     * The largest uncompressed records section: the encoder refuses a bigger batch, and a reader refuses a
     * batch that claims more before allocating it (a claim is not memory until it checks out).
     */
    public static final int MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;
    /** The smallest record: a one-byte length, then attributes, timestamp delta and offset delta. */
    public static final int MIN_RECORD_BYTES = 4;
    /** The part of the header that is outside batchLength: baseOffset and batchLength. */
    public static final int LOG_OVERHEAD = 12;
    /** Where the CRC starts. */
    public static final int CRC_START = MAGIC_OFFSET;

    static final int CODEC_MASK = 0x07;

    static final int ATTR_KEY = 1;
    static final int ATTR_VALUE = 2;
    static final int ATTR_IDEMPOTENCY_KEY = 4;
    static final int ATTR_HEADERS = 8;
    static final int ATTR_KNOWN = ATTR_KEY | ATTR_VALUE | ATTR_IDEMPOTENCY_KEY | ATTR_HEADERS;

    private BatchFormat() {}

    /** CRC32C of {@code buf[from, to)} (absolute positions; the buffer is not changed). */
    public static int crc32c(ByteBuffer buf, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(to).position(from));
        return (int) crc.getValue();
    }
}
