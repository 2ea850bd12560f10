package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.charset.StandardCharsets;

import static io.ratatoskr.mqtt.codec.MalformedPacketException.malformed;

/**
 * MQTT's data representations (MQTT 5.0 §1.5, 3.1.1 §1.5 and §2.2.3): reading them from a frame, their
 * encoded sizes, and writing them. Reads never pass the end of the buffer they are given, which is one
 * frame: a length that claims more than is left is a Malformed Packet, found before anything is
 * allocated.
 *
 * <p>Strings are validated and decoded from an array: a heap buffer's own, or a copy of the bytes in a scratch
 * array of the calling thread (one bulk copy instead of a bounds-checked read per byte of a direct buffer).
 * Property blocks are read the same way ({@link #copyOut}). Thread-safe: the scratch space is per thread
 * and used only for the duration of one call (a copied block until its reader returns).
 */
final class Wire {
    /** The largest Variable Byte Integer (§1.5.5): four bytes of seven bits. */
    static final int MAX_VARIABLE_BYTE_INTEGER = 268_435_455;
    /** The longest UTF-8 string or binary data: a two-byte length prefix (§1.5.4, §1.5.6). */
    static final int MAX_TWO_BYTE_LENGTH = 0xFFFF;
    /** The largest packet: one type byte, four length bytes and the largest remaining length. */
    static final int MAX_PACKET_BYTES = 1 + 4 + MAX_VARIABLE_BYTE_INTEGER;
    /** Strings and property blocks up to this size are copied into the thread's scratch space. */
    static final int SCRATCH_BYTES = 4096;

    /** Per-thread scratch: a heap buffer for property blocks and an array for strings, kept apart. */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    /** Plain wrapped arrays: nothing to release, so no leak tracking when a thread and its scratch go. */
    private static final class Scratch {
        final ByteBuf block = Unpooled.wrappedBuffer(new byte[SCRATCH_BYTES]);
        final byte[] string = new byte[SCRATCH_BYTES];
    }

    private Wire() {
    }

    // ---- reading ----

    static int readByte(ByteBuf in, String field) {
        need(in, 1, field);
        return in.readUnsignedByte();
    }

    static int readTwoByteInteger(ByteBuf in, String field) {
        need(in, 2, field);
        return in.readUnsignedShort();
    }

    static long readFourByteInteger(ByteBuf in, String field) {
        need(in, 4, field);
        return in.readUnsignedInt();
    }

    static int readVariableByteInteger(ByteBuf in, String field) {
        int value = decodeVariableByteInteger(in, in.readerIndex(), in.writerIndex(), field);
        if (value < 0) {
            throw malformed(field + ": Variable Byte Integer runs past the end of the packet");
        }
        in.skipBytes(variableByteIntegerSize(value));
        return value;
    }

    /**
     * Decodes a Variable Byte Integer from the bytes at {@code index} up to {@code limit} without moving
     * the reader index. Returns -1 when the bytes end before its last byte; throws when it runs to a fifth
     * byte (§1.5.5) or is not minimally encoded [MQTT-1.5.5-1]. Minimal encoding is enforced for 3.1.1 as
     * well: its §2.2.3 algorithm can produce no other form. Because the encoding is minimal, the value
     * alone tells its size: {@link #variableByteIntegerSize(int)}.
     */
    static int decodeVariableByteInteger(ByteBuf buf, int index, int limit, String field) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (index + i >= limit) {
                return -1;
            }
            int b = buf.getUnsignedByte(index + i);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw malformed(field + ": Variable Byte Integer is not minimally encoded [MQTT-1.5.5-1]");
                }
                return value;
            }
        }
        throw malformed(field + ": Variable Byte Integer longer than 4 bytes (§1.5.5)");
    }

    static String readString(ByteBuf in, String field) {
        int length = readTwoByteInteger(in, field);
        needLength(in, length, field);
        if (length == 0) {
            return "";
        }
        int index = in.readerIndex();
        byte[] bytes;
        int offset;
        if (in.hasArray()) {
            bytes = in.array();
            offset = in.arrayOffset() + index;
        } else {
            bytes = length <= SCRATCH_BYTES ? SCRATCH.get().string : new byte[length];
            offset = 0;
            in.getBytes(index, bytes, 0, length);
        }
        Utf8.validate(bytes, offset, length, field);
        in.skipBytes(length);
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    /**
     * Moves the next {@code length} bytes of {@code in} (which has them) into a heap buffer, for a reader that
     * parses them field by field: the thread's scratch buffer when they fit, which is valid until the next
     * call on this thread, else a new one.
     */
    static ByteBuf copyOut(ByteBuf in, int length) {
        ByteBuf out = length <= SCRATCH_BYTES ? SCRATCH.get().block : Unpooled.wrappedBuffer(new byte[length]);
        out.clear();
        in.readBytes(out, length);
        return out;
    }

    static byte[] readBinary(ByteBuf in, String field) {
        int length = readTwoByteInteger(in, field);
        needLength(in, length, field);
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    private static void need(ByteBuf in, int bytes, String field) {
        if (in.readableBytes() < bytes) {
            throw malformed(field + ": needs " + bytes + " bytes but the packet ends after "
                    + in.readableBytes());
        }
    }

    private static void needLength(ByteBuf in, int length, String field) {
        if (in.readableBytes() < length) {
            throw malformed(field + ": length " + length + " runs past the end of the packet ("
                    + in.readableBytes() + " bytes left)");
        }
    }

    // ---- sizes ----

    static int variableByteIntegerSize(int value) {
        if (value < 0 || value > MAX_VARIABLE_BYTE_INTEGER) {
            throw new IllegalArgumentException("Variable Byte Integer " + value + " is outside 0.."
                    + MAX_VARIABLE_BYTE_INTEGER);
        }
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    /** Bytes of a UTF-8 Encoded String with its length prefix; refuses strings no peer would accept. */
    static int stringSize(String s, String field) {
        int length = Utf8.encodedLength(s, field);
        if (length > MAX_TWO_BYTE_LENGTH) {
            throw new IllegalArgumentException(field + " is " + length + " bytes of UTF-8; at most "
                    + MAX_TWO_BYTE_LENGTH + " fit");
        }
        return 2 + length;
    }

    /** A UTF-8 Encoded String's bytes, without the length prefix; refuses what {@link #stringSize} refuses. */
    static byte[] encodeString(String s, String field) {
        byte[] bytes = Utf8.encode(s, field);
        if (bytes.length > MAX_TWO_BYTE_LENGTH) {
            throw new IllegalArgumentException(field + " is " + bytes.length + " bytes of UTF-8; at most "
                    + MAX_TWO_BYTE_LENGTH + " fit");
        }
        return bytes;
    }

    static int binarySize(byte[] b, String field) {
        if (b.length > MAX_TWO_BYTE_LENGTH) {
            throw new IllegalArgumentException(field + " is " + b.length + " bytes; at most "
                    + MAX_TWO_BYTE_LENGTH + " fit");
        }
        return 2 + b.length;
    }

    // ---- writing ----

    static void writeVariableByteInteger(ByteBuf out, int value) {
        do {
            int b = value & 0x7F;
            value >>>= 7;
            out.writeByte(value > 0 ? b | 0x80 : b);
        } while (value > 0);
    }

    /**
     * Writes a string sized earlier by {@link #stringSize}. The caller has made {@code out} writable for the
     * whole packet, so the bytes left writable bound the reservation: the string is encoded straight into
     * the buffer, and its length prefix is patched in afterwards rather than counted twice.
     */
    static void writeString(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int reserve = Math.min(ByteBufUtil.utf8MaxBytes(s), out.writableBytes());
        int written = ByteBufUtil.reserveAndWriteUtf8(out, s, reserve);
        out.setShort(lengthIndex, written);
    }

    static void writeBinary(ByteBuf out, byte[] b) {
        out.writeShort(b.length);
        out.writeBytes(b);
    }
}
