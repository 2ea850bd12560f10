package io.ratatoskr.grpc;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.client.TrafficTotals;
import io.ratatoskr.core.trace.Tracing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC listener: service {@code ratatoskr.v1.Ratatoskr}, the standard {@code grpc.health.v1}
 * service and server reflection (v1 and v1alpha), over grpc-java's Netty transport.
 *
 * <p>Where calls run: on a fixed pool of {@link GrpcConfig#workerThreads()} threads, because
 * creating or altering a topic, seeking a group and the like touch the disk, and a Consume stream's
 * messages take the stream's monitor, which the group's thread holds while it sends (an event loop
 * must never wait for it; with batches a stream's requests are few, so the hand-off costs little).
 *
 * <p>Thread-safety: {@link #start} once, {@link #close} from any thread, idempotent.
 */
public final class GrpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
    private static final long SHUTDOWN_GRACE_MS = 5_000;

    private final GrpcConfig config;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ExecutorService executor;
    private final RatatoskrService service;
    private final GrpcTraffic traffic = new GrpcTraffic();
    private final Server server;
    private final ReloadingGrpcSslContext tls;
    private volatile boolean closed;
    private volatile boolean listening;

    public GrpcServer(GrpcConfig config, GrpcBackend backend, MeterRegistry registry) {
        this(config, backend, registry, null);
    }

    /**
     * @param authenticator who may call (every call is authenticated, see {@link GrpcAuthInterceptor});
     *                      null: everyone, as an anonymous principal
     */
    public GrpcServer(GrpcConfig config, GrpcBackend backend, MeterRegistry registry,
                      io.ratatoskr.core.security.Authenticator authenticator) {
        this.config = config;
        this.executor = Executors.newFixedThreadPool(config.workerThreads(), named("grpc-call-"));
        this.service = new RatatoskrService(backend, registry, executor);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()));
        this.tls = config.tls() == null ? null : new ReloadingGrpcSslContext(config.tls(), registry);
        if (tls != null) {
            builder.sslContext(tls);
        }
        if (backend.broker().tracing() != Tracing.NOOP) {
            builder.intercept(new TraceHeaders());
        }
        if (authenticator != null) {
            builder.intercept(new GrpcAuthInterceptor(authenticator, java.time.Clock.systemUTC(), executor));
        }
        this.server = builder
                .executor(executor)
                .maxInboundMessageSize(config.maxInboundMessageBytes())
                .maxConcurrentCallsPerConnection(config.maxConcurrentCallsPerConnection())
                .keepAliveTime(config.keepAliveTimeMs(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(config.keepAliveTimeoutMs(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(config.permitKeepAliveTimeMs(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(config.maxConnectionIdleMs() == 0 ? Long.MAX_VALUE : config.maxConnectionIdleMs(),
                        TimeUnit.MILLISECONDS)
                .addService(service)
                .intercept(traffic)
                .intercept(new CallMetrics(registry))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(reflectionV1Alpha())
                .build();
    }

    /**
     * Rereads the TLS certificate files and, when they changed and load, serves new connections with
     * them (open ones keep theirs); false without TLS or without a change. Called by the wiring's
     * periodic certificate check.
     */
    public boolean reloadTlsIfChanged() {
        return tls != null && tls.reloadIfChanged();
    }

    @SuppressWarnings("deprecation")
    private static io.grpc.BindableService reflectionV1Alpha() {
        // Older tools (grpcurl before 1.9, some IDEs) only speak v1alpha.
        return ProtoReflectionService.newInstance();
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public void start() {
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot bind gRPC on " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        listening = true;
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(RatatoskrGrpc.SERVICE_NAME, ServingStatus.SERVING);
        log.atInfo().addKeyValue("listener", "grpc").addKeyValue("address", config.host() + ":" + port())
                .log("gRPC listening on {}:{}", config.host(), port());
    }

    /** Whether the port is bound and calls are taken (started, not yet closed). */
    public boolean isListening() {
        return listening;
    }

    /** Open Subscribe streams and started Consume streams, as clients of the admin API. */
    public ConnectedClients clients() {
        return service.clients();
    }

    /** Messages and bytes received and sent since start (see {@link GrpcTraffic}). */
    public TrafficTotals traffic() {
        return new TrafficTotals(traffic.messagesIn(), traffic.messagesOut(), traffic.bytesIn(), traffic.bytesOut());
    }

    /** The bound port (useful when configured with 0). */
    public int port() {
        return server.getPort();
    }

    /**
     * Stops accepting calls, reports NOT_SERVING, ends open streams (UNAVAILABLE) and waits a
     * bounded time for unary calls in progress.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listening = false;
        health.enterTerminalState();
        service.shutdown();
        server.shutdown();
        try {
            if (!server.awaitTermination(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
