package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Turns the bytes of one connection into {@link MqttPacket}s, or into one {@link DecodeFailure} and then
 * silence.
 *
 * <p>Frame by frame: the fixed header is read as soon as its bytes arrive (§2.1). Its first byte is checked
 * at once (packet type, flags, and in server mode that the first packet is a CONNECT [MQTT-3.1.0-1]); if
 * the packet's size, fixed header included, exceeds the maximum packet size, {@code PACKET_TOO_LARGE} is
 * emitted without waiting for the rest (§3.1.2.11.4, §3.2.2.3.6). Otherwise the decoder waits until the
 * whole frame is buffered and parses it with {@link PacketReader} from a slice, without copying the frame.
 *
 * <p>A large PUBLISH (a frame of at least {@link #STREAM_MIN_BYTES}) that has not all arrived is not gathered
 * first: once its variable header is here, its payload array is allocated and each read's bytes are copied
 * straight into it, so the payload is copied once out of the socket's buffers instead of into a cumulation
 * buffer (growing it, and moving what it held) and then again into its array. To keep what a peer costs
 * tied to what it sent, a frame starts streaming at once only up to {@link #STREAM_EAGER_BYTES} (about one
 * socket read's buffer); a larger one once half of it has arrived.
 *
 * <p>Bad input never throws out of the pipeline: the first failure becomes a {@link DecodeFailure} down the
 * pipeline, after which every byte that arrives is dropped unread and nothing more is emitted (the
 * connection closes on the failure). Memory is bounded for any input: the cumulation buffer holds at most
 * the current frame (no more than the maximum packet size) plus the last chunk read, and never more than
 * about twice the bytes actually received: a header that claims a large frame reserves nothing until the
 * bytes come (growth doubles, capped at the frame's size), so sockets that claim big packets and then
 * trickle cost what they sent, not what they claimed.
 *
 * <p>{@link #hold} stops decoding (for a connection over its publish rate): received bytes stay buffered,
 * and the decoder asks for no more input, until {@link #release}.
 *
 * <p>Two modes: {@link #forServer} learns the version from the CONNECT ({@link #version()}), and
 * {@link #forClient} is told it.
 *
 * <p>Not thread-safe, and not {@code @Sharable}: one instance per channel, confined to its event loop.
 */
public final class MqttDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(MqttDecoder.class);
    /** The smallest packets (PINGREQ, PINGRESP, a bare DISCONNECT) are two bytes. */
    private static final int MIN_PACKET_BYTES = 2;
    /** Smaller PUBLISH frames are gathered whole: copying them once more costs less than streaming them. */
    static final int STREAM_MIN_BYTES = 4 * 1024;
    /** PUBLISH frames up to this size stream as soon as their header is here; larger once half is here. */
    static final int STREAM_EAGER_BYTES = 128 * 1024;

    private final int maxPacketSizeBytes;
    private MqttVersion version;
    private boolean failed;
    /** Bytes of the frame at the cumulation's reader index once its header is read but the frame is not all here. */
    private int pendingFrameBytes;
    private boolean held;
    /** A publisher mostly sends to the same topic: its name is decoded and validated once. */
    private final TopicNames topics = new TopicNames();
    /** The PUBLISH whose payload is being copied in as it arrives, or null; emitted once its array is full. */
    private Publish streaming;
    /** Bytes of {@link #streaming}'s payload copied in so far. */
    private int streamedBytes;

    private MqttDecoder(MqttVersion version, int maxPacketSizeBytes) {
        if (maxPacketSizeBytes < MIN_PACKET_BYTES || maxPacketSizeBytes > Wire.MAX_PACKET_BYTES) {
            throw new IllegalArgumentException("maximum packet size " + maxPacketSizeBytes + " is outside "
                    + MIN_PACKET_BYTES + ".." + Wire.MAX_PACKET_BYTES);
        }
        this.version = version;
        this.maxPacketSizeBytes = maxPacketSizeBytes;
        setCumulator(this::cumulate);
    }

    /**
     * A decoder for the server side of a connection: the first packet must be CONNECT, and the version it
     * names governs the rest.
     *
     * @param maxPacketSizeBytes the largest packet accepted, fixed header included (what a v5 server
     *     announces as Maximum Packet Size)
     */
    public static MqttDecoder forServer(int maxPacketSizeBytes) {
        return new MqttDecoder(null, maxPacketSizeBytes);
    }

    /** A decoder for the client side of a connection that speaks {@code version}. */
    public static MqttDecoder forClient(MqttVersion version, int maxPacketSizeBytes) {
        return new MqttDecoder(Objects.requireNonNull(version, "version"), maxPacketSizeBytes);
    }

    /** The connection's version: given to a client decoder, or named by the CONNECT; null before then. */
    public MqttVersion version() {
        return version;
    }

    public int maxPacketSizeBytes() {
        return maxPacketSizeBytes;
    }

    /** Whether a failure was emitted; the decoder drops all input from then on. */
    public boolean failed() {
        return failed;
    }

    /** Capacity of the cumulation buffer, for tests that check memory stays bounded. */
    int cumulationCapacity() {
        return internalBuffer().capacity();
    }

    /**
     * Stops emitting packets, at once (even within the chunk being decoded): the connection must also
     * stop reading the socket, so what stays buffered is bounded by one read. Event loop only.
     */
    public void hold() {
        held = true;
    }

    /** Whether {@link #hold} is in force. */
    public boolean isHeld() {
        return held;
    }

    /**
     * Resumes after {@link #hold}: decodes what was buffered meanwhile (emitting it, and a read-complete
     * event, down the pipeline from {@code ctx}, this decoder's context). Event loop only.
     */
    public void release(ChannelHandlerContext ctx) {
        if (!held) {
            return;
        }
        held = false;
        try {
            channelRead(ctx, ctx.alloc().buffer(0)); // nothing new: only decodes the cumulation
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (held) {
            // ByteToMessageDecoder would ask for another read when a read emitted nothing; held, it must not.
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (held) {
            return; // consumes nothing: ByteToMessageDecoder stops its loop and keeps the bytes
        }
        if (streaming != null) {
            streamPayload(in, out);
            return;
        }
        PacketType type = null;
        try {
            int start = in.readerIndex();
            if (!in.isReadable()) {
                return;
            }
            int firstByte = in.getUnsignedByte(start);
            type = PacketType.of(firstByte >>> 4);
            if (version == null && type != null && type != PacketType.CONNECT) {
                throw MalformedPacketException.protocolError(
                        "the first packet must be CONNECT, not " + type + " [MQTT-3.1.0-1]");
            }
            PacketReader.checkFirstByte(firstByte, version);
            int remainingLength = PacketReader.remainingLength(in, start + 1);
            if (remainingLength < 0) {
                return; // the fixed header is not all here yet
            }
            int packetBytes = PacketReader.packetBytes(remainingLength);
            if (packetBytes > maxPacketSizeBytes) {
                throw new MalformedPacketException(ReasonCode.PACKET_TOO_LARGE, type + " of " + packetBytes
                        + " bytes exceeds the maximum packet size of " + maxPacketSizeBytes + " bytes");
            }
            if (in.readableBytes() < packetBytes) {
                if (type == PacketType.PUBLISH && startStreaming(firstByte, in, packetBytes, remainingLength)) {
                    streamPayload(in, out);
                } else {
                    pendingFrameBytes = packetBytes;
                }
                return;
            }
            pendingFrameBytes = 0;
            ByteBuf frame = in.slice(start + packetBytes - remainingLength, remainingLength);
            in.skipBytes(packetBytes);
            if (version == null) {
                version = PacketReader.connectVersion(frame);
            }
            out.add(PacketReader.read(firstByte, frame, version, topics));
        } catch (MalformedPacketException e) {
            fail(in, out, new DecodeFailure(e.reasonCode(), e.getMessage(), type, version));
        } catch (RuntimeException e) {
            // A bug of ours, not the peer's: still a failure value, never an exception up the pipeline.
            LOG.warn("MQTT decoder failed on a {} packet (version {})", type, version, e);
            fail(in, out, new DecodeFailure(ReasonCode.MALFORMED_PACKET, type + " could not be decoded: " + e,
                    type, version));
        }
    }

    /**
     * Reads the variable header of the PUBLISH starting at {@code in}'s reader index, which has not all arrived,
     * and makes it {@link #streaming} if it is large enough (see the class comment); false if it is not, or its
     * header is not all here yet.
     *
     * @throws MalformedPacketException if the variable header is not acceptable
     */
    private boolean startStreaming(int firstByte, ByteBuf in, int packetBytes, int remainingLength) {
        if (packetBytes < STREAM_MIN_BYTES
                || (packetBytes > STREAM_EAGER_BYTES && in.readableBytes() < packetBytes / 2)) {
            return false;
        }
        int headerStart = in.readerIndex() + packetBytes - remainingLength;
        int headerBytes = PacketReader.publishHeaderBytes(firstByte, in, headerStart, version);
        if (headerBytes < 0 || headerBytes > remainingLength || headerStart + headerBytes > in.writerIndex()) {
            return false; // not here yet, or malformed: the whole frame is parsed, and refused, as usual
        }
        streaming = PacketReader.readPublish(firstByte, in.slice(headerStart, headerBytes), version, topics,
                new byte[remainingLength - headerBytes]);
        streamedBytes = 0;
        pendingFrameBytes = 0;
        in.readerIndex(headerStart + headerBytes);
        return true;
    }

    /** Copies what is here of {@link #streaming}'s payload into it, and emits it once complete. */
    private void streamPayload(ByteBuf in, List<Object> out) {
        byte[] payload = streaming.payload();
        int n = Math.min(in.readableBytes(), payload.length - streamedBytes);
        in.readBytes(payload, streamedBytes, n);
        streamedBytes += n;
        if (streamedBytes == payload.length) {
            out.add(streaming);
            streaming = null;
        }
    }

    private void fail(ByteBuf in, List<Object> out, DecodeFailure failure) {
        failed = true;
        pendingFrameBytes = 0;
        in.skipBytes(in.readableBytes());
        out.add(failure);
    }

    /**
     * Like Netty's merge cumulator, but a cumulation that must grow grows to the pending frame's size in one
     * step (not by doubling), so a slowly arriving packet is copied about once and its buffer never exceeds
     * the frame plus the chunk that completed it. After a failure, input is released unread.
     */
    private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (failed) {
            in.release();
            return cumulation;
        }
        if (!cumulation.isReadable() && in.isContiguous()) {
            cumulation.release();
            return in;
        }
        try {
            int incoming = in.readableBytes();
            if (cumulation.refCnt() == 1 && !cumulation.isReadOnly()) {
                if (incoming > cumulation.writableBytes() && incoming <= cumulation.writableBytes()
                        + cumulation.readerIndex()) {
                    cumulation.discardReadBytes();
                }
                if (incoming <= cumulation.writableBytes()) {
                    cumulation.writeBytes(in);
                    return cumulation;
                }
            }
            int required = cumulation.readableBytes() + incoming;
            // Toward the pending frame's size by doubling: a claimed size is not memory until it is received.
            int target = pendingFrameBytes > required
                    ? (int) Math.min(pendingFrameBytes, Math.max(2L * required, 4096)) : required;
            ByteBuf grown = alloc.buffer(target);
            grown.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            return grown;
        } finally {
            in.release();
        }
    }
}
