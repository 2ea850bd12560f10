package io.ratatoskr.log.segment;

import io.ratatoskr.log.ChannelFactory;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Small file operations done the crash-safe way: positional reads and writes that loop until done,
 * atomic replacement (write {@code .tmp}, fsync, rename, fsync the directory) and directory syncs.
 *
 * <p>Thread-safety: stateless.
 */
public final class FileIo {

    private FileIo() {}

    /** Reads until {@code buf} is full; throws {@link EOFException} at the end of the file. */
    public static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new EOFException("end of file at " + p);
            }
            p += n;
        }
    }

    /** Reads as much as fits or is in the file; returns the bytes read. */
    public static int readUpTo(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                break;
            }
            p += n;
        }
        return (int) (p - position);
    }

    /** Writes all of {@code buf} at {@code position}. */
    public static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = ch.write(buf, p);
            if (n < 0) {
                throw new IOException("negative write");
            }
            p += n;
        }
    }

    /**
     * Replaces {@code target} with {@code content} atomically: a crash leaves either the old file or
     * the new one, never a mix.
     */
    public static void writeAtomically(ChannelFactory channels, Path target, ByteBuffer content)
            throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + SegmentFiles.TMP);
        try (FileChannel ch =
                channels.open(
                        tmp,
                        Set.of(
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE,
                                StandardOpenOption.TRUNCATE_EXISTING))) {
            writeFully(ch, content, 0);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(channels, target.getParent());
    }

    /** Makes renames, creations and deletions in {@code dir} durable. */
    public static void syncDirectory(ChannelFactory channels, Path dir) throws IOException {
        try (FileChannel ch = channels.open(dir, Set.of(StandardOpenOption.READ))) {
            ch.force(true);
        }
    }

    /** Deletes {@code file} if it exists. */
    public static boolean deleteIfExists(Path file) throws IOException {
        try {
            return Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
