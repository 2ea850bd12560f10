package io.ratatoskr.log.segment;

import io.ratatoskr.log.ChannelFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse time index of one segment. An entry (T, O) says: every record in the batches up to and
 * including the batch whose base offset is O has a timestamp of at most T. Entries are added with
 * offset index entries when the running maximum timestamp has grown, and once more when the segment
 * is sealed, so the last entry's T is the segment's largest timestamp.
 *
 * <table>
 *   <caption>Entry, 12 bytes, big-endian; T and O both strictly increase</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>8</td><td>timestamp T (ms since the epoch)</td></tr>
 *   <tr><td>8</td><td>4</td><td>relativeOffset: O minus the segment base offset</td></tr>
 * </table>
 *
 * <p>Derived data, rebuilt like the {@link OffsetIndex} when missing or not sane.
 *
 * <p>Thread-safety: see {@link MappedIndex}: one writer, many readers.
 */
public final class TimeIndex extends MappedIndex {

    static final int ENTRY_SIZE = 12;

    private final long baseOffset;

    public TimeIndex(Path file, long baseOffset, int capacity, ChannelFactory channels)
            throws IOException {
        super(file, ENTRY_SIZE, capacity, channels);
        this.baseOffset = baseOffset;
    }

    @Override
    long keyAt(ByteBuffer buf, int i) {
        return buf.getLong(i * ENTRY_SIZE);
    }

    private int relativeOffsetAt(ByteBuffer buf, int i) {
        return buf.getInt(i * ENTRY_SIZE + 8);
    }

    /** Adds (timestamp, offset) if the timestamp is above the last entry's. */
    public void maybeAppend(long timestampMs, long offset) {
        int n = entries();
        ByteBuffer buf = buffer();
        if (n > 0
                && (timestampMs <= keyAt(buf, n - 1) || offset - baseOffset <= relativeOffsetAt(buf, n - 1))) {
            return;
        }
        if (isFull()) {
            return;
        }
        int relative = Math.toIntExact(offset - baseOffset);
        appendEntry((b, at) -> b.putLong(at, timestampMs).putInt(at + 8, relative));
    }

    /** The last entry's timestamp, or -1 if empty. */
    public long lastTimestamp() {
        int n = entries();
        return n == 0 ? -1 : keyAt(buffer(), n - 1);
    }

    /**
     * Base offset of the batch to start scanning from for the first record with a timestamp of at
     * least {@code timestampMs}: the offset of the last entry with T below it (all records up to that
     * batch are older, so the answer is in that batch's successors; scanning from the batch itself is
     * harmless), or the segment base offset.
     */
    public long lookup(long timestampMs) {
        int i = floorEntry(timestampMs, true);
        return i < 0 ? baseOffset : baseOffset + relativeOffsetAt(buffer(), i);
    }

    /** Removes the entries whose offset is at least {@code offset}. */
    public void truncateTo(long offset) {
        ByteBuffer buf = buffer();
        int n = entries();
        int keep = n;
        while (keep > 0 && baseOffset + relativeOffsetAt(buf, keep - 1) >= offset) {
            keep--;
        }
        truncateEntries(keep);
    }

    /** Whether timestamps and offsets both strictly increase. */
    public boolean isSane() {
        ByteBuffer buf = buffer();
        int n = entries();
        for (int i = 1; i < n; i++) {
            if (relativeOffsetAt(buf, i) <= relativeOffsetAt(buf, i - 1)) {
                return false;
            }
        }
        return isSorted() && (n == 0 || relativeOffsetAt(buf, 0) >= 0);
    }
}
