package io.ratatoskr.mqtt.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Turns the binary WebSocket frames of an MQTT-over-WebSocket connection into the byte stream the
 * MQTT decoder reads, and the bytes the encoder writes into binary frames (MQTT 5.0 §6).
 *
 * <p>The decoder sees a stream, not messages: a packet may span frames and a frame may carry several
 * packets [MQTT-6.0.0-2, -3]. Text frames are refused with close code 1003 [MQTT-6.0.0-1]. An HTTP
 * request that is not the WebSocket upgrade on the configured path is answered 404 and closed.
 *
 * <p>Stateless and shared by all channels.
 */
@ChannelHandler.Sharable
final class WebSocketFrames extends ChannelDuplexHandler {
    static final WebSocketFrames INSTANCE = new WebSocketFrames();

    private WebSocketFrames() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof WebSocketFrame frame) {
            ReferenceCountUtil.release(frame);
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "MQTT needs binary frames")).addListener(ChannelFutureListener.CLOSE);
        } else if (msg instanceof FullHttpRequest request) {
            ReferenceCountUtil.release(request);
            DefaultFullHttpResponse notFound = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.NOT_FOUND);
            notFound.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(notFound).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg instanceof ByteBuf buf ? new BinaryWebSocketFrame(buf) : msg, promise);
    }
}
