package io.ratatoskr.mqtt.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.security.ThrottledLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a WebSocket upgrade whose {@code Origin} the listener does not allow ({@link WebSocketOrigins})
 * with {@code 403 Forbidden} and closes the connection, before the handshake (RFC 6455 §4.2.2: a server
 * that does not accept an origin answers with an HTTP error). Counted as
 * {@code ratatoskr_mqtt_connections_refused_total{reason="websocket_origin"}}; logged at most once per
 * source address every 10 s. Sits in front of Netty's WebSocket protocol handler; after the upgrade it
 * only passes frames on.
 *
 * <p>Thread-safety: stateless apart from the thread-safe log gate; shared by a listener's channels.
 */
@ChannelHandler.Sharable
final class WebSocketOriginCheck extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketOriginCheck.class);

    private final String listener;
    private final WebSocketOrigins origins;
    private final BrokerMetrics metrics;
    private final ThrottledLog refusalLog;

    WebSocketOriginCheck(String listener, WebSocketOrigins origins, BrokerMetrics metrics, ThrottledLog refusalLog) {
        this.listener = listener;
        this.origins = origins;
        this.metrics = metrics;
        this.refusalLog = refusalLog;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (!origins.allows(origin, request.headers().get(HttpHeaderNames.HOST))) {
                ReferenceCountUtil.release(request);
                metrics.connectionRefused("websocket_origin");
                long suppressed = refusalLog.admit(ctx.channel().remoteAddress());
                if (suppressed >= 0) {
                    log.atInfo().addKeyValue("event", "connection_refused").addKeyValue("reason", "websocket_origin")
                            .addKeyValue("listener", listener).addKeyValue("origin", abbreviated(origin))
                            .addKeyValue("remote", ctx.channel().remoteAddress()).addKeyValue("suppressed", suppressed)
                            .log("{}: WebSocket upgrade from {} refused: origin {} is not allowed (allowed: {}; "
                                    + "mqtt.websocket.allowed-origins){}", listener, ctx.channel().remoteAddress(),
                                    abbreviated(origin), origins, suppressed == 0 ? ""
                                            : "; " + suppressed + " earlier refusals from this address not logged");
                }
                DefaultFullHttpResponse forbidden = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.FORBIDDEN);
                forbidden.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                ctx.writeAndFlush(forbidden).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static String abbreviated(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
