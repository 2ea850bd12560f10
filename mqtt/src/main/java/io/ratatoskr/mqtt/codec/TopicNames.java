package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.charset.StandardCharsets;

/**
 * The last PUBLISH topic name seen, as text and as UTF-8, so that the common case — a publisher sending
 * to the same topic again, a message fanned out to many subscribers — decodes, validates and encodes a
 * topic name once instead of once per packet.
 *
 * <p>Decoding ({@link #read}): one instance per connection's decoder; when the bytes on the wire equal the
 * last topic's, the same {@code String} comes back (already validated), which also lets everything
 * downstream compare topics by identity. Encoding ({@link #utf8}): one instance per thread
 * ({@link #forThisThread}), keyed by the {@code String}'s identity, so every subscriber of a message on
 * one event loop shares one encoding.
 *
 * <p>Not thread-safe: confined to its decoder's event loop, or to its thread.
 */
final class TopicNames {
    private static final FastThreadLocal<TopicNames> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected TopicNames initialValue() {
            return new TopicNames();
        }
    };

    private String topic;
    private byte[] utf8;

    /** The encoding cache of the calling thread. */
    static TopicNames forThisThread() {
        return PER_THREAD.get();
    }

    /**
     * Reads a UTF-8 Encoded String topic name, as {@link Wire#readString} does (same checks, same
     * failures), returning the previous topic's {@code String} when the bytes are the same.
     */
    String read(ByteBuf in, String field) {
        byte[] last = utf8;
        if (last != null && in.readableBytes() >= 2 + last.length
                && in.getUnsignedShort(in.readerIndex()) == last.length
                && sameBytes(in, in.readerIndex() + 2, last)) {
            in.skipBytes(2 + last.length);
            return topic;
        }
        int start = in.readerIndex();
        String s = Wire.readString(in, field);
        byte[] bytes = new byte[in.readerIndex() - start - 2];
        in.getBytes(start + 2, bytes);
        topic = s;
        utf8 = bytes;
        return s;
    }

    private static boolean sameBytes(ByteBuf in, int index, byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (in.getByte(index + i) != b[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The UTF-8 bytes of {@code s} (not its length prefix), encoded once per distinct {@code String}
     * instance in a row. Refuses what {@link Wire#stringSize} refuses.
     */
    byte[] utf8(String s, String field) {
        if (s != topic) {
            Wire.stringSize(s, field); // refuses U+0000 and unpaired surrogates, which getBytes would replace
            topic = s;
            utf8 = s.getBytes(StandardCharsets.UTF_8);
        }
        return utf8;
    }
}
