package io.ratatoskr.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.netty.handler.ssl.SslHandler;
import io.ratatoskr.core.security.PeerCertificates;
import io.ratatoskr.core.security.ThrottledLog;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each complete request to its handler on the worker pool and writes the JSON answer. Each
 * call is first authenticated and authorized ({@link AdminAuth}): refused ones are answered 401, 403,
 * 429 or 503 without running, logged at most once per source address every 10 s ({@link ThrottledLog})
 * and always counted.
 * Errors become {@link ApiError} bodies: a {@link RatatoskrException} with its catalogue HTTP
 * status, a malformed request 400, a full worker pool 503, anything unexpected 500 (logged).
 *
 * <p>Thread-safety: one instance per connection, used on its event loop; answers are written from
 * worker threads through the channel, which Netty makes safe.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final Supplier<Router> router;
    private final Executor workers;
    private final HttpMetrics metrics;
    private final Supplier<AdminAuth> auth;
    private final ThrottledLog refusalLog;

    ApiHandler(Supplier<Router> router, Executor workers, HttpMetrics metrics, Supplier<AdminAuth> auth,
               ThrottledLog refusalLog) {
        this.router = router;
        this.workers = workers;
        this.metrics = metrics;
        this.auth = auth;
        this.refusalLog = refusalLog;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            answer(ctx, false, 400, new ApiError(ErrorCode.INVALID_ARGUMENT.code(),
                    "malformed HTTP request: " + request.decoderResult().cause().getMessage()), false);
            return;
        }
        String method = request.method().name();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Router.Match match;
        try {
            uri.path(); // decodes it: a malformed escape is the client's error
            match = router.get().match(method, uri.rawPath());
        } catch (IllegalArgumentException e) {
            answer(ctx, false, 400, new ApiError(ErrorCode.INVALID_ARGUMENT.code(),
                    "malformed request path: " + e.getMessage()), false);
            return;
        }
        SocketAddress remote = ctx.channel().remoteAddress();
        AdminAuth auth = this.auth.get();
        CompletableFuture<AdminAuth.Decision> decision = auth.decide(method, uri.path(),
                request.headers().get(HttpHeaderNames.AUTHORIZATION), remote, peerCertificates(ctx));
        byte[] body = new byte[request.content().readableBytes()];
        request.content().readBytes(body);
        String path = uri.path();
        Map<String, List<String>> query = uri.parameters();
        String fetchMode = request.headers().get("Sec-Fetch-Mode");
        if (decision.isDone()) {
            proceed(ctx, keepAlive, method, path, query, body, match, auth, fetchMode, decision.join());
        } else {
            // Checked on an authenticator thread; the answer continues on this connection's event loop.
            decision.thenAccept(d -> ctx.executor().execute(
                    () -> proceed(ctx, keepAlive, method, path, query, body, match, auth, fetchMode, d)));
        }
    }

    private void proceed(ChannelHandlerContext ctx, boolean keepAlive, String method, String path,
                         Map<String, List<String>> query, byte[] body, Router.Match match, AdminAuth auth,
                         String fetchMode, AdminAuth.Decision decision) {
        Caller caller;
        switch (decision) {
            case AdminAuth.Decision.Refused r -> {
                refuse(ctx, keepAlive, method, path, auth, fetchMode, r);
                return;
            }
            case AdminAuth.Decision.Allowed a -> caller = a.caller();
        }
        switch (match) {
            case Router.Match.NotFound n -> answer(ctx, keepAlive, 404,
                    new ApiError("not_found", "no such resource: " + path), false);
            case Router.Match.WrongMethod w -> {
                // RFC 9110 §15.5.6: a 405 lists the allowed methods in Allow; GET routes also take HEAD.
                Set<String> allowed = new TreeSet<>(w.allowed());
                if (allowed.contains("GET")) {
                    allowed.add("HEAD");
                }
                FullHttpResponse response = response(405, new ApiError("method_not_allowed", method
                        + " is not allowed on " + path + "; use " + String.join(", ", w.allowed())), false);
                response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", allowed));
                send(ctx, keepAlive, response);
            }
            case Router.Match.Found f -> {
                ApiRequest call = new ApiRequest(method, path, f.params(), query, body, caller);
                boolean head = method.equals("HEAD");
                try {
                    workers.execute(() -> run(ctx, keepAlive, head, f.handler(), call));
                } catch (RejectedExecutionException e) {
                    metrics.overloaded();
                    answer(ctx, keepAlive, 503, new ApiError(ErrorCode.UNAVAILABLE.code(),
                            "the admin API is busy; retry shortly"), false);
                }
            }
        }
    }

    /** Answers 401 (with the challenge), 403, 429 or 503; the log line at most once per source every 10 s. */
    private void refuse(ChannelHandlerContext ctx, boolean keepAlive, String method, String path, AdminAuth auth,
                        String fetchMode, AdminAuth.Decision.Refused r) {
        int status = r.code().httpStatus();
        if (status == 401) {
            metrics.unauthenticated();
        } else if (status == 403) {
            metrics.forbidden();
        }
        long suppressed = refusalLog.admit(ctx.channel().remoteAddress());
        if (suppressed >= 0) {
            log.atInfo().addKeyValue("event", "http_refused").addKeyValue("status", status)
                    .addKeyValue("reason", r.reason()).addKeyValue("remote", ctx.channel().remoteAddress())
                    .addKeyValue("suppressed", suppressed)
                    .log("HTTP {} {} from {} refused ({} {}){}", method, path, ctx.channel().remoteAddress(), status,
                            r.reason(), suppressed == 0 ? "" : "; " + suppressed + " earlier refusals from this "
                                    + "address not logged");
        }
        FullHttpResponse response = response(status, new ApiError(r.code().code(), r.code().format(r.message())),
                false);
        if (status == 401) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, auth.challenge(fetchMode));
        }
        send(ctx, keepAlive, response);
    }

    /** The verified client certificate chain of an HTTPS connection that sent one; empty otherwise. */
    private static List<X509Certificate> peerCertificates(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        return tls == null ? List.of() : PeerCertificates.of(tls.engine().getSession());
    }

    private void run(ChannelHandlerContext ctx, boolean keepAlive, boolean head, Router.Handler handler,
                     ApiRequest call) {
        int status;
        Object body;
        try {
            ApiResponse r = handler.handle(call);
            status = r.status();
            body = r.body();
        } catch (RatatoskrException e) {
            status = e.code().httpStatus();
            body = new ApiError(e.code().code(), e.getMessage());
            if (status >= 500) {
                log.warn("{} {}: {}", call.method(), call.path(), e.getMessage());
            }
        } catch (IllegalArgumentException e) {
            status = 400;
            body = new ApiError(ErrorCode.INVALID_ARGUMENT.code(), e.getMessage());
        } catch (Exception e) {
            log.error("{} {} failed", call.method(), call.path(), e);
            status = 500;
            body = new ApiError(ErrorCode.INTERNAL.code(), ErrorCode.INTERNAL.format(e.toString()));
        }
        answer(ctx, keepAlive, status, body, head);
    }

    private void answer(ChannelHandlerContext ctx, boolean keepAlive, int status, Object body, boolean head) {
        send(ctx, keepAlive, response(status, body, head));
    }

    private FullHttpResponse response(int status, Object body, boolean head) {
        metrics.answered(status);
        byte[] bytes;
        CharSequence type = HttpHeaderValues.APPLICATION_JSON;
        if (body instanceof ApiResponse.Text t) {
            bytes = t.text().getBytes(StandardCharsets.UTF_8);
            type = t.contentType();
        } else {
            bytes = body == null ? new byte[0] : Json.write(body);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        if (body != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }

    /** Writes {@code response}, closing the connection after it unless the client keeps it alive. */
    static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
