package io.ratatoskr.log.segment;

import io.ratatoskr.log.ChannelFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A memory-mapped file of fixed-size entries, sorted by a key, looked up by binary search; the base
 * of {@link OffsetIndex} and {@link TimeIndex}.
 *
 * <p>The file has no header: its length is {@code entries * entrySize} after {@link #trim()} (a
 * sealed segment or a clean shutdown). The active segment's index is mapped at its full capacity, so
 * after a crash the file ends in zeros; recovery rebuilds it from the log, and {@link #isSane()}
 * rejects a file whose keys do not strictly increase.
 *
 * <p>Memory: each index maps at most {@code capacity * entrySize} bytes, paged in on use; the
 * mapping is released when the buffer is collected (the JDK offers no unmap before Java 22's
 * arenas). Resizing never touches bytes beyond the current entry count, so a reader holding the old
 * mapping never faults.
 *
 * <p>Thread-safety: one writer (the log's writer thread, or the loader before the log is published)
 * and any number of readers. The entry count is volatile and written after the entry's bytes, so a
 * reader that sees a count sees the entries below it.
 */
abstract class MappedIndex {

    private final Path file;
    private final int entrySize;
    private final int capacity;
    private final ChannelFactory channels;
    private volatile ByteBuffer mmap;
    private volatile int entries;

    MappedIndex(Path file, int entrySize, int capacity, ChannelFactory channels) throws IOException {
        this.file = file;
        this.entrySize = entrySize;
        this.capacity = capacity;
        this.channels = channels;
        try (FileChannel ch = open()) {
            long length = ch.size();
            int n = (int) Math.min(capacity, length / entrySize);
            this.mmap = map(ch, n);
            this.entries = n;
        }
    }

    private FileChannel open() throws IOException {
        return channels.open(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    private MappedByteBuffer map(FileChannel ch, int slots) throws IOException {
        long bytes = (long) slots * entrySize;
        if (ch.size() != bytes) {
            if (ch.size() > bytes) {
                ch.truncate(bytes);
            } else if (bytes > 0) {
                FileIo.writeFully(ch, ByteBuffer.allocate(1), bytes - 1);
            }
        }
        return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
    }

    /** Maps the file at full capacity so that entries can be appended. */
    public void makeWritable() throws IOException {
        if (mmap.capacity() == (long) capacity * entrySize) {
            return;
        }
        try (FileChannel ch = open()) {
            ByteBuffer bigger = map(ch, capacity);
            mmap = bigger;
        }
    }

    /** Shrinks the file to its entries (sealed segments, clean shutdown). */
    public void trim() throws IOException {
        if (mmap.capacity() == entries * entrySize) {
            return;
        }
        try (FileChannel ch = open()) {
            mmap = map(ch, entries);
        }
    }

    /** Makes the mapped entries durable. */
    public void flush() {
        if (mmap instanceof MappedByteBuffer m) {
            m.force();
        }
    }

    public int entries() {
        return entries;
    }

    public int capacity() {
        return capacity;
    }

    public boolean isFull() {
        return entries >= capacity;
    }

    public Path file() {
        return file;
    }

    /** Drops every entry (before a rebuild). */
    public void reset() {
        entries = 0;
    }

    /** Keeps only the first {@code n} entries. */
    void truncateEntries(int n) {
        if (n < entries) {
            entries = n;
        }
    }

    /** Appends an entry whose bytes {@code writer} puts at the given buffer position. */
    void appendEntry(EntryWriter writer) {
        int n = entries;
        if (n >= capacity) {
            throw new IllegalStateException("index " + file + " is full (" + capacity + " entries)");
        }
        ByteBuffer buf = mmap;
        if (buf.capacity() < (n + 1) * entrySize) {
            throw new IllegalStateException("index " + file + " is not writable");
        }
        writer.write(buf, n * entrySize);
        entries = n + 1;
    }

    /** The buffer to read entries {@code [0, entries())} from. */
    ByteBuffer buffer() {
        return mmap;
    }

    /** The key of entry {@code i}, for the binary search. */
    abstract long keyAt(ByteBuffer buf, int i);

    /**
     * Index of the last entry whose key is at most {@code key} (strictly less when {@code strict}), or
     * -1 if there is none.
     */
    int floorEntry(long key, boolean strict) {
        ByteBuffer buf = mmap;
        int n = entries;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long k = keyAt(buf, mid);
            if (k < key || (!strict && k == key)) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Whether keys strictly increase and {@code extraCheck} holds for every entry. */
    boolean isSorted() {
        ByteBuffer buf = mmap;
        int n = entries;
        for (int i = 1; i < n; i++) {
            if (keyAt(buf, i) <= keyAt(buf, i - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Writes one entry's bytes. */
    @FunctionalInterface
    interface EntryWriter {
        void write(ByteBuffer buf, int position);
    }
}
