package io.ratatoskr.log.segment;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Names of the files in a log directory.
 *
 * <pre>
 * 00000000000000000000.log         batches (see BatchFormat), named by the segment's base offset
 * 00000000000000000000.index       sparse offset index (see OffsetIndex)
 * 00000000000000000000.timeindex   sparse time index (see TimeIndex)
 * *.cleaned                        compaction output being written; deleted on load
 * *.swap                           compaction output committed but not yet renamed; finished on load
 * *.deleted                        removed segment waiting for readers to finish; deleted on load
 * *.tmp                            a checkpoint being written; deleted on load
 * .clean-shutdown                  written last by a clean close (see OffsetCheckpointFile)
 * recovery-point                   offset below which every segment is flushed and sealed
 * .lock                            held (flock) while a process has the log open
 * </pre>
 *
 * <p>Thread-safety: stateless.
 */
public final class SegmentFiles {

    public static final String LOG = ".log";
    public static final String INDEX = ".index";
    public static final String TIME_INDEX = ".timeindex";
    public static final String CLEANED = ".cleaned";
    public static final String SWAP = ".swap";
    public static final String DELETED = ".deleted";
    public static final String TMP = ".tmp";
    public static final String CLEAN_SHUTDOWN = ".clean-shutdown";
    public static final String RECOVERY_POINT = "recovery-point";
    public static final String LOCK = ".lock";

    private SegmentFiles() {}

    /** The 20-digit, zero-padded base offset. */
    public static String name(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(name(baseOffset) + LOG);
    }

    public static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(name(baseOffset) + INDEX);
    }

    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(name(baseOffset) + TIME_INDEX);
    }

    /** The three files of a segment, with {@code suffix} appended (e.g. ".cleaned"). */
    public static Path[] segmentFiles(Path dir, long baseOffset, String suffix) {
        return new Path[] {
            dir.resolve(name(baseOffset) + LOG + suffix),
            dir.resolve(name(baseOffset) + INDEX + suffix),
            dir.resolve(name(baseOffset) + TIME_INDEX + suffix)
        };
    }

    /** The base offset of a file named {@code <20 digits><suffix>}, if it is one. */
    public static OptionalLong baseOffsetOf(String fileName, String suffix) {
        if (fileName.length() != 20 + suffix.length() || !fileName.endsWith(suffix)) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(fileName.charAt(i))) {
                return OptionalLong.empty();
            }
        }
        try {
            return OptionalLong.of(Long.parseLong(fileName.substring(0, 20)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
