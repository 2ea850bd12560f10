package io.ratatoskr.log.segment;

import io.ratatoskr.log.format.BatchFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Walks the batches of a segment file between two positions by their headers, reading the file in
 * large chunks, without decoding records. Used by recovery (with {@link #isCrcValid()}), by offset
 * and timestamp lookups and by reads to find batch boundaries.
 *
 * <p>{@link #next()} stops (returns false) at the end, or at the first header that is cut short,
 * has a bad magic, version or length, or whose body runs past the end; {@link #stopReason()} then
 * says which (null at a clean end).
 *
 * <p>Memory: one buffer of the given size, whatever the batch sizes (CRCs of larger batches are
 * computed chunk by chunk).
 *
 * <p>Thread-safety: not thread-safe; use from one thread. Several scanners may read one channel
 * concurrently (positional reads).
 */
public final class SegmentScanner {

    private final FileChannel channel;
    private final long end;
    private final ByteBuffer buf;
    private long bufStart;
    private int bufLength;
    private long position;
    private int size;
    private String stopReason;

    /** Scans batches starting at {@code start}; stops before {@code end}. */
    public SegmentScanner(FileChannel channel, long start, long end, ByteBuffer buffer) {
        this.channel = channel;
        this.end = end;
        this.buf = buffer;
        this.position = start;
        this.size = 0;
        this.bufStart = start;
        this.bufLength = 0;
    }

    /** Advances to the next batch; false at the end or at an invalid header. */
    public boolean next() throws IOException {
        position += size;
        size = 0;
        long remaining = end - position;
        if (remaining <= 0) {
            return false;
        }
        if (remaining < BatchFormat.HEADER_SIZE) {
            return stop("a batch header is cut short: " + remaining + " bytes left");
        }
        ensure(position, BatchFormat.HEADER_SIZE);
        int at = (int) (position - bufStart);
        String problem = headerProblem(buf, at, remaining);
        if (problem != null) {
            return stop(problem);
        }
        size = batchSize(buf, at);
        return true;
    }

    /**
     * What is wrong with the batch header at {@code at} in {@code buf} (all {@link BatchFormat#HEADER_SIZE}
     * bytes of it there), given {@code remaining} bytes from it to the end of the scanned range; null if
     * nothing: then {@link #batchSize} is the batch's size, within {@code remaining}.
     */
    public static String headerProblem(ByteBuffer buf, int at, long remaining) {
        int length = buf.getInt(at + BatchFormat.LENGTH_OFFSET);
        long total = BatchFormat.LOG_OVERHEAD + (long) length;
        if (length < BatchFormat.HEADER_SIZE - BatchFormat.LOG_OVERHEAD) {
            return "batch length " + length + " is too small";
        }
        if (buf.get(at + BatchFormat.MAGIC_OFFSET) != BatchFormat.MAGIC) {
            return "bad magic byte " + buf.get(at + BatchFormat.MAGIC_OFFSET);
        }
        if (buf.get(at + BatchFormat.VERSION_OFFSET) != BatchFormat.VERSION) {
            return "unknown batch version " + buf.get(at + BatchFormat.VERSION_OFFSET);
        }
        if (total > remaining) {
            return "batch of " + total + " bytes runs past the end (" + remaining + " bytes left)";
        }
        if (buf.getInt(at + BatchFormat.LAST_OFFSET_DELTA_OFFSET) < 0
                || buf.getInt(at + BatchFormat.RECORD_COUNT_OFFSET) < 0) {
            return "negative offset delta or record count";
        }
        return null;
    }

    /** The size in bytes of the batch whose header is at {@code at}, once {@link #headerProblem} found none. */
    public static int batchSize(ByteBuffer buf, int at) {
        return BatchFormat.LOG_OVERHEAD + buf.getInt(at + BatchFormat.LENGTH_OFFSET);
    }

    private boolean stop(String reason) {
        stopReason = reason;
        size = 0;
        return false;
    }

    /** Why the scan stopped before the end, or null. */
    public String stopReason() {
        return stopReason;
    }

    /** Makes bytes [p, p + n) available in the buffer (n at most its capacity). */
    private void ensure(long p, int n) throws IOException {
        if (p >= bufStart && p + n <= bufStart + bufLength) {
            return;
        }
        buf.clear();
        long want = Math.min(buf.capacity(), end - p);
        buf.limit((int) want);
        bufStart = p;
        bufLength = FileIo.readUpTo(channel, buf, p);
        if (bufLength < n) {
            throw new java.io.EOFException("file ends inside a batch at " + p);
        }
    }

    /** Position of the current batch in the file. */
    public long position() {
        return position;
    }

    /** Size of the current batch in bytes. */
    public int sizeInBytes() {
        return size;
    }

    private int at() throws IOException {
        ensure(position, BatchFormat.HEADER_SIZE);
        return (int) (position - bufStart);
    }

    public long baseOffset() throws IOException {
        return buf.getLong(at() + BatchFormat.BASE_OFFSET_OFFSET);
    }

    public long lastOffset() throws IOException {
        return baseOffset() + buf.getInt(at() + BatchFormat.LAST_OFFSET_DELTA_OFFSET);
    }

    public long maxTimestamp() throws IOException {
        return buf.getLong(at() + BatchFormat.MAX_TIMESTAMP_OFFSET);
    }

    public int recordCount() throws IOException {
        return buf.getInt(at() + BatchFormat.RECORD_COUNT_OFFSET);
    }

    /** Whether the current batch's attribute bits are known. */
    public boolean attributesKnown() throws IOException {
        int attributes = buf.getShort(at() + BatchFormat.ATTRIBUTES_OFFSET);
        return (attributes & ~0x07) == 0 && (attributes & 0x07) <= 4;
    }

    /** Whether the current batch's CRC32C matches its bytes. */
    public boolean isCrcValid() throws IOException {
        int stored = buf.getInt(at() + BatchFormat.CRC_OFFSET);
        CRC32C crc = new CRC32C();
        long p = position + BatchFormat.CRC_START;
        long batchEnd = position + size;
        while (p < batchEnd) {
            int n = (int) Math.min(buf.capacity(), batchEnd - p);
            ensure(p, n);
            int from = (int) (p - bufStart);
            crc.update(buf.duplicate().limit(from + n).position(from));
            p += n;
        }
        return (int) crc.getValue() == stored;
    }

    /** A copy of the whole current batch. */
    public ByteBuffer copyBatch() throws IOException {
        ByteBuffer out = ByteBuffer.allocate(size);
        FileIo.readFully(channel, out, position);
        return out.flip();
    }
}
