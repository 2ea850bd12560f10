package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.ratatoskr.mqtt.codec.MalformedPacketException.malformed;

/**
 * The rules of an MQTT UTF-8 Encoded String (MQTT 5.0 §1.5.4, 3.1.1 §1.5.3): well-formed UTF-8 as RFC 3629
 * restates it, no encoded surrogates U+D800..U+DFFF [MQTT-1.5.4-1], no U+0000 [MQTT-1.5.4-2]. A byte order
 * mark is an ordinary character and is kept [MQTT-1.5.4-3]. Stateless and thread-safe.
 */
final class Utf8 {
    /** Eight bytes of an array at once (plain reads may be unaligned). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private Utf8() {
    }

    /**
     * Checks that {@code length} bytes of {@code buf} from {@code index} are an MQTT UTF-8 string; throws a
     * Malformed Packet failure naming {@code field} otherwise. Well-formedness follows the Unicode standard's
     * table 3-7: each lead byte admits a narrower second byte where overlong forms, surrogates and code
     * points above U+10FFFF would otherwise slip through.
     */
    static void validate(ByteBuf buf, int index, int length, String field) {
        if (buf.hasArray()) {
            validate(buf.array(), buf.arrayOffset() + index, length, field);
        } else {
            validate(ByteBufUtil.getBytes(buf, index, length), 0, length, field);
        }
    }

    /** As {@link #validate(ByteBuf, int, int, String)}, for {@code length} bytes of an array from {@code index}. */
    static void validate(byte[] buf, int index, int length, String field) {
        int end = index + length;
        int i = index;
        while (i < end) {
            if (end - i >= Long.BYTES) {
                // All eight bytes in 0x01..0x7F (ASCII without U+0000): no high bit in w, and no byte of w
                // borrows when 1 is taken from each, which only a 0x00 byte does.
                long w = (long) LONGS.get(buf, i);
                if (((w | (w - ONES)) & HIGH_BITS) == 0) {
                    i += Long.BYTES;
                    continue;
                }
            }
            byte b = buf[i];
            if (b > 0) {
                i++;
                continue;
            }
            if (b == 0) {
                throw malformed(field + ": contains U+0000 at byte " + (i - index) + " [MQTT-1.5.4-2]");
            }
            int lead = b & 0xFF;
            int continuationBytes;
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuationBytes = 1;
            } else if (lead == 0xE0) {
                continuationBytes = 2;
                secondMin = 0xA0; // below is an overlong form
            } else if (lead == 0xED) {
                continuationBytes = 2;
                secondMax = 0x9F; // above encodes U+D800..U+DFFF
            } else if (lead >= 0xE1 && lead <= 0xEF) {
                continuationBytes = 2;
            } else if (lead == 0xF0) {
                continuationBytes = 3;
                secondMin = 0x90; // below is an overlong form
            } else if (lead >= 0xF1 && lead <= 0xF3) {
                continuationBytes = 3;
            } else if (lead == 0xF4) {
                continuationBytes = 3;
                secondMax = 0x8F; // above is beyond U+10FFFF
            } else {
                throw illFormed(field, i - index);
            }
            if (end - i <= continuationBytes) {
                throw malformed(field + ": UTF-8 sequence at byte " + (i - index)
                        + " is cut off by the end of the string [MQTT-1.5.4-1]");
            }
            int second = buf[i + 1] & 0xFF;
            if (second < secondMin || second > secondMax) {
                if (lead == 0xED && second >= 0xA0 && second <= 0xBF) {
                    throw malformed(field + ": encodes a UTF-16 surrogate (U+D800..U+DFFF) at byte "
                            + (i - index) + " [MQTT-1.5.4-1]");
                }
                throw illFormed(field, i - index);
            }
            for (int k = 2; k <= continuationBytes; k++) {
                if ((buf[i + k] & 0xC0) != 0x80) {
                    throw illFormed(field, i - index);
                }
            }
            i += continuationBytes + 1;
        }
    }

    private static MalformedPacketException illFormed(String field, int offset) {
        return malformed(field + ": ill-formed UTF-8 at byte " + offset + " [MQTT-1.5.4-1]");
    }

    /**
     * {@code s} as UTF-8, refused as {@link #encodedLength} refuses. An ASCII string (the usual one) is encoded
     * by the JDK's vectorized encoder and only searched for U+0000; any other is checked char by char first.
     */
    static byte[] encode(String s, String field) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == s.length()) {
            // One byte per char: every char is ASCII, so no surrogate, and U+0000 is the only one to refuse.
            if (s.indexOf(0) >= 0) {
                throw new IllegalArgumentException(field + " contains U+0000, which MQTT forbids");
            }
        } else {
            encodedLength(s, field); // an unpaired surrogate would have been replaced: refuse it instead
        }
        return bytes;
    }

    /**
     * The number of bytes {@code s} takes as UTF-8. Refuses, with {@link IllegalArgumentException}, a string
     * no peer would accept: one holding U+0000 or an unpaired surrogate (which cannot be encoded at all).
     */
    static int encodedLength(String s, String field) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    throw new IllegalArgumentException(field + " contains U+0000, which MQTT forbids");
                }
            } else if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2; // two chars, four bytes
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + " contains an unpaired surrogate at index " + i);
            } else {
                bytes += 2;
            }
        }
        return bytes;
    }
}
