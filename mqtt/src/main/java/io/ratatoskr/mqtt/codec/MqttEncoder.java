package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import java.util.Objects;

/**
 * Writes {@link MqttPacket}s in the connection's version into buffers of exactly their encoded size
 * ({@link PacketWriter}). The version is {@link MqttVersion#V3_1_1} until the connection sets it after
 * CONNECT; a CONNECT itself is always written in the version it names.
 *
 * <p>A packet that cannot be encoded (see {@link PacketWriter}) fails its write promise with an
 * {@link io.netty.handler.codec.EncoderException}; nothing is written.
 *
 * <p>Not thread-safe and not {@code @Sharable}: it holds the version and a reusable size layout. One
 * instance per channel, used and reconfigured only on its event loop.
 */
public final class MqttEncoder extends MessageToByteEncoder<MqttPacket> {
    private final PacketWriter.Layout layout = new PacketWriter.Layout();
    private MqttVersion version;

    public MqttEncoder() {
        this(MqttVersion.V3_1_1);
    }

    public MqttEncoder(MqttVersion version) {
        super(MqttPacket.class);
        this.version = Objects.requireNonNull(version, "version");
    }

    public MqttVersion version() {
        return version;
    }

    /** Sets the version for packets written from now on; call on the channel's event loop. */
    public void version(MqttVersion version) {
        this.version = Objects.requireNonNull(version, "version");
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MqttPacket packet, boolean preferDirect) {
        int size = PacketWriter.measure(packet, version, layout);
        return preferDirect ? ctx.alloc().ioBuffer(size, size) : ctx.alloc().heapBuffer(size, size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MqttPacket packet, ByteBuf out) {
        PacketWriter.write(packet, version, layout, out);
    }
}
