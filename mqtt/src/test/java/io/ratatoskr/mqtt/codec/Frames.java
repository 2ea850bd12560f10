package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: hex vectors, encoding to bytes, decoding whole frames and feeding decoders. */
final class Frames {
    private Frames() {
    }

    /**
     * Bytes from annotated hex: pairs of hex digits; whitespace is ignored and {@code //} starts a comment
     * that runs to the end of the line. {@code 'x'} stands for the ASCII byte of x.
     */
    static byte[] hex(String annotated) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : annotated.split("\n")) {
            int comment = line.indexOf("//");
            String code = comment >= 0 ? line.substring(0, comment) : line;
            int i = 0;
            while (i < code.length()) {
                char c = code.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '\'') {
                    out.write(code.charAt(i + 1));
                    if (code.charAt(i + 2) != '\'') {
                        throw new IllegalArgumentException("bad character literal in: " + line);
                    }
                    i += 3;
                } else {
                    out.write(Integer.parseInt(code.substring(i, i + 2), 16));
                    i += 2;
                }
            }
        }
        return out.toByteArray();
    }

    static byte[] encode(MqttPacket packet, MqttVersion version) {
        byte[] bytes = new byte[PacketWriter.encodedSize(packet, version)];
        ByteBuf buf = Unpooled.wrappedBuffer(bytes).clear();
        PacketWriter.write(packet, version, buf);
        if (buf.writerIndex() != bytes.length || buf.capacity() != bytes.length) {
            throw new AssertionError("wrote " + buf.writerIndex() + " bytes into " + bytes.length);
        }
        return bytes;
    }

    /** Parses one whole frame with {@link PacketReader}, checking the fixed header as the decoder would. */
    static MqttPacket read(byte[] frame, MqttVersion version) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        int remaining = PacketReader.remainingLength(buf, 1);
        int header = PacketReader.packetBytes(remaining) - remaining;
        if (header + remaining != frame.length) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes claims " + (header + remaining));
        }
        return PacketReader.read(frame[0] & 0xFF, buf.slice(header, remaining), version);
    }

    static EmbeddedChannel channel(MqttDecoder decoder) {
        return new EmbeddedChannel(decoder);
    }

    /**
     * A channel whose allocator does not track leaks. Paranoid leak detection (the build's default) records
     * a stack trace on every buffer access, which makes long randomized runs slow; the other tests keep it.
     */
    static EmbeddedChannel untrackedChannel(MqttDecoder decoder) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.config().setAllocator(UNTRACKED);
        return channel;
    }

    private static final ByteBufAllocator UNTRACKED = new UnpooledByteBufAllocator(false, true);

    /** Writes each chunk to the channel and returns everything the decoder emitted, in order. */
    static List<Object> feed(EmbeddedChannel channel, byte[]... chunks) {
        for (byte[] chunk : chunks) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        return drain(channel);
    }

    static List<Object> drain(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Decodes {@code bytes} in one chunk with a fresh decoder and returns what it emitted. */
    static List<Object> decodeAll(MqttDecoder decoder, byte[] bytes) {
        EmbeddedChannel channel = channel(decoder);
        try {
            return feed(channel, bytes);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Decodes {@code chunks}, written one by one to a fresh decoder, and returns what it emitted. */
    static List<Object> decodeAllChunks(MqttDecoder decoder, List<byte[]> chunks) {
        EmbeddedChannel channel = channel(decoder);
        try {
            return feed(channel, chunks.toArray(byte[][]::new));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Splits {@code bytes} into chunks at the given cut points (sorted, within the array). */
    static List<byte[]> split(byte[] bytes, int[] cuts) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            if (cut > from && cut < bytes.length) {
                chunks.add(java.util.Arrays.copyOfRange(bytes, from, cut));
                from = cut;
            }
        }
        chunks.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
        return chunks;
    }
}
