package io.ratatoskr.bench.conn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketWriter;

import java.util.concurrent.TimeUnit;

/**
 * One idle MQTT connection: it sends CONNECT (clean session, nothing else), waits for CONNACK, then only sends
 * PINGREQ every keep-alive period (starting after {@code firstPingDelayMs}, so that many connections do not
 * ping in step) and discards whatever arrives. As small as a Netty handler can be, so that 100,000 of them fit
 * in a modest client heap: no cumulation buffer beyond the first bytes, no decoder.
 *
 * <p>Not thread-safe: confined to its channel's event loop. It reports to the thread-safe {@link Tally}.
 */
final class IdleClient extends ChannelInboundHandlerAdapter {
    private static final ByteBuf PINGREQ = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte(0xC0).writeByte(0x00)).asReadOnly();
    private static final int CONNACK = 0x20;

    private final MqttVersion version;
    private final String clientId;
    private final int keepAliveSeconds;
    private final long firstPingDelayMs;
    private final Tally tally;
    /** Bytes of the CONNACK frame read so far: first byte, remaining length, flags, code. */
    private int connAckBytes;
    private int connAckCode = -1;
    private boolean connAcked;
    private boolean reported;
    private ScheduledFuture<?> pinger;

    IdleClient(MqttVersion version, String clientId, int keepAliveSeconds, long firstPingDelayMs, Tally tally) {
        this.version = version;
        this.clientId = clientId;
        this.keepAliveSeconds = keepAliveSeconds;
        this.firstPingDelayMs = firstPingDelayMs;
        this.tally = tally;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Connect connect = new Connect(version, clientId, true, keepAliveSeconds, null, null, null,
                MqttProperties.EMPTY);
        ByteBuf buf = ctx.alloc().buffer(PacketWriter.encodedSize(connect, version));
        PacketWriter.write(connect, version, buf);
        ctx.writeAndFlush(buf);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            // A CONNACK is small (remaining length < 128 for everything a broker sends us), so the code is the
            // fourth byte; it may arrive split, hence the byte counter. Everything after it is discarded.
            while (!connAcked && in.isReadable()) {
                int b = in.readUnsignedByte();
                if (connAckBytes == 0 && b != CONNACK) {
                    fail(ctx, "expected CONNACK, got first byte 0x" + Integer.toHexString(b));
                    return;
                }
                if (++connAckBytes == 4) {
                    connAckCode = b;
                    connAcked = true;
                }
            }
            if (connAcked && !reported) {
                reported = true;
                if (connAckCode != 0) {
                    tally.refused(connAckCode);
                    ctx.close();
                    return;
                }
                tally.connected();
                long periodMs = keepAliveSeconds * 1000L;
                if (periodMs > 0) {
                    pinger = ctx.executor().scheduleAtFixedRate(
                            () -> ctx.writeAndFlush(PINGREQ.duplicate()), firstPingDelayMs, periodMs,
                            TimeUnit.MILLISECONDS);
                }
            }
        } finally {
            ReferenceCountUtil.release(in);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pinger != null) {
            pinger.cancel(false);
        }
        if (!reported) {
            reported = true;
            tally.failed("closed by the broker before CONNACK");
        } else if (connAckCode == 0) {
            tally.lost();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, String.valueOf(cause));
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        if (!reported) {
            reported = true;
            tally.failed(why);
        }
        ctx.close();
    }
}
