package io.ratatoskr.mqtt.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Sits right after the {@code SslHandler} of a TLS listener: counts failed handshakes in
 * {@code ratatoskr.tls.handshake.failures} (tags {@code listener} and a bounded {@code reason}) and
 * logs each at DEBUG, so that a port scanner or a client with the wrong settings costs a counter
 * increment and no log spam. The channel is closed; the MQTT connection behind it sees only its close.
 *
 * <p>Thread-safe: the counters live in a concurrent map; one instance serves every channel.
 */
@ChannelHandler.Sharable
final class TlsHandshakes extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshakes.class);

    private final String listener;
    private final MeterRegistry registry;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();

    TlsHandshakes(String listener, MeterRegistry registry) {
        this.listener = listener;
        this.registry = registry;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            String reason = reason(done.cause());
            failures.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.tls.handshake.failures")
                    .description("TLS handshakes that failed, by listener and reason")
                    .tag("listener", listener).tag("reason", r).register(registry)).increment();
            log.atDebug().addKeyValue("listener", listener).addKeyValue("remote", ctx.channel().remoteAddress())
                    .addKeyValue("reason", reason).log("TLS handshake failed: {}", String.valueOf(done.cause()));
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof SSLException) {
            // Already counted through the handshake event, or a broken record on an open connection.
            log.debug("{} {}: TLS error: {}", listener, ctx.channel().remoteAddress(), c.toString());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** A small fixed set: {@code not_tls}, {@code protocol_version}, {@code certificate}, {@code closed}, {@code other}. */
    static String reason(Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof NotSslRecordException) {
            return "not_tls";
        }
        String message = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("protocol") || message.contains("version")) {
            return "protocol_version";
        }
        if (message.contains("certificate") || message.contains("unknown_ca") || message.contains("path")) {
            return "certificate";
        }
        if (c instanceof SSLHandshakeException && message.contains("closed")
                || c instanceof java.nio.channels.ClosedChannelException) {
            return "closed";
        }
        return "other";
    }
}
