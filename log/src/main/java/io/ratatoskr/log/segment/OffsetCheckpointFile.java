package io.ratatoskr.log.segment;

import io.ratatoskr.log.ChannelFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * A tiny file that holds one offset: the clean-shutdown marker and the recovery point.
 *
 * <table>
 *   <caption>Layout, 22 bytes, big-endian</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>4</td><td>magic 0x52434B50 ("RCKP")</td></tr>
 *   <tr><td>4</td><td>1</td><td>version 1</td></tr>
 *   <tr><td>5</td><td>1</td><td>kind: 1 clean-shutdown marker (offset = log end offset), 2 recovery
 *       point</td></tr>
 *   <tr><td>6</td><td>8</td><td>offset</td></tr>
 *   <tr><td>14</td><td>4</td><td>reserved, 0</td></tr>
 *   <tr><td>18</td><td>4</td><td>CRC32C of bytes [0, 18)</td></tr>
 * </table>
 *
 * <p>Written atomically ({@link FileIo#writeAtomically}). A file that is missing, short, or fails
 * magic, version, kind or CRC reads as absent: for the marker that means an unclean start (full
 * recovery from the recovery point); for the recovery point it means recovering every segment.
 *
 * <p>Thread-safety: stateless.
 */
public final class OffsetCheckpointFile {

    public static final byte KIND_CLEAN_SHUTDOWN = 1;
    public static final byte KIND_RECOVERY_POINT = 2;

    private static final int MAGIC = 0x52434B50;
    private static final byte VERSION = 1;
    private static final int SIZE = 22;

    private OffsetCheckpointFile() {}

    public static void write(ChannelFactory channels, Path file, byte kind, long offset)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(SIZE);
        buf.putInt(MAGIC).put(VERSION).put(kind).putLong(offset).putInt(0);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, 18);
        buf.putInt((int) crc.getValue());
        FileIo.writeAtomically(channels, file, buf.flip());
    }

    /** The offset stored in {@code file}, or empty if it is missing or not valid. */
    public static OptionalLong read(Path file, byte kind) throws IOException {
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != SIZE) {
            return OptionalLong.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 18);
        if (buf.getInt(0) != MAGIC
                || buf.get(4) != VERSION
                || buf.get(5) != kind
                || buf.getInt(18) != (int) crc.getValue()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(buf.getLong(6));
    }
}
