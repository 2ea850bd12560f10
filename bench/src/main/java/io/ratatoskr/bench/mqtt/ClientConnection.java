package io.ratatoskr.bench.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.PingResp;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketReader;
import io.ratatoskr.mqtt.codec.PacketWriter;
import io.ratatoskr.mqtt.codec.ReasonCode;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of the load generator: it connects (clean start), keeps the connection alive, and
 * splits the inbound bytes into MQTT frames. PUBLISH frames and the acknowledgements of QoS 1 and 2 (PUBACK,
 * PUBREC, PUBREL, PUBCOMP) — the hot path — are handed to the subclass as positions or numbers, without
 * building packet objects; every other packet goes through the codec's {@link PacketReader}, and everything
 * the generator sends but PUBLISH and those acknowledgements goes through {@link PacketWriter}.
 *
 * <p>A connection that the broker refuses, closes or sends garbage on records a failure, fails
 * {@link #ready()} and closes; the run reports it.
 *
 * <p>Not thread-safe: confined to the channel's event loop. {@link #ready()} and the volatile progress
 * counters of subclasses are the only state other threads read.
 */
abstract class ClientConnection extends ByteToMessageDecoder {
    private static final int PUBLISH = 3;
    private static final int PUBACK = 4;
    private static final int PUBREC = 5;
    private static final int PUBREL = 6;
    private static final int PUBCOMP = 7;

    protected final MqttVersion version;
    private final String clientId;
    private final int keepAliveSeconds;
    private final boolean persistentSession;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    protected ChannelHandlerContext ctx;
    private ScheduledFuture<?> pinger;
    private boolean closing;
    private String failure;

    ClientConnection(MqttVersion version, String clientId, int keepAliveSeconds) {
        this(version, clientId, keepAliveSeconds, false);
    }

    /** @param persistentSession connect with a session the broker keeps after the connection ends */
    ClientConnection(MqttVersion version, String clientId, int keepAliveSeconds, boolean persistentSession) {
        this.version = version;
        this.clientId = clientId;
        this.keepAliveSeconds = keepAliveSeconds;
        this.persistentSession = persistentSession;
    }

    /** Completes when the connection is ready for the run (CONNACK, and SUBACK for subscribers). */
    final CompletableFuture<Void> ready() {
        return ready;
    }

    final String clientId() {
        return clientId;
    }

    /** The first thing that went wrong on this connection, or null. Call on the event loop. */
    final String failure() {
        return failure;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        MqttProperties props = persistentSession && version == MqttVersion.V5
                ? MqttProperties.builder().sessionExpiryInterval(3600).build() : MqttProperties.EMPTY;
        send(new Connect(version, clientId, !persistentSession, keepAliveSeconds, null, null, null, props));
        ctx.flush();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (pinger != null) {
            pinger.cancel(false);
        }
        if (!closing) {
            fail("the broker closed the connection");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail("connection error: " + cause);
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.readableBytes() >= 2) {
                int start = in.readerIndex();
                int firstByte = in.getUnsignedByte(start);
                int remainingLength = PacketReader.remainingLength(in, start + 1);
                if (remainingLength < 0) {
                    return;
                }
                int frameBytes = PacketReader.packetBytes(remainingLength);
                if (in.readableBytes() < frameBytes) {
                    return;
                }
                int body = start + frameBytes - remainingLength;
                in.readerIndex(start + frameBytes);
                switch (firstByte >>> 4) {
                    case PUBLISH -> onPublish(in, firstByte, body, remainingLength);
                    case PUBACK -> onPubAck(in.getUnsignedShort(body), reasonCode(in, body, remainingLength));
                    case PUBREC -> onPubRec(in.getUnsignedShort(body), reasonCode(in, body, remainingLength));
                    case PUBREL -> onPubRel(in.getUnsignedShort(body));
                    case PUBCOMP -> onPubComp(in.getUnsignedShort(body));
                    default -> onControl(PacketReader.read(firstByte, in.slice(body, remainingLength), version));
                }
            }
        } catch (RuntimeException e) {
            in.skipBytes(in.readableBytes());
            fail("bad packet from the broker: " + e.getMessage());
        }
    }

    /** The reason code of an acknowledgement: 0 (Success) when the packet leaves it out (3.1.1, v5 §3.4.2.1). */
    private static int reasonCode(ByteBuf in, int body, int remainingLength) {
        return remainingLength > 2 ? in.getUnsignedByte(body + 2) : ReasonCode.SUCCESS;
    }

    private void onControl(MqttPacket packet) {
        switch (packet) {
            case ConnAck c -> {
                if (c.reasonCode() != ReasonCode.SUCCESS) {
                    fail("CONNACK refused the connection: " + ReasonCode.name(c.reasonCode()));
                    return;
                }
                if (keepAliveSeconds > 0) {
                    long every = TimeUnit.SECONDS.toMillis(keepAliveSeconds) / 2;
                    pinger = ctx.executor().scheduleAtFixedRate(() -> {
                        send(PingReq.INSTANCE);
                        ctx.flush();
                    }, every, every, TimeUnit.MILLISECONDS);
                }
                onConnAck(c);
            }
            case SubAck s -> onSubAck(s);
            case PingResp ignored -> {
            }
            case Disconnect d -> fail("the broker sent DISCONNECT: " + ReasonCode.name(d.reasonCode())
                    + (d.properties().reasonString() == null ? "" : " (" + d.properties().reasonString() + ")"));
            default -> fail("unexpected " + packet.type() + " from the broker");
        }
    }

    /** The broker accepted the connection. */
    protected abstract void onConnAck(ConnAck connAck);

    /** A SUBACK; only subscribers subscribe. */
    protected void onSubAck(SubAck subAck) {
        fail("unexpected SUBACK");
    }

    /**
     * A PUBLISH frame: {@code remainingLength} bytes from {@code body} in {@code in}, which the caller has
     * already moved past the frame. Valid only during the call.
     */
    protected void onPublish(ByteBuf in, int firstByte, int body, int remainingLength) {
        fail("unexpected PUBLISH");
    }

    /** A PUBACK; {@code reasonCode} is 0 when the packet leaves it out. */
    protected void onPubAck(int packetId, int reasonCode) {
        fail("unexpected PUBACK");
    }

    /** A PUBREC (QoS 2, first answer to our PUBLISH); {@code reasonCode} is 0 when the packet leaves it out. */
    protected void onPubRec(int packetId, int reasonCode) {
        fail("unexpected PUBREC");
    }

    /** A PUBREL (QoS 2, the broker releasing a message it sent us). */
    protected void onPubRel(int packetId) {
        fail("unexpected PUBREL");
    }

    /** A PUBCOMP (QoS 2, end of our PUBLISH's exchange). */
    protected void onPubComp(int packetId) {
        fail("unexpected PUBCOMP");
    }

    /**
     * Appends a 4-byte acknowledgement ({@code firstByte}: 0x40 PUBACK, 0x50 PUBREC, 0x62 PUBREL, 0x70 PUBCOMP)
     * with reason Success and no properties, the same in every version (v5 §3.4.2.1, §3.5–3.7).
     */
    static ByteBuf writeAck(ByteBuf out, int firstByte, int packetId) {
        return out.writeByte(firstByte).writeByte(2).writeShort(packetId);
    }

    protected final void markReady() {
        ready.complete(null);
    }

    /** Encodes {@code packet} with the codec and writes it, unflushed. */
    protected final void send(MqttPacket packet) {
        ctx.write(encode(packet), ctx.voidPromise());
    }

    private ByteBuf encode(MqttPacket packet) {
        ByteBuf buf = ctx.alloc().ioBuffer(PacketWriter.encodedSize(packet, version));
        PacketWriter.write(packet, version, buf);
        return buf;
    }

    /** Records the first failure, fails {@link #ready()} and closes the connection. */
    protected final void fail(String why) {
        if (failure == null) {
            failure = clientId + ": " + why;
        }
        ready.completeExceptionally(new IllegalStateException(failure));
        closing = true;
        if (ctx != null) {
            ctx.close();
        }
    }

    /** Sends DISCONNECT and closes. Call on the event loop. */
    final ChannelFuture disconnect() {
        closing = true;
        if (!ctx.channel().isActive()) {
            return ctx.channel().closeFuture();
        }
        return ctx.writeAndFlush(encode(Disconnect.NORMAL)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Decodes the MQTT Variable Byte Integer at {@code index}; returns its value. */
    static int variableByteInteger(ByteBuf in, int index) {
        return PacketReader.remainingLength(in, index);
    }

    /** Bytes a Variable Byte Integer of this value takes. */
    static int variableByteIntegerBytes(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }
}
