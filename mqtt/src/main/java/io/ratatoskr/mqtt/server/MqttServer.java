package io.ratatoskr.mqtt.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.client.ConnectedClient;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.mqtt.codec.MqttDecoder;
import io.ratatoskr.mqtt.codec.MqttEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The MQTT listeners: plain TCP, and optionally TLS, WebSocket and secure WebSocket ({@link #listen}),
 * on Netty with native epoll where available (NIO otherwise) and shared event loops. One pipeline per
 * connection — [TLS, handshake counter] [HTTP codec, upgrade aggregator, WebSocket protocol handler,
 * frame adapter] traffic counter, packet decoder, encoder, {@link MqttConnection}.
 *
 * <p>Thread-safe; {@link #start} and {@link #close} are called once each by the wiring.
 */
public final class MqttServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttServer.class);

    /** How long {@link #close} waits for the DISCONNECTs to be written before it closes what is left. */
    static final long DISCONNECT_WAIT_MS = 2_000;

    private final MqttConfig config;
    private final MqttServerContext context;
    private final TrafficCounter trafficCounter;
    private final boolean epoll;
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private volatile Channel serverChannel;
    private final List<MqttListener> extraListeners = new ArrayList<>();
    private final List<Bound> boundListeners = new ArrayList<>();
    private final List<Channel> extraChannels = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The WebSocket subprotocols accepted (MQTT 5.0 §6: {@code mqtt}; older clients ask for {@code mqttv3.1}). */
    static final String WEBSOCKET_SUBPROTOCOLS = "mqtt,mqttv3.1";
    /** The WebSocket upgrade request is small; anything bigger is not a browser's upgrade. */
    static final int UPGRADE_REQUEST_MAX_BYTES = 16 * 1024;

    public MqttServer(MqttConfig config, Broker broker, RandomGenerator random) {
        this(config, broker, random, null);
    }

    /**
     * A listener whose clients can also join consumer groups ({@code $queue/<group>/<topic>}
     * subscriptions); {@code groups} null: such subscriptions are refused.
     */
    public MqttServer(MqttConfig config, Broker broker, RandomGenerator random, ConsumerGroups groups) {
        this.config = config;
        ChannelGroup channels = new DefaultChannelGroup("mqtt", GlobalEventExecutor.INSTANCE);
        this.context = new MqttServerContext(config, broker, channels, random, groups);
        this.trafficCounter = new TrafficCounter(broker.metrics());
        io.micrometer.core.instrument.Gauge.builder("ratatoskr.mqtt.connections.pending",
                        context.pendingConnections(), AddressConnections::total)
                .description("Accepted MQTT sockets whose CONNECT has not completed").register(broker.metrics().registry());
        this.epoll = Epoll.isAvailable();
    }

    /**
     * Sets who may connect and what clients may do, before {@link #start}; without it every client
     * is let in anonymously and allowed everything.
     */
    public MqttServer security(Authenticator authenticator, Authorizer authorizer) {
        context.security(authenticator, authorizer);
        return this;
    }

    /**
     * Re-checks the subscriptions of every connected client against the authorizer (after an ACL
     * reload) and removes those no longer allowed. MQTT has no server-initiated unsubscribe, so the
     * client is not told: it just stops receiving. Consumer-group ({@code $queue}) memberships and the
     * subscriptions of offline sessions are not re-checked. Runs on each connection's event loop.
     */
    public void recheckSubscriptions() {
        for (ConnectedClient c : context.clients().page(null, Integer.MAX_VALUE)) {
            if (c instanceof MqttClientEntry e) {
                e.connection().recheckSubscriptions();
            }
        }
    }

    /** Binds the listener. @throws java.io.UncheckedIOException-like failure if the port is taken */
    public void start() throws InterruptedException {
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerSocketChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new NamedThreads("ratatoskr-mqtt-accept"), factory);
        ioGroup = new MultiThreadIoEventLoopGroup(threads, new NamedThreads("ratatoskr-mqtt-io"), factory);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLowBytes(), config.writeBufferHighBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        addMqttHandlers(ch.pipeline());
                    }
                });
        ChannelFuture bound = bootstrap.bind(config.host(), config.port()).await();
        if (!bound.isSuccess()) {
            shutdownGroups();
            throw new IllegalStateException("cannot listen for MQTT on " + config.host() + ":" + config.port()
                    + ": " + bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        log.atInfo().addKeyValue("listener", "mqtt").addKeyValue("address", host() + ":" + port())
                .log("MQTT listening on {} ({}, {} I/O threads)", serverChannel.localAddress(),
                        epoll ? "epoll" : "nio", threads);
        for (MqttListener listener : extraListeners) {
            bindExtra(bootstrap.clone(), listener);
        }
    }

    /**
     * The MQTT handlers every transport ends with, after its own (TLS, WebSocket); tests also build
     * embedded channels with it.
     */
    void addMqttHandlers(ChannelPipeline pipeline) {
        MqttEncoder encoder = new MqttEncoder();
        pipeline.addLast("traffic", trafficCounter)
                .addLast("decoder", MqttDecoder.forServer(config.maxPacketSize()))
                .addLast("encoder", encoder)
                .addLast("connection", new MqttConnection(context, encoder));
    }

    private void bindExtra(ServerBootstrap bootstrap, MqttListener listener) {
        String name = listener.kind().listenerName();
        TlsHandshakes handshakes = listener.kind().secure()
                ? new TlsHandshakes(name, context.metrics().registry()) : null;
        WebSocketOriginCheck originCheck = new WebSocketOriginCheck(name, listener.origins(), context.metrics(),
                context.refusalLog());
        bootstrap.childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ChannelPipeline p = ch.pipeline();
                if (handshakes != null) {
                    // Asked per connection: a reloaded certificate serves new connections only.
                    p.addLast("tls", listener.tls().get().newHandler(ch.alloc()));
                    p.addLast("tlsHandshakes", handshakes);
                }
                if (listener.kind() != MqttListener.Kind.TLS) {
                    p.addLast("http", new HttpServerCodec());
                    p.addLast("httpAggregator", new HttpObjectAggregator(UPGRADE_REQUEST_MAX_BYTES));
                    p.addLast("webSocketOrigin", originCheck);
                    p.addLast("webSocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                            .websocketPath(listener.path())
                            .subprotocols(WEBSOCKET_SUBPROTOCOLS)
                            .maxFramePayloadLength(config.maxPacketSize())
                            .handshakeTimeoutMillis(TimeUnit.SECONDS.toMillis(config.connectTimeoutSeconds()))
                            .build()));
                    p.addLast("webSocketFrames", WebSocketFrames.INSTANCE);
                }
                addMqttHandlers(p);
            }
        });
        ChannelFuture bound = bootstrap.bind(config.host(), listener.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            close();
            throw new IllegalStateException("cannot listen for " + name + " on " + config.host() + ":"
                    + listener.port() + ": " + bound.cause().getMessage(), bound.cause());
        }
        Channel ch = bound.channel();
        InetSocketAddress address = (InetSocketAddress) ch.localAddress();
        extraChannels.add(ch);
        bound(new Bound(name, address.getHostString(), address.getPort(), listener.kind().secure()));
        log.atInfo().addKeyValue("listener", name).addKeyValue("address", address.getHostString() + ":"
                + address.getPort()).log("MQTT ({}) listening on {}{}", name, address,
                listener.path() != null && listener.kind() != MqttListener.Kind.TLS ? " path " + listener.path() : "");
    }

    private synchronized void bound(Bound b) {
        boundListeners.add(b);
    }

    /**
     * Adds a TLS, WebSocket or secure WebSocket listener on {@link MqttConfig#host()}, bound by
     * {@link #start}; call before it.
     */
    public synchronized MqttServer listen(MqttListener listener) {
        if (serverChannel != null) {
            throw new IllegalStateException("listeners are added before start()");
        }
        extraListeners.add(listener);
        return this;
    }

    /** A bound listener: its name ({@code mqtt-tls}, {@code mqtt-ws}, {@code mqtt-wss}), address and security. */
    public record Bound(String name, String host, int port, boolean tls) {}

    /** The extra listeners bound by {@link #start}, in the order they were added. */
    public synchronized List<Bound> extraListeners() {
        return List.copyOf(boundListeners);
    }

    /** The bound port of the first extra listener of {@code kind}; -1 if there is none. */
    public int port(MqttListener.Kind kind) {
        return extraListeners().stream().filter(b -> b.name().equals(kind.listenerName()))
                .mapToInt(Bound::port).findFirst().orElse(-1);
    }

    /** Whether the listener is bound and accepts connections (started, not yet closed). */
    public boolean isListening() {
        Channel ch = serverChannel;
        return ch != null && ch.isActive();
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String host() {
        return ((InetSocketAddress) serverChannel.localAddress()).getHostString();
    }

    /** The clients connected now (CONNECT accepted, connection open), by client identifier. */
    public ConnectedClients clients() {
        return context.clients();
    }

    public boolean usesEpoll() {
        return epoll;
    }

    /**
     * Stops accepting, tells every MQTT 5 client that the server is shutting down (DISCONNECT 0x8B,
     * MQTT 5.0 §3.14.2.1) and closes every connection, then stops the event loops. A connection
     * whose DISCONNECT cannot be written within {@value #DISCONNECT_WAIT_MS} ms is closed anyway.
     */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        for (Channel ch : extraChannels) {
            ch.close().awaitUninterruptibly();
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (MqttConnection connection : connections()) {
            connection.serverShuttingDown();
        }
        for (Channel ch : context.channels()) {
            closing.add(ch.closeFuture());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DISCONNECT_WAIT_MS);
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        context.channels().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
    }

    /** The open connections, whatever their transport and phase. */
    List<MqttConnection> connections() {
        List<MqttConnection> all = new ArrayList<>();
        for (Channel ch : context.channels()) {
            MqttConnection connection = ch.pipeline().get(MqttConnection.class);
            if (connection != null) {
                all.add(connection);
            }
        }
        return all;
    }

    private void shutdownGroups() {
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
