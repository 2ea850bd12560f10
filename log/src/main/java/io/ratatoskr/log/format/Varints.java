package io.ratatoskr.log.format;

import io.ratatoskr.log.CorruptRecordException;
import java.nio.ByteBuffer;

/**
 * Variable-length integers as in protocol buffers: 7 bits a byte, least significant group first,
 * high bit set on every byte but the last. Signed values are zigzag-encoded first, so that small
 * negative deltas stay short.
 *
 * <p>Thread-safety: stateless.
 */
public final class Varints {

    private Varints() {}

    /** Bytes needed for {@code value} as an unsigned varint (1 to 5). */
    public static int sizeOfUnsigned(int value) {
        int bits = 32 - Integer.numberOfLeadingZeros(value | 1);
        return (bits + 6) / 7;
    }

    /** Writes {@code value} as an unsigned varint. */
    public static void putUnsigned(ByteBuffer buf, int value) {
        while ((value & ~0x7F) != 0) {
            buf.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        buf.put((byte) value);
    }

    /** Reads an unsigned varint; a value longer than 5 bytes is corrupt. */
    public static int getUnsigned(ByteBuffer buf) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = buf.get();
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new CorruptRecordException("varint longer than 5 bytes");
    }

    /** Bytes needed for {@code value} as a zigzag varlong (1 to 10). */
    public static int sizeOfSigned(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bits = 64 - Long.numberOfLeadingZeros(v | 1);
        return (bits + 6) / 7;
    }

    /** Writes {@code value} zigzag-encoded as a varlong. */
    public static void putSigned(ByteBuffer buf, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            buf.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buf.put((byte) v);
    }

    /** Reads a zigzag varlong; a value longer than 10 bytes is corrupt. */
    public static long getSigned(ByteBuffer buf) {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = buf.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return (v >>> 1) ^ -(v & 1);
            }
        }
        throw new CorruptRecordException("varlong longer than 10 bytes");
    }
}
