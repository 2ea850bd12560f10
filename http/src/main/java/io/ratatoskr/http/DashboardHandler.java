package io.ratatoskr.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Serves the web dashboard: {@code GET /} is the page, {@code GET /assets/{file}} its scripts, style
 * and icon. Every other request goes on to the API handler. The files are in memory
 * ({@link DashboardAssets}), so answers are written right here on the event loop.
 *
 * <p>These paths need no token (the page must load to ask for one); the data the page shows comes
 * from the API, which does. Answers carry:
 * <ul>
 *   <li>{@code Content-Security-Policy: default-src 'self'; frame-ancestors 'none'}: the page loads
 *       nothing from elsewhere and runs no inline script; no other site may frame its buttons;</li>
 *   <li>{@code Cache-Control: no-cache} with an {@code ETag}: the names carry no version, so a browser
 *       revalidates each time and gets a body-less 304 while the file is unchanged (RFC 9110 §13.1.2);</li>
 *   <li>{@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}.</li>
 * </ul>
 *
 * <p>Thread-safety: one instance per connection, used on its event loop; the assets are immutable.
 */
final class DashboardHandler extends ChannelInboundHandlerAdapter {
    static final String ASSETS_PREFIX = "/assets/";
    static final String CSP = "default-src 'self'; frame-ancestors 'none'";

    private final DashboardAssets assets;
    private final HttpMetrics metrics;

    DashboardHandler(DashboardAssets assets, HttpMetrics metrics) {
        this.assets = assets;
        this.metrics = metrics;
    }

    /** Whether {@code path} (raw, without the query) is the dashboard's rather than the API's. */
    static boolean isDashboardPath(String path) {
        return path.equals("/") || path.startsWith(ASSETS_PREFIX) || path.equals("/assets");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || request.decoderResult().isFailure()) {
            ctx.fireChannelRead(msg);
            return;
        }
        // The raw path: dashboard files have plain names, and a malformed escape is the API's to refuse.
        String path = new QueryStringDecoder(request.uri()).rawPath();
        if (!isDashboardPath(path)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ApiHandler.send(ctx, HttpUtil.isKeepAlive(request), answer(request, path));
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private FullHttpResponse answer(FullHttpRequest request, String path) {
        String method = request.method().name();
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
            FullHttpResponse r = error(405, "method_not_allowed", method + " is not allowed on " + path + "; use GET");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return r;
        }
        DashboardAssets.Asset asset = path.equals("/") ? assets.index()
                : path.startsWith(ASSETS_PREFIX) ? assets.asset(path.substring(ASSETS_PREFIX.length())).orElse(null)
                : null;
        if (asset == null) {
            return error(404, "not_found", "no such resource: " + path);
        }
        if (matches(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), asset.etag())) {
            FullHttpResponse r = response(HttpResponseStatus.NOT_MODIFIED, new byte[0], asset);
            r.headers().remove(HttpHeaderNames.CONTENT_TYPE);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            return r;
        }
        FullHttpResponse r = response(HttpResponseStatus.OK, head ? new byte[0] : asset.bytes(), asset);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, asset.bytes().length);
        return r;
    }

    private FullHttpResponse response(HttpResponseStatus status, byte[] body, DashboardAssets.Asset asset) {
        metrics.answered(status.code());
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, asset.contentType());
        h.set(HttpHeaderNames.ETAG, asset.etag());
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        return r;
    }

    private FullHttpResponse error(int status, String code, String message) {
        metrics.answered(status);
        byte[] body = Json.write(new ApiError(code, message));
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set("X-Content-Type-Options", "nosniff");
        return r;
    }

    /** RFC 9110 §13.1.2: If-None-Match is {@code *} or a list of tags, compared weakly. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
