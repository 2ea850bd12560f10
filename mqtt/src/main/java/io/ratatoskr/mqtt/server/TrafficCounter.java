package io.ratatoskr.mqtt.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.ratatoskr.core.broker.BrokerMetrics;

/** Counts bytes read from and written to MQTT connections. Stateless and shared by all channels. */
@ChannelHandler.Sharable
final class TrafficCounter extends ChannelDuplexHandler {
    private final BrokerMetrics metrics;

    TrafficCounter(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            metrics.bytesReceived(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            metrics.bytesSent(buf.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
