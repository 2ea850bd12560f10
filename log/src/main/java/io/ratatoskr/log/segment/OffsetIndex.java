package io.ratatoskr.log.segment;

import io.ratatoskr.log.ChannelFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse offset index of one segment: maps a batch's base offset to its byte position in the
 * segment file, one entry every {@code indexIntervalBytes} of batches (and the first batch).
 *
 * <table>
 *   <caption>Entry, 8 bytes, big-endian; entries sorted by relative offset</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>4</td><td>relativeOffset: batch base offset minus the segment base offset</td></tr>
 *   <tr><td>4</td><td>4</td><td>position: byte position of that batch in the .log file</td></tr>
 * </table>
 *
 * <p>No magic or checksum: the file is derived data. It is rebuilt from the .log file whenever it
 * is missing, not a whole number of entries, not strictly increasing, points past the end of the
 * segment, or belongs to a segment that recovery scans (see {@code LogLoader}).
 *
 * <p>Thread-safety: see {@link MappedIndex}: one writer, many readers.
 */
public final class OffsetIndex extends MappedIndex {

    static final int ENTRY_SIZE = 8;

    private final long baseOffset;

    public OffsetIndex(Path file, long baseOffset, int capacity, ChannelFactory channels)
            throws IOException {
        super(file, ENTRY_SIZE, capacity, channels);
        this.baseOffset = baseOffset;
    }

    @Override
    long keyAt(ByteBuffer buf, int i) {
        return buf.getInt(i * ENTRY_SIZE);
    }

    private int positionAt(ByteBuffer buf, int i) {
        return buf.getInt(i * ENTRY_SIZE + 4);
    }

    /** Adds an entry; offsets and positions must increase. */
    public void append(long offset, int position) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " outside segment " + baseOffset);
        }
        int n = entries();
        if (n > 0) {
            ByteBuffer buf = buffer();
            if (relative <= keyAt(buf, n - 1) || position <= positionAt(buf, n - 1)) {
                throw new IllegalArgumentException(
                        "index entry (" + offset + ", " + position + ") does not follow the last one");
            }
        }
        appendEntry((buf, at) -> buf.putInt(at, (int) relative).putInt(at + 4, position));
    }

    /** Position of the last indexed batch whose base offset is at most {@code offset}; 0 if none. */
    public int lookup(long offset) {
        long relative = offset - baseOffset;
        if (relative < 0) {
            return 0;
        }
        int i = floorEntry(Math.min(relative, Integer.MAX_VALUE), false);
        return i < 0 ? 0 : positionAt(buffer(), i);
    }

    /** Base offset of the last entry, or the segment base offset if empty. */
    public long lastOffset() {
        int n = entries();
        return n == 0 ? baseOffset : baseOffset + keyAt(buffer(), n - 1);
    }

    /** Position of the last entry, or 0 if empty. */
    public int lastPosition() {
        int n = entries();
        return n == 0 ? 0 : positionAt(buffer(), n - 1);
    }

    /** Removes the entries whose offset is at least {@code offset}. */
    public void truncateTo(long offset) {
        truncateEntries(floorEntry(offset - baseOffset, true) + 1);
    }

    /** Whether the entries are plausible for a segment of {@code segmentSize} bytes. */
    public boolean isSane(int segmentSize) {
        ByteBuffer buf = buffer();
        int n = entries();
        if (!isSorted()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int p = positionAt(buf, i);
            if (p < 0 || p >= Math.max(1, segmentSize) || (i > 0 && p <= positionAt(buf, i - 1))) {
                return false;
            }
        }
        return n == 0 || keyAt(buf, 0) >= 0;
    }
}
