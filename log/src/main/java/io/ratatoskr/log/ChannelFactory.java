package io.ratatoskr.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens every file and directory channel the log uses: segments, indexes, checkpoints, directory
 * syncs. Production uses {@link #DEFAULT}; fault-injection tests return a {@link FileChannel} wrapper
 * that fails writes, short-writes, fails fsync or reports a full disk on cue.
 *
 * <p>Thread-safety: implementations must be thread-safe; the log calls them from its writer thread,
 * the cleaner and readers.
 */
@FunctionalInterface
public interface ChannelFactory {

    /** Plain {@link FileChannel#open(Path, Set, java.nio.file.attribute.FileAttribute[])}. */
    ChannelFactory DEFAULT = FileChannel::open;

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
