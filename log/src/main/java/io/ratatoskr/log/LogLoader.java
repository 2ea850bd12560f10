package io.ratatoskr.log;

import io.ratatoskr.log.segment.FileIo;
import io.ratatoskr.log.segment.LogSegment;
import io.ratatoskr.log.segment.OffsetCheckpointFile;
import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.log.segment.SegmentScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a log directory: finishes or discards interrupted file operations, then either trusts a
 * clean shutdown or recovers.
 *
 * <ol>
 *   <li>Deletes {@code *.cleaned} (unfinished compaction), {@code *.deleted} and {@code *.tmp}.
 *   <li>Finishes committed compaction swaps: for {@code B.log.swap} whose batches end at offset E,
 *       deletes the segments based in [B, E] and renames the swap files into place.
 *   <li>If a valid clean-shutdown marker is present, deletes it (durably, so that a crash from now
 *       on is unclean) and loads each segment from its indexes, reading only the tail after the last
 *       index entry: a clean restart does not scan the log.
 *   <li>Otherwise segments below the recovery point are loaded the same way (they were sealed and
 *       fsync'd before the recovery point moved past them); each segment at or above it is scanned:
 *       framing, CRC32C and offset order of every batch. The first batch that fails, and everything
 *       after it, is cut off (the log says what was cut and why), the indexes are rebuilt, and the
 *       segments after a cut one are deleted.
 * </ol>
 *
 * <p>Any index that is missing or fails its sanity check is rebuilt from its segment.
 *
 * <p>Thread-safety: runs on one thread before the log is published (open) or on the writer thread
 * (recover).
 */
final class LogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
    static final int SCAN_BUFFER_BYTES = 1024 * 1024;

    /** The loaded segments (oldest first) and whether the previous shutdown was clean. */
    record Loaded(List<LogSegment> segments, boolean clean, long recoveredBytes, long truncatedBytes) {}

    private final Path dir;
    private final LogConfig config;
    private final ChannelFactory channels;
    private final ByteBuffer scanBuffer = ByteBuffer.allocateDirect(SCAN_BUFFER_BYTES);

    LogLoader(Path dir, LogConfig config, ChannelFactory channels) {
        this.dir = dir;
        this.config = config;
        this.channels = channels;
    }

    Loaded load() throws IOException {
        Files.createDirectories(dir);
        deleteLeftovers();
        finishSwaps();
        deleteOrphanSwaps();
        TreeSet<Long> bases = segmentBases();
        Path markerFile = dir.resolve(SegmentFiles.CLEAN_SHUTDOWN);
        OptionalLong marker = OffsetCheckpointFile.read(markerFile, OffsetCheckpointFile.KIND_CLEAN_SHUTDOWN);
        if (Files.exists(markerFile)) {
            Files.delete(markerFile);
            FileIo.syncDirectory(channels, dir);
        }
        long recoveryPoint =
                OffsetCheckpointFile.read(dir.resolve(SegmentFiles.RECOVERY_POINT), OffsetCheckpointFile.KIND_RECOVERY_POINT)
                        .orElse(Long.MIN_VALUE);
        if (bases.isEmpty()) {
            LogSegment segment = newSegment(0);
            FileIo.syncDirectory(channels, dir);
            return new Loaded(List.of(segment), marker.isPresent(), 0, 0);
        }
        List<LogSegment> loaded = new ArrayList<>();
        long recovered = 0;
        long truncated = 0;
        boolean clean = marker.isPresent();
        Long[] ordered = bases.toArray(new Long[0]);
        try {
            for (int i = 0; i < ordered.length; i++) {
                long base = ordered[i];
                LogSegment segment = openSegment(base);
                loaded.add(segment);
                boolean last = i == ordered.length - 1;
                if (clean || base < recoveryPoint && !last) {
                    if (!segment.loadClean(scanBuffer)) {
                        LOG.warn("{}: rebuilt the indexes of {}", dir, segment.file().getFileName());
                    }
                    if (clean && last && segment.nextOffset() != marker.getAsLong()) {
                        LOG.warn("{}: clean-shutdown marker says end offset {}, the segment ends at {}; recovering",
                                dir, marker.getAsLong(), segment.nextOffset());
                        recovered += segment.size();
                        truncated += recoverSegment(segment, true);
                    }
                    continue;
                }
                recovered += segment.size();
                long cut = recoverSegment(segment, last);
                truncated += cut;
                if (cut > 0 && !last) {
                    for (int j = i + 1; j < ordered.length; j++) {
                        LOG.warn("{}: deleting segment {} that follows the corrupt one", dir, SegmentFiles.name(ordered[j]));
                        for (Path p : SegmentFiles.segmentFiles(dir, ordered[j], "")) {
                            FileIo.deleteIfExists(p);
                        }
                    }
                    FileIo.syncDirectory(channels, dir);
                    break;
                }
            }
            LogSegment active = loaded.get(loaded.size() - 1);
            active.makeWritable();
            return new Loaded(loaded, clean, recovered, truncated);
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : loaded) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private long recoverSegment(LogSegment segment, boolean last) throws IOException {
        LogSegment.RecoveryOutcome outcome = segment.recover(scanBuffer, last);
        if (outcome.truncatedBytes() > 0) {
            LOG.warn(
                    "{}: truncated {} bytes at position {} of {} ({}); the log now ends at offset {}",
                    dir, outcome.truncatedBytes(), outcome.validBytes(), segment.file().getFileName(),
                    outcome.reason(), outcome.nextOffset());
        }
        return outcome.truncatedBytes();
    }

    LogSegment newSegment(long base) throws IOException {
        return LogSegment.create(
                dir, base, config.indexIntervalBytes(), config.offsetIndexEntriesMax(), channels);
    }

    private LogSegment openSegment(long base) throws IOException {
        return LogSegment.open(
                dir, base, config.indexIntervalBytes(), config.offsetIndexEntriesMax(), channels);
    }

    private TreeSet<Long> segmentBases() throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SegmentFiles.LOG)) {
            for (Path p : files) {
                SegmentFiles.baseOffsetOf(p.getFileName().toString(), SegmentFiles.LOG).ifPresent(bases::add);
            }
        }
        return bases;
    }

    private void deleteLeftovers() throws IOException {
        boolean any = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(SegmentFiles.CLEANED)
                        || name.endsWith(SegmentFiles.DELETED)
                        || name.endsWith(SegmentFiles.TMP)) {
                    Files.delete(p);
                    any = true;
                }
            }
        }
        if (any) {
            FileIo.syncDirectory(channels, dir);
        }
    }

    /** Completes compaction swaps that were committed (renamed to .swap) before a crash. */
    private void finishSwaps() throws IOException {
        List<Long> swaps = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SegmentFiles.LOG + SegmentFiles.SWAP)) {
            for (Path p : files) {
                SegmentFiles.baseOffsetOf(p.getFileName().toString(), SegmentFiles.LOG + SegmentFiles.SWAP)
                        .ifPresent(swaps::add);
            }
        }
        for (long base : swaps) {
            Path[] swapFiles = SegmentFiles.segmentFiles(dir, base, SegmentFiles.SWAP);
            long end = lastOffsetOf(swapFiles[0]);
            for (long victim : segmentBases()) {
                if (victim >= base && victim <= end) {
                    for (Path p : SegmentFiles.segmentFiles(dir, victim, "")) {
                        FileIo.deleteIfExists(p);
                    }
                }
            }
            Path[] finalFiles = SegmentFiles.segmentFiles(dir, base, "");
            for (int i = 0; i < swapFiles.length; i++) {
                if (Files.exists(swapFiles[i])) {
                    Files.move(swapFiles[i], finalFiles[i], StandardCopyOption.ATOMIC_MOVE);
                }
            }
            FileIo.syncDirectory(channels, dir);
            LOG.info("{}: finished the compaction swap of segment {} (offsets up to {})", dir, SegmentFiles.name(base), end);
        }
    }

    /** Index .swap files whose .log.swap never came (a crash during the renames before the commit). */
    private void deleteOrphanSwaps() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SegmentFiles.SWAP)) {
            for (Path p : files) {
                Files.delete(p);
            }
        }
    }

    private long lastOffsetOf(Path file) throws IOException {
        try (var ch = channels.open(file, java.util.Set.of(java.nio.file.StandardOpenOption.READ))) {
            SegmentScanner scanner = new SegmentScanner(ch, 0, ch.size(), scanBuffer.clear());
            long last = -1;
            while (scanner.next()) {
                last = scanner.lastOffset();
            }
            return last;
        }
    }
}
