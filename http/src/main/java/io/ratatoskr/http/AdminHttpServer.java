package io.ratatoskr.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.security.ThrottledLog;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP admin listener (default port 8080): the web dashboard's static files at {@code /} and
 * {@code /assets/} ({@link DashboardHandler}) and JSON API calls routed by a {@link Router}. Netty
 * decodes requests on one event loop; handlers run on a small bounded worker pool, since API calls
 * may open or delete files. A full pool answers 503 rather than queueing without bound.
 *
 * <p>Thread-safe; {@link #start} and {@link #close} are called once each by the wiring.
 */
public final class AdminHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminHttpServer.class);

    private final HttpConfig config;
    /** Swapped once by {@link #serve}: a node answers health and readiness while it recovers. */
    private volatile Router router;
    private final ThreadPoolExecutor workers;
    private final HttpMetrics metrics;
    private volatile AdminAuth auth;
    /** One refusal log line per source address every 10 s, shared by every connection. */
    private final ThrottledLog refusalLog = ThrottledLog.everyTenSeconds();
    private final DashboardAssets dashboard = DashboardAssets.load();
    private EventLoopGroup group;
    private Channel serverChannel;
    private volatile Supplier<SslContext> tls;

    public AdminHttpServer(HttpConfig config, Router router, MeterRegistry registry) {
        this.config = config;
        this.router = router;
        this.metrics = new HttpMetrics(registry);
        this.auth = new AdminAuth(config.bearerToken(), AdminSecurity.NONE, Clock.systemUTC());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.maxQueuedRequests()), r -> {
                    Thread t = new Thread(r, "ratatoskr-http-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Binds the listener; fails with a clear message when the port is taken. */
    public void start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerSocketChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "ratatoskr-http-io");
            t.setDaemon(true);
            return t;
        }, factory);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Supplier<SslContext> t = tls;
                        if (t != null) {
                            // Asked per connection: a reloaded certificate serves new connections only.
                            ch.pipeline().addLast("tls", t.get().newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec(4096, 16 * 1024, 64 * 1024))
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("aggregator", new HttpObjectAggregator(config.maxRequestBytes()))
                                .addLast("dashboard", new DashboardHandler(dashboard, metrics))
                                .addLast("api", new ApiHandler(() -> router, workers, metrics, () -> auth,
                                        refusalLog));
                    }
                });
        ChannelFuture bound = bootstrap.bind(config.host(), config.port()).await();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen for HTTP on " + config.host() + ":" + config.port()
                    + ": " + bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        InetSocketAddress local = (InetSocketAddress) serverChannel.localAddress();
        if (!auth.isProtected() && !local.getAddress().isLoopbackAddress()) {
            log.atWarn().addKeyValue("listener", "http").addKeyValue("address", config.host() + ":" + port())
                    .addKeyValue("auth", "none")
                    .log("HTTP admin API listening on {} without authentication: anyone who can reach it may "
                            + "administer the broker (set http.token-file, or auth.* and acl.file)", local);
        } else {
            log.atInfo().addKeyValue("listener", "http").addKeyValue("address", config.host() + ":" + port())
                    .addKeyValue("auth", auth.isProtected() ? "required" : "none")
                    .log("HTTP admin API listening on {}{}{}", local, tls == null ? "" : " (HTTPS)",
                            auth.isProtected() ? " (authentication required)" : "");
        }
    }

    /**
     * Who may call besides the static token's holder, and in which role, from now on (the wiring sets
     * {@link AdminSecurity#STARTING} before {@link #start} and the broker's own once it is up). Without
     * it only the token (if configured) is checked.
     */
    public AdminHttpServer security(AdminSecurity security) {
        this.auth = new AdminAuth(config.bearerToken(), security, Clock.systemUTC());
        return this;
    }

    /**
     * Serves HTTPS instead of HTTP, with the context {@code tls} gives at each new connection (a
     * supplier that swaps its context reloads the certificate for new connections); call before
     * {@link #start}.
     */
    public AdminHttpServer tls(Supplier<SslContext> context) {
        this.tls = context;
        return this;
    }

    /** Whether the listener speaks HTTPS. */
    public boolean isTls() {
        return tls != null;
    }

    /**
     * Routes calls with {@code next} from now on (calls already routed finish with the old router).
     * The wiring starts the listener with a router for a node that is still recovering, then swaps in
     * the full API once every part is open.
     */
    public void serve(Router next) {
        this.router = java.util.Objects.requireNonNull(next, "router");
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
