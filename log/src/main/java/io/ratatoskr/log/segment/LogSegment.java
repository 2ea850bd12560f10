package io.ratatoskr.log.segment;

import io.ratatoskr.log.ChannelFactory;
import io.ratatoskr.log.StoredRecord;
import io.ratatoskr.log.format.BatchEncoder;
import io.ratatoskr.log.format.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One segment: a {@code .log} file of batches plus its {@link OffsetIndex} and {@link TimeIndex}.
 *
 * <p>The segment appends through a staging buffer owned by the writer: batches are copied into it
 * and written to the file in large writes ({@link #flushStaged}); {@link #size()} counts staged
 * bytes too. Readers never read past the log's readable end, which the writer moves only after the
 * bytes are written (and fsync'd, in FSYNC and GROUP mode), so they never see staged or torn data.
 *
 * <p>Preallocation ({@link #preallocate}): the active segment's file is written with zeros ahead of
 * its data, so that an fsync'd append overwrites blocks the file already has and its fdatasync writes
 * the data alone, not the file's size and block map as well (a file that grows needs both: on this
 * project's benchmark disk 164–180 µs against 103–115 µs for a 2 KiB write and fdatasync; PostgreSQL
 * zero-fills its WAL segments for the same reason). {@link #seal} cuts the file back to its data, so
 * a sealed segment's file size is its data; after a crash, {@link #recover} treats zeros after the
 * last valid batch of the active segment as preallocated space, not as damage (in any other segment
 * they are lost data).
 *
 * <p>Thread-safety: one writer thread calls the mutating methods (append, flush, sync, seal,
 * truncate, recover, close); readers call {@link #channel()}, {@link #size()}, the lookups and
 * {@link #scanner}, which use positional reads and volatile fields.
 */
public final class LogSegment {

    private static final Set<StandardOpenOption> RW =
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    private static final long PAGE = 4096;
    private static final long MIN_PREALLOCATION = 64 * 1024;
    /** Zeros to fill preallocated space with (read-only; each use takes a duplicate). */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final Path dir;
    private final long baseOffset;
    private final String suffix;
    private final int indexIntervalBytes;
    private final ChannelFactory channels;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;

    private volatile int size;
    private int writtenSize;
    /** The file's length: {@link #writtenSize} plus the zeros written ahead of it. */
    private int allocatedSize;
    /** How far ahead zeros are written (a chunk at a time); 0: none. */
    private int preallocateBytes;
    /** Zeros are never written past this length (the size at which the segment rolls). */
    private int preallocateLimit;
    private volatile long nextOffset;
    private volatile long maxTimestampMs = -1;
    private long lastBatchBaseOffset = -1;
    private long firstBatchTimestampMs = -1;
    private int bytesSinceIndexEntry;

    private LogSegment(
            Path dir, long baseOffset, String suffix, int indexIntervalBytes, int indexEntriesMax,
            ChannelFactory channels)
            throws IOException {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.suffix = suffix;
        Path[] files = SegmentFiles.segmentFiles(dir, baseOffset, suffix);
        this.indexIntervalBytes = indexIntervalBytes;
        this.channels = channels;
        FileChannel ch = channels.open(files[0], RW);
        try {
            this.offsetIndex = new OffsetIndex(files[1], baseOffset, indexEntriesMax, channels);
            this.timeIndex = new TimeIndex(files[2], baseOffset, indexEntriesMax + 1, channels);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        this.channel = ch;
        long length = ch.size();
        if (length > Integer.MAX_VALUE) {
            ch.close();
            throw new IOException("segment " + files[0] + " is over 2 GiB");
        }
        this.size = (int) length;
        this.writtenSize = (int) length;
        this.allocatedSize = (int) length;
        this.nextOffset = baseOffset;
    }

    /** Opens (or creates) the segment's files; call {@link #recover} or {@link #loadClean} next. */
    public static LogSegment open(
            Path dir, long baseOffset, int indexIntervalBytes, int indexEntriesMax, ChannelFactory channels)
            throws IOException {
        return new LogSegment(dir, baseOffset, "", indexIntervalBytes, indexEntriesMax, channels);
    }

    /** Creates a new, empty, writable segment (any files of that name are emptied). */
    public static LogSegment create(
            Path dir, long baseOffset, int indexIntervalBytes, int indexEntriesMax, ChannelFactory channels)
            throws IOException {
        return create(dir, baseOffset, "", indexIntervalBytes, indexEntriesMax, channels);
    }

    /**
     * Creates a new, empty, writable segment whose file names carry {@code suffix} (compaction writes
     * {@code .cleaned} segments this way).
     */
    public static LogSegment create(
            Path dir, long baseOffset, String suffix, int indexIntervalBytes, int indexEntriesMax,
            ChannelFactory channels)
            throws IOException {
        for (Path p : SegmentFiles.segmentFiles(dir, baseOffset, suffix)) {
            FileIo.deleteIfExists(p);
        }
        LogSegment segment =
                new LogSegment(dir, baseOffset, suffix, indexIntervalBytes, indexEntriesMax, channels);
        segment.offsetIndex.makeWritable();
        segment.timeIndex.makeWritable();
        return segment;
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Bytes appended, staged ones included. */
    public int size() {
        return size;
    }

    /** The offset after the last batch (the base offset if empty). */
    public long nextOffset() {
        return nextOffset;
    }

    /** The largest record timestamp, or -1 if empty. */
    public long maxTimestampMs() {
        return maxTimestampMs;
    }

    /** The timestamp of the first batch (for roll by age), or -1 if empty. */
    public long firstBatchTimestampMs() {
        return firstBatchTimestampMs;
    }

    public FileChannel channel() {
        return channel;
    }

    public Path file() {
        return SegmentFiles.segmentFiles(dir, baseOffset, suffix)[0];
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Whether the offset index has no room for another entry. */
    public boolean indexFull() {
        return offsetIndex.isFull();
    }

    public OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    public TimeIndex timeIndex() {
        return timeIndex;
    }

    /** A scanner over the batches in {@code [start, end)}. */
    public SegmentScanner scanner(long start, long end, ByteBuffer buffer) {
        return new SegmentScanner(channel, start, end, buffer);
    }

    // ---- writing (writer thread) ----

    /**
     * Appends a whole batch (base offset already assigned) through {@code staging}; returns its
     * position.
     */
    public int append(ByteBuffer batch, long base, long last, long maxTs, ByteBuffer staging)
            throws IOException {
        int position = size;
        int length = batch.remaining();
        if (staging.remaining() < length) {
            flushStaged(staging);
        }
        if (length > staging.capacity()) {
            reserve(writtenSize + (long) length);
            FileIo.writeFully(channel, batch.duplicate(), writtenSize);
            wrote(length);
        } else {
            staging.put(batch.duplicate());
        }
        indexBatch(base, last, maxTs, position, length);
        size = position + length;
        return position;
    }

    private void indexBatch(long base, long last, long maxTs, int position, int length) {
        if (firstBatchTimestampMs < 0) {
            firstBatchTimestampMs = maxTs;
        }
        if (maxTs > maxTimestampMs) {
            maxTimestampMs = maxTs;
        }
        if (offsetIndex.entries() == 0 || bytesSinceIndexEntry >= indexIntervalBytes) {
            offsetIndex.append(base, position);
            timeIndex.maybeAppend(maxTimestampMs, base);
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += length;
        lastBatchBaseOffset = base;
        nextOffset = last + 1;
    }

    /** Writes the staged bytes to the file (not fsync'd). */
    public void flushStaged(ByteBuffer staging) throws IOException {
        if (staging.position() == 0) {
            return;
        }
        staging.flip();
        int n = staging.remaining();
        reserve(writtenSize + (long) n);
        FileIo.writeFully(channel, staging, writtenSize);
        wrote(n);
        staging.clear();
    }

    /**
     * From now on, writes zeros up to {@code bytes} ahead of the data before a write needs the space
     * (this segment is the active one), never past {@code fileLimit} (where it rolls); 0 stops it.
     */
    public void preallocate(int bytes, int fileLimit) {
        this.preallocateBytes = bytes;
        this.preallocateLimit = fileLimit;
    }

    /**
     * Before data is written up to {@code end}: when that passes the zeros written so far, writes
     * zeros past {@code end} by as much as the segment already holds, from 64 KiB (or less, if the
     * preallocation is less) up to the preallocation (so a quiet log keeps little more than its data on disk, a busy one reaches the
     * full chunk at once), to a page boundary and within the size at which the segment rolls. The
     * fsync that follows the write persists the new length once.
     */
    private void reserve(long end) throws IOException {
        if (preallocateBytes <= 0 || end <= allocatedSize || end >= preallocateLimit) {
            return;
        }
        long ahead = Math.min(preallocateBytes, Math.max(MIN_PREALLOCATION, writtenSize));
        long target = Math.max(end, Math.min(preallocateLimit, (end + ahead + PAGE - 1) / PAGE * PAGE));
        // The data about to be written covers [writtenSize, end): zeros go after it, never over it.
        long position = Math.max(allocatedSize, end);
        try {
            while (position < target) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(zeros.capacity(), target - position));
                int n = zeros.remaining();
                FileIo.writeFully(channel, zeros, position);
                position += n;
            }
        } catch (IOException e) {
            // A disk too full for the zeros may still hold the data: this segment grows as it is written
            // from now on, and the write itself says whether the data fits.
            preallocateBytes = 0;
            allocatedSize = (int) Math.max(allocatedSize, Math.min(position, Integer.MAX_VALUE));
            return;
        }
        allocatedSize = (int) target;
    }

    /** {@code n} bytes of data were written at the end of the data; the file is at least that long. */
    private void wrote(int n) {
        writtenSize += n;
        allocatedSize = Math.max(allocatedSize, writtenSize);
    }

    /** Cuts the zeros written ahead of the data, so that the file's length is its data again; whether it cut. */
    private boolean trimPreallocation() throws IOException {
        // The file, not allocatedSize: zeros written by a fill that then failed count too.
        if (channel.size() > writtenSize) {
            channel.truncate(writtenSize);
            allocatedSize = writtenSize;
            return true;
        }
        return false;
    }

    /** Bytes in the file (staged bytes excluded). */
    public int writtenSize() {
        return writtenSize;
    }

    /** fdatasync of the segment file. */
    public void sync() throws IOException {
        channel.force(false);
    }

    /**
     * Seals the segment when it stops being the active one, or at a clean close: writes what is
     * still in {@code staging} (preallocation stopped first, so no zeros are written only to be cut),
     * adds the final time index entry, cuts the file back to its data, trims and flushes both
     * indexes, fsyncs the data and the file's new length.
     */
    public void seal(ByteBuffer staging) throws IOException {
        preallocateBytes = 0;
        flushStaged(staging);
        if (lastBatchBaseOffset >= 0) {
            timeIndex.maybeAppend(maxTimestampMs, lastBatchBaseOffset);
        }
        if (trimPreallocation()) {
            channel.force(true);
        } else {
            sync();
        }
        offsetIndex.trim();
        timeIndex.trim();
        offsetIndex.flush();
        timeIndex.flush();
    }

    /** Maps the indexes at full size again (this segment becomes the active one after a load). */
    public void makeWritable() throws IOException {
        offsetIndex.makeWritable();
        timeIndex.makeWritable();
    }

    // ---- loading (before the log is published) ----

    /** Outcome of {@link #recover}. */
    public record RecoveryOutcome(int validBytes, int truncatedBytes, String reason, long nextOffset) {}

    /**
     * Scans every batch, checks framing, CRC and offset order, truncates the file at the first batch
     * that fails, and rebuilds both indexes. The first batch may not start below the segment's base
     * offset and each batch must start after the previous one's last offset.
     *
     * @param active whether this is the last segment, the only one that may have preallocated zeros
     *               after its data; in any other (sealed, so cut back to its data) zeros are lost data
     *               and count as cut
     */
    public RecoveryOutcome recover(ByteBuffer scanBuffer, boolean active) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        offsetIndex.makeWritable();
        timeIndex.makeWritable();
        resetTail();
        long fileSize = channel.size();
        SegmentScanner scanner = scanner(0, fileSize, scanBuffer.clear());
        long expectedMin = baseOffset;
        int validEnd = 0;
        String reason = null;
        while (scanner.next()) {
            long base = scanner.baseOffset();
            long last = scanner.lastOffset();
            if (base < expectedMin) {
                reason = "batch base offset " + base + " does not follow offset " + (expectedMin - 1);
                break;
            }
            if (last - baseOffset > Integer.MAX_VALUE) {
                reason = "batch offset " + last + " is too far from the segment base";
                break;
            }
            if (!scanner.attributesKnown()) {
                reason = "unknown batch attributes";
                break;
            }
            if (!scanner.isCrcValid()) {
                reason = "CRC32C mismatch in the batch at offset " + base;
                break;
            }
            indexBatch(base, last, scanner.maxTimestamp(), (int) scanner.position(), scanner.sizeInBytes());
            validEnd = (int) (scanner.position() + scanner.sizeInBytes());
            expectedMin = last + 1;
        }
        if (reason == null) {
            reason = scanner.stopReason();
        }
        // Zeros after the last valid batch of the active segment are preallocated space, not damage:
        // only what ends at the last byte that is not zero counts as cut.
        long dataEnd = active ? endOfNonZero(validEnd, fileSize, scanBuffer.clear()) : fileSize;
        int truncated = (int) (dataEnd - validEnd);
        if (fileSize > validEnd) {
            channel.truncate(validEnd);
            channel.force(true);
        }
        size = validEnd;
        writtenSize = validEnd;
        allocatedSize = validEnd;
        return new RecoveryOutcome(validEnd, truncated, truncated > 0 ? reason : null, nextOffset);
    }

    /** The position after the last byte in {@code [from, to)} that is not zero; {@code from} if all are. */
    private long endOfNonZero(long from, long to, ByteBuffer buffer) throws IOException {
        long end = from;
        long position = from;
        while (position < to) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), to - position));
            int n = FileIo.readUpTo(channel, buffer, position);
            if (n <= 0) {
                break;
            }
            for (int i = n - 1; i >= 0; i--) {
                if (buffer.get(i) != 0) {
                    end = position + i + 1;
                    break;
                }
            }
            position += n;
        }
        return end;
    }

    private void resetTail() {
        size = 0;
        writtenSize = 0;
        nextOffset = baseOffset;
        maxTimestampMs = -1;
        lastBatchBaseOffset = -1;
        firstBatchTimestampMs = -1;
        bytesSinceIndexEntry = 0;
    }

    /**
     * Loads a segment that was flushed and sealed (or closed cleanly): checks the indexes (rebuilds
     * them by {@link #recover} if they are not sane) and reads the tail after the last index entry to
     * learn the next offset and largest timestamp. Returns false if the indexes had to be rebuilt.
     */
    public boolean loadClean(ByteBuffer scanBuffer) throws IOException {
        if (!offsetIndex.isSane(size) || !timeIndex.isSane() || (size > 0 && offsetIndex.entries() == 0)) {
            recover(scanBuffer, false);
            return false;
        }
        int from = offsetIndex.lastPosition();
        SegmentScanner scanner = scanner(from, size, scanBuffer.clear());
        nextOffset = offsetIndex.lastOffset();
        maxTimestampMs = timeIndex.lastTimestamp();
        int end = from;
        long bytesAfterEntry = 0;
        boolean first = true;
        while (scanner.next()) {
            long base = scanner.baseOffset();
            if (first && base != offsetIndex.lastOffset() && offsetIndex.entries() > 0) {
                recover(scanBuffer, false);
                return false;
            }
            first = false;
            lastBatchBaseOffset = base;
            nextOffset = scanner.lastOffset() + 1;
            maxTimestampMs = Math.max(maxTimestampMs, scanner.maxTimestamp());
            if (firstBatchTimestampMs < 0) {
                firstBatchTimestampMs = scanner.maxTimestamp();
            }
            bytesAfterEntry += scanner.sizeInBytes();
            end = (int) (scanner.position() + scanner.sizeInBytes());
        }
        if (end != size) {
            recover(scanBuffer, false);
            return false;
        }
        bytesSinceIndexEntry = (int) bytesAfterEntry;
        return true;
    }

    // ---- truncation (writer thread) ----

    /**
     * Removes every record with an offset of {@code offset} or more. A batch that straddles the
     * offset is rewritten with only its earlier records. The file is fsync'd.
     */
    public void truncateTo(long offset, ByteBuffer scanBuffer) throws IOException {
        if (offset >= nextOffset) {
            return;
        }
        SegmentScanner scanner = scanner(offsetIndex.lookup(offset), writtenSize, scanBuffer.clear());
        long cut = -1;
        long timeIndexCut = offset;
        while (scanner.next()) {
            if (scanner.lastOffset() >= offset) {
                cut = scanner.position();
                long base = scanner.baseOffset();
                if (base < offset) {
                    // A time index entry at this batch counts timestamps of records about to go: drop it.
                    timeIndexCut = base;
                    RecordBatch batch = RecordBatch.wrap(scanner.copyBatch());
                    List<StoredRecord> kept = new ArrayList<>();
                    for (StoredRecord r : batch.records()) {
                        if (r.offset() < offset) {
                            kept.add(r);
                        }
                    }
                    long maxTs = kept.stream().mapToLong(StoredRecord::timestampMs).max().orElse(batch.baseTimestamp());
                    ByteBuffer rewritten =
                            BatchEncoder.reencode(
                                    base, (int) (offset - 1 - base), batch.baseTimestamp(), maxTs, kept, batch.codec());
                    FileIo.writeFully(channel, rewritten, cut);
                    cut += rewritten.limit();
                }
                break;
            }
        }
        if (cut < 0) {
            return;
        }
        channel.truncate(cut);
        allocatedSize = (int) cut;
        channel.force(true);
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(timeIndexCut);
        reloadTail((int) cut, scanBuffer);
    }

    /** Recomputes the tail state from the last offset index entry to {@code end}. */
    private void reloadTail(int end, ByteBuffer scanBuffer) throws IOException {
        size = end;
        writtenSize = end;
        int from = offsetIndex.lastPosition();
        nextOffset = offsetIndex.entries() == 0 ? baseOffset : offsetIndex.lastOffset();
        long maxTs = timeIndex.lastTimestamp();
        lastBatchBaseOffset = -1;
        bytesSinceIndexEntry = 0;
        SegmentScanner scanner = scanner(from, end, scanBuffer.clear());
        while (scanner.next()) {
            lastBatchBaseOffset = scanner.baseOffset();
            nextOffset = scanner.lastOffset() + 1;
            maxTs = Math.max(maxTs, scanner.maxTimestamp());
            bytesSinceIndexEntry += scanner.sizeInBytes();
        }
        maxTimestampMs = maxTs;
        if (end == 0) {
            resetTail();
        }
    }

    /**
     * Appends an empty batch covering offsets [{@link #nextOffset()}, {@code endOffset}) so that the
     * segment's end survives a restart (after a truncation that left compaction gaps at the tail),
     * and fsyncs it.
     */
    public void appendFiller(long endOffset) throws IOException {
        long base = nextOffset;
        if (base >= endOffset) {
            return;
        }
        long ts = Math.max(0, maxTimestampMs);
        ByteBuffer filler =
                BatchEncoder.reencode(base, (int) (endOffset - 1 - base), ts, ts, List.of(), io.ratatoskr.log.CompressionCodec.NONE);
        int position = writtenSize;
        reserve(writtenSize + (long) filler.limit());
        FileIo.writeFully(channel, filler.duplicate(), position);
        wrote(filler.limit());
        indexBatch(base, endOffset - 1, ts, position, filler.limit());
        size = writtenSize;
        channel.force(false);
    }

    // ---- lookups (any thread) ----

    /**
     * The first batch at or after position 0 whose last offset is at least {@code offset}, within
     * {@code [0, limit)}; returns its position, or -1 if there is none.
     */
    public long positionOfBatchContaining(long offset, long limit, ByteBuffer scanBuffer)
            throws IOException {
        SegmentScanner scanner = scanner(offsetIndex.lookup(offset), limit, scanBuffer.clear());
        while (scanner.next()) {
            if (scanner.lastOffset() >= offset) {
                return scanner.position();
            }
        }
        return -1;
    }

    /**
     * The first offset in {@code [0, limit)} whose record timestamp is at least {@code timestampMs},
     * or -1 if there is none.
     */
    public long offsetOfTimestamp(long timestampMs, long limit, ByteBuffer scanBuffer)
            throws IOException {
        long startOffset = timeIndex.lookup(timestampMs);
        SegmentScanner scanner = scanner(offsetIndex.lookup(startOffset), limit, scanBuffer.clear());
        while (scanner.next()) {
            if (scanner.maxTimestamp() >= timestampMs) {
                for (StoredRecord r : RecordBatch.wrap(scanner.copyBatch()).records()) {
                    if (r.timestampMs() >= timestampMs) {
                        return r.offset();
                    }
                }
            }
        }
        return -1;
    }

    // ---- closing and deleting ----

    /** Closes the file channel; the index mappings go with their buffers. */
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Renames the segment's files to {@code *.deleted} so that a crash cannot bring them back; the
     * channel stays open for readers in flight until {@link #deleteRenamed()}.
     */
    public void renameToDeleted() throws IOException {
        Path[] from = SegmentFiles.segmentFiles(dir, baseOffset, "");
        Path[] to = SegmentFiles.segmentFiles(dir, baseOffset, SegmentFiles.DELETED);
        for (int i = 0; i < from.length; i++) {
            if (Files.exists(from[i])) {
                Files.move(from[i], to[i], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Closes the channel and deletes the {@code *.deleted} files. */
    public void deleteRenamed() throws IOException {
        close();
        for (Path p : SegmentFiles.segmentFiles(dir, baseOffset, SegmentFiles.DELETED)) {
            FileIo.deleteIfExists(p);
        }
    }

    ChannelFactory channels() {
        return channels;
    }

    @Override
    public String toString() {
        return "LogSegment[" + file() + ", size=" + size + ", next=" + nextOffset + "]";
    }
}
