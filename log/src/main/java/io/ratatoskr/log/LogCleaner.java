package io.ratatoskr.log;

import io.ratatoskr.log.format.BatchEncoder;
import io.ratatoskr.log.format.RecordBatch;
import io.ratatoskr.log.segment.FileIo;
import io.ratatoskr.log.segment.LogSegment;
import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.log.segment.SegmentScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction: keeps only the latest record per key in the sealed segments that are older than the
 * compaction lag, and removes tombstones older than {@code tombstoneRetentionMs}.
 *
 * <p>One pass:
 *
 * <ol>
 *   <li>The cleanable range is the longest prefix of sealed segments whose newest record is older
 *       than {@code compactionLagMs}; the active segment is never touched.
 *   <li>Keys of the dirty part (from the end of the previous pass) are mapped to their latest
 *       offset, within {@code compactionKeyMapBytesMax}; a full map ends the dirty part early, and
 *       the next pass goes on from there.
 *   <li>Consecutive cleanable segments are grouped (at most {@code segmentBytesMax} together) and
 *       each group is rewritten into {@code B.log.cleaned} (B: the group's first base offset): a
 *       record is dropped when the map has a later offset for its key, and a tombstone is dropped
 *       when it is old and nothing older can be left behind it. Each batch keeps its base offset and
 *       last offset delta; a batch left empty is dropped, except the group's last, which keeps the
 *       group's offset range visible to recovery.
 *   <li>The swap runs on the writer thread: rename the cleaned files to {@code .swap} (the commit
 *       point, after an fsync of the directory), rename the old segments to {@code .deleted}, rename
 *       the swap files into place, fsync the directory, and replace the segments in the set. A crash
 *       before the commit point leaves {@code .cleaned} files that loading deletes; after it, loading
 *       finishes the swap.
 * </ol>
 *
 * <p>Thread-safety: one pass at a time (a lock); the pass reads sealed segments from the calling
 * thread and hands the swap to the writer, which aborts it if a truncation or retention changed the
 * segments meanwhile.
 */
final class LogCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    /** Estimated heap per key map entry beyond the key bytes. */
    private static final int ENTRY_OVERHEAD_BYTES = 96;

    private final Path dir;
    private final LogConfig config;
    private final LogEnvironment env;
    private final LogSegments segments;
    private final LogWriter writer;
    private final Object passLock = new Object();
    private final AtomicLong firstDirtyOffset = new AtomicLong(-1);

    LogCleaner(Path dir, LogConfig config, LogEnvironment env, LogSegments segments, LogWriter writer) {
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.segments = segments;
        this.writer = writer;
    }

    /** A truncation to {@code offset} makes everything from there dirty again (writer thread). */
    void truncated(long offset) {
        firstDirtyOffset.accumulateAndGet(offset, (cur, o) -> cur < 0 ? cur : Math.min(cur, o));
    }

    CompactionResult clean() throws IOException {
        synchronized (passLock) {
            return pass();
        }
    }

    private CompactionResult pass() throws IOException {
        long now = env.clock().millis();
        int truncationsAtStart = writer.truncations();
        List<LogSegment> sealed = segments.sealed();
        List<LogSegment> cleanable = new ArrayList<>();
        for (LogSegment s : sealed) {
            if (s.maxTimestampMs() > now - config.compactionLagMs()) {
                break;
            }
            cleanable.add(s);
        }
        long start = segments.logStartOffset();
        long dirtyStart = Math.max(firstDirtyOffset.get(), start);
        if (cleanable.isEmpty()) {
            return CompactionResult.none(dirtyStart);
        }
        LogSegment afterCleanable = segments.next(cleanable.get(cleanable.size() - 1));
        long cleanableEnd = afterCleanable == null ? writer.nextOffset() : afterCleanable.baseOffset();
        if (dirtyStart >= cleanableEnd) {
            return CompactionResult.none(dirtyStart);
        }
        long totalBytes = 0;
        long dirtyBytes = 0;
        for (int i = 0; i < cleanable.size(); i++) {
            LogSegment s = cleanable.get(i);
            long segEnd = i + 1 < cleanable.size() ? cleanable.get(i + 1).baseOffset() : cleanableEnd;
            totalBytes += s.size();
            if (segEnd > dirtyStart) {
                dirtyBytes += s.size();
            }
        }
        if (totalBytes > 0 && (double) dirtyBytes / totalBytes < config.minCleanableDirtyRatio()) {
            return CompactionResult.none(dirtyStart);
        }
        long started = System.nanoTime();
        KeyMap map = new KeyMap(config.compactionKeyMapBytesMax());
        long mappedEnd = buildMap(cleanable, dirtyStart, cleanableEnd, map);
        long tombstoneHorizon = now - config.tombstoneRetentionMs();
        long removed = 0;
        long before = 0;
        long after = 0;
        int rewritten = 0;
        for (List<LogSegment> group : groups(cleanable)) {
            Cleaned cleaned = rewrite(group, map, dirtyStart, tombstoneHorizon);
            boolean swapped =
                    writer
                            .submitControl("compaction swap", () -> writer.failing(() -> swap(group, cleaned, truncationsAtStart)))
                            .join();
            if (!swapped) {
                LOG.info("{}: compaction pass aborted: the segments changed under it", dir);
                return new CompactionResult(rewritten, removed, before, after, dirtyStart);
            }
            rewritten += group.size();
            removed += cleaned.removed;
            before += cleaned.bytesBefore;
            after += cleaned.segmentBytes;
        }
        writer
                .submitControl("compaction checkpoint", () -> {
                    if (writer.truncations() == truncationsAtStart) {
                        firstDirtyOffset.set(mappedEnd);
                    }
                    return null;
                })
                .join();
        LOG.info(
                "{}: compacted {} segments in {} ms: {} records removed, {} -> {} bytes; dirty from {}",
                dir, rewritten, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), removed, before,
                after, mappedEnd);
        return new CompactionResult(rewritten, removed, before, after, mappedEnd);
    }

    /** Maps keys in [dirtyStart, cleanableEnd) to their latest offset; returns where mapping ended. */
    private long buildMap(List<LogSegment> cleanable, long dirtyStart, long cleanableEnd, KeyMap map)
            throws IOException {
        ByteBuffer scan = ByteBuffer.allocate(LogLoader.SCAN_BUFFER_BYTES);
        for (LogSegment s : cleanable) {
            SegmentScanner scanner = s.scanner(0, s.size(), scan.clear());
            while (scanner.next()) {
                if (scanner.lastOffset() < dirtyStart) {
                    continue;
                }
                if (scanner.baseOffset() >= cleanableEnd) {
                    return cleanableEnd;
                }
                for (StoredRecord r : RecordBatch.wrap(scanner.copyBatch()).records()) {
                    if (r.offset() < dirtyStart || r.key() == null) {
                        continue;
                    }
                    if (!map.put(r.key(), r.offset())) {
                        LOG.info("{}: compaction key map is full at offset {}; the next pass goes on", dir, r.offset());
                        return r.offset();
                    }
                }
            }
        }
        return cleanableEnd;
    }

    private List<List<LogSegment>> groups(List<LogSegment> cleanable) {
        List<List<LogSegment>> groups = new ArrayList<>();
        List<LogSegment> current = new ArrayList<>();
        long bytes = 0;
        for (LogSegment s : cleanable) {
            boolean fits =
                    current.isEmpty()
                            || (bytes + s.size() <= config.segmentBytesMax()
                                    && s.nextOffset() - current.get(0).baseOffset() <= Integer.MAX_VALUE);
            if (!fits) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(s);
            bytes += s.size();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    private record Cleaned(long baseOffset, long removed, long bytesBefore, long segmentBytes, List<Integer> sizes) {}

    private Cleaned rewrite(List<LogSegment> group, KeyMap map, long dirtyStart, long tombstoneHorizon)
            throws IOException {
        long base = group.get(0).baseOffset();
        LogSegment out =
                LogSegment.create(
                        dir, base, SegmentFiles.CLEANED, config.indexIntervalBytes(), config.offsetIndexEntriesMax(),
                        env.channels());
        ByteBuffer staging = ByteBuffer.allocate(256 * 1024);
        ByteBuffer scan = ByteBuffer.allocate(LogLoader.SCAN_BUFFER_BYTES);
        long removed = 0;
        long bytesBefore = 0;
        List<Integer> sizes = new ArrayList<>();
        ByteBuffer heldEmpty = null;
        long[] heldRange = null;
        try {
            for (LogSegment s : group) {
                bytesBefore += s.size();
                sizes.add(s.size());
                SegmentScanner scanner = s.scanner(0, s.size(), scan.clear());
                while (scanner.next()) {
                    RecordBatch batch = RecordBatch.wrap(scanner.copyBatch());
                    List<StoredRecord> records = batch.records();
                    List<StoredRecord> kept = new ArrayList<>(records.size());
                    for (StoredRecord r : records) {
                        if (keep(r, map, dirtyStart, tombstoneHorizon)) {
                            kept.add(r);
                        }
                    }
                    removed += records.size() - kept.size();
                    ByteBuffer bytes;
                    if (kept.size() == records.size()) {
                        bytes = batch.bytes();
                    } else {
                        long maxTs = kept.stream().mapToLong(StoredRecord::timestampMs).max().orElse(batch.baseTimestamp());
                        bytes =
                                BatchEncoder.reencode(
                                        batch.baseOffset(), batch.lastOffsetDelta(), batch.baseTimestamp(), maxTs, kept,
                                        batch.codec());
                        if (kept.isEmpty()) {
                            heldEmpty = bytes;
                            heldRange = new long[] {batch.baseOffset(), batch.lastOffset(), maxTs};
                            continue;
                        }
                    }
                    heldEmpty = null;
                    out.append(bytes, batch.baseOffset(), batch.lastOffset(), batchMaxTs(bytes), staging);
                }
            }
            if (heldEmpty != null) {
                out.append(heldEmpty, heldRange[0], heldRange[1], heldRange[2], staging);
            }
            out.seal(staging);
            return new Cleaned(base, removed, bytesBefore, out.size(), sizes);
        } finally {
            out.close();
        }
    }

    private static long batchMaxTs(ByteBuffer bytes) {
        return bytes.getLong(bytes.position() + io.ratatoskr.log.format.BatchFormat.MAX_TIMESTAMP_OFFSET);
    }

    private static boolean keep(StoredRecord r, KeyMap map, long dirtyStart, long tombstoneHorizon) {
        if (r.key() == null) {
            return true;
        }
        long latest = map.get(r.key());
        if (latest >= 0 && r.offset() < latest) {
            return false;
        }
        if (r.isTombstone() && r.timestampMs() < tombstoneHorizon) {
            // Safe to forget the tombstone only if no older value of its key can survive it: it is the
            // latest mapped record (older ones go in this pass), or it was cleaned by an earlier pass.
            boolean latestMapped = latest == r.offset();
            boolean cleanedBefore = latest < 0 && r.offset() < dirtyStart;
            return !(latestMapped || cleanedBefore);
        }
        return true;
    }

    /** Writer thread: replaces {@code group} by the cleaned segment, or returns false if it changed. */
    private boolean swap(List<LogSegment> group, Cleaned cleaned, int truncationsAtStart)
            throws IOException {
        Path[] cleanedFiles = SegmentFiles.segmentFiles(dir, cleaned.baseOffset, SegmentFiles.CLEANED);
        boolean unchanged = writer.truncations() == truncationsAtStart && writer.status().state() == LogStatus.State.OPEN;
        for (int i = 0; i < group.size() && unchanged; i++) {
            LogSegment s = group.get(i);
            unchanged = segments.floor(s.baseOffset()) == s && s.size() == cleaned.sizes.get(i)
                    && segments.active() != s;
        }
        if (!unchanged) {
            for (Path p : cleanedFiles) {
                FileIo.deleteIfExists(p);
            }
            return false;
        }
        Path[] swapFiles = SegmentFiles.segmentFiles(dir, cleaned.baseOffset, SegmentFiles.SWAP);
        // Index files first, the log file last: a .log.swap marks the commit.
        for (int i = cleanedFiles.length - 1; i >= 0; i--) {
            Files.move(cleanedFiles[i], swapFiles[i], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        FileIo.syncDirectory(env.channels(), dir);
        for (LogSegment s : group) {
            s.renameToDeleted();
        }
        Path[] finalFiles = SegmentFiles.segmentFiles(dir, cleaned.baseOffset, "");
        for (int i = 0; i < swapFiles.length; i++) {
            Files.move(swapFiles[i], finalFiles[i], StandardCopyOption.ATOMIC_MOVE);
        }
        FileIo.syncDirectory(env.channels(), dir);
        LogSegment fresh =
                LogSegment.open(
                        dir, cleaned.baseOffset, config.indexIntervalBytes(), config.offsetIndexEntriesMax(),
                        env.channels());
        fresh.loadClean(ByteBuffer.allocate(64 * 1024));
        segments.add(fresh);
        for (LogSegment s : group) {
            if (s.baseOffset() != cleaned.baseOffset) {
                segments.remove(s);
            }
            writer.retireRenamed(s);
        }
        return true;
    }

    /**
     * Key bytes to latest offset, bounded by an estimate of its heap use.
     *
     * <p>Thread-safety: confined to the cleaning thread.
     */
    private static final class KeyMap {
        private final Map<Key, long[]> map = new HashMap<>();
        private final long maxBytes;
        private long bytes;

        KeyMap(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        /** Records {@code offset} for {@code key}; false if the map is full (nothing recorded). */
        boolean put(byte[] key, long offset) {
            Key k = new Key(key);
            long[] slot = map.get(k);
            if (slot != null) {
                slot[0] = Math.max(slot[0], offset);
                return true;
            }
            long cost = key.length + ENTRY_OVERHEAD_BYTES;
            if (bytes + cost > maxBytes) {
                return false;
            }
            bytes += cost;
            map.put(k, new long[] {offset});
            return true;
        }

        long get(byte[] key) {
            long[] slot = map.get(new Key(key));
            return slot == null ? -1 : slot[0];
        }
    }

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
