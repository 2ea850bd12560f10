package io.ratatoskr.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.broker.LogMetrics;
import io.ratatoskr.core.broker.SysTopics;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.client.TrafficTotals;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.PartitionSnapshot;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupsConfig;
import io.ratatoskr.core.trace.Tracing;
import io.ratatoskr.core.persist.BrokerPersistence;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.acl.AclAuthorizer;
import io.ratatoskr.grpc.GrpcBackend;
import io.ratatoskr.grpc.GrpcServer;
import io.ratatoskr.http.AdminHttpServer;
import io.ratatoskr.http.AdminSecurity;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.LogStatus;
import io.ratatoskr.mqtt.server.MqttListener;
import io.ratatoskr.mqtt.server.MqttServer;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.server.auth.CredentialsAuthenticator;
import io.ratatoskr.server.security.AclConfig;
import io.ratatoskr.server.tls.TransportListeners;
import io.ratatoskr.server.trace.OtelTracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A running Ratatoskr node: wires the broker core and its front ends from a {@link ServerConfig},
 * starts them, and stops them in reverse order. The one place that knows every module.
 *
 * <p>Thread-safe: {@link #start} returns a started server; {@link #close} may be called from any
 * thread (the shutdown hook included), once or more.
 */
public final class RatatoskrServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RatatoskrServer.class);

    private final ServerConfig config;
    private final PrometheusMeterRegistry registry;
    private final Broker broker;
    private final MqttServer mqtt;
    private final Authenticator authenticator;
    private final AdminHttpServer http;
    private final TransportListeners tls;
    private final GrpcServer grpc;
    private final DurableTopics durableTopics;
    private final ConsumerGroups groups;
    private final NodeMetrics nodeMetrics;
    private final ScheduledExecutorService groupPool;
    private final ScheduledExecutorService housekeeping;
    /** The ACL file's rules, reloaded on change; null when acl.file is not set (everything allowed). */
    private AclAuthorizer acl;
    private final ScheduledExecutorService maintenance;
    private final BrokerPersistence persistence;
    private final Tracing tracing;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;
    /** Set once everything is recovered and listening; cleared when {@link #close} begins (for readiness). */
    private volatile boolean serving;
    private volatile boolean stopping;
    /** What the node is doing while it starts (for readiness); meaningless once serving. */
    private volatile String startupPhase = "starting";

    private RatatoskrServer(ServerConfig config, UnaryOperator<LogEnvironment> topicsEnvironment)
            throws InterruptedException {
        this.config = config;
        Path dir = config.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = tryLock(lockChannel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data directory " + dir + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(lockChannel);
            throw new IllegalStateException("data directory " + dir + " is in use by another Ratatoskr process");
        }
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The JVM's memory, GC, threads and CPU, next to the broker's own meters.
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        BrokerMetrics metrics = new BrokerMetrics(registry, Clock.systemUTC());
        broker = new Broker(config.broker(), Clock.systemUTC(), metrics);
        tracing = OtelTracing.start(config.tracing(), registry);
        broker.traceWith(tracing);
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ratatoskr-housekeeping");
            t.setDaemon(true);
            return t;
        });
        // What is open so far, last first: closed in that order if the start fails.
        Deque<Runnable> undo = new ArrayDeque<>();
        undo.push(this::releaseLock);
        undo.push(this::closeTracing);
        undo.push(housekeeping::shutdownNow);
        try {
            // The admin listener comes first, so that /health and /ready (503, naming the step) answer
            // while the storage recovers, which can take a while after an unclean stop.
            startupPhase = "loading retained messages and sessions";
            tls = TransportListeners.load(config.transports(), registry);
            http = config.http() == null ? null
                    : new AdminHttpServer(config.http(), AdminApi.startingRoutes(this), registry);
            if (http != null) {
                tls.secureAdmin(http);
                if (config.acl().file() != null || !config.auth().anonymous() || config.auth().credentialsConfigured()) {
                    // Until the authenticator is up, only the static token gets past the probes.
                    http.security(AdminSecurity.STARTING);
                }
                undo.push(http::close);
                http.start();
            }
            // Retained messages are loaded, and session changes journaled, before anything can publish.
            persistence = BrokerPersistence.open(dir, config.persistence(), config.mqtt().maxPacketSize(), broker);
            undo.push(persistence::close);
            // Retention and compaction passes of every partition log, and delayed deletion of their old
            // segments, run here, apart from $SYS publishing.
            maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ratatoskr-log-maintenance");
                t.setDaemon(true);
                return t;
            });
            undo.push(maintenance::shutdownNow);
            startupPhase = "recovering durable topics";
            durableTopics = openDurableTopics(dir.resolve("topics"), config,
                    topicsEnvironment.apply(LogEnvironment.system().withScheduler(maintenance)
                            .withListener(new LogMetrics(registry, "topics"))), registry);
            undo.push(durableTopics::close);
            broker.addStore(durableTopics);
            // Every consumer group runs confined to a serial executor on this pool (docs/threading.md).
            AtomicInteger groupThreads = new AtomicInteger();
            groupPool = Executors.newScheduledThreadPool(2, r -> {
                Thread t = new Thread(r, "ratatoskr-groups-" + groupThreads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            undo.push(groupPool::shutdownNow);
            startupPhase = "recovering consumer groups";
            groups = openGroups(dir.resolve("groups"), durableTopics, groupPool, registry);
            groups.traceWith(tracing);
            undo.push(groups::close);
            nodeMetrics = new NodeMetrics(registry, dir, Clock.systemUTC(), durableTopics.deadLetters());
            // Restored sessions may publish their wills at once: every store takes messages by now.
            startupPhase = "restoring sessions";
            persistence.restoreSessions();
            startupPhase = "starting listeners";
            authenticator = CredentialsAuthenticator.configured(config.auth(), config.mqtt().host(), registry);
            if (authenticator instanceof CredentialsAuthenticator a) {
                undo.push(a::close);
            }
            // Authorization (acl.*): no file, everything allowed; with one, deny by default.
            Authorizer authorizer = openAcl(config.acl());
            mqtt = new MqttServer(config.mqtt(), broker, new SecureRandom(), groups);
            mqtt.security(authenticator, authorizer);
            if (acl != null) {
                acl.onReload(mqtt::recheckSubscriptions); // granted subscriptions follow the new rules
            }
            tls.addMqttListeners(mqtt);
            undo.push(mqtt::close);
            mqtt.start();
            grpc = config.grpc() == null ? null
                    : new GrpcServer(config.grpc(), new GrpcBackend(broker, durableTopics, groups, authorizer),
                            registry, authenticator == Authenticator.ANONYMOUS ? null : authenticator);
            if (grpc != null) {
                undo.push(grpc::close);
                grpc.start();
            }
            if (http != null) {
                // Every part is open: the whole API from now on, for the same users and rules as MQTT and gRPC.
                http.security(new AdminSecurity(authenticator, authorizer, acl != null));
                http.serve(AdminApi.routes(this));
            }
        } catch (RuntimeException | InterruptedException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        if (acl != null) {
            long every = config.acl().reloadIntervalMs();
            housekeeping.scheduleWithFixedDelay(acl::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
        long sysInterval = config.broker().sysIntervalSeconds();
        if (sysInterval > 0) {
            SysTopics sys = new SysTopics(broker, Version.get());
            housekeeping.scheduleAtFixedRate(() -> {
                try {
                    sys.run();
                } catch (RuntimeException e) {
                    log.warn("publishing $SYS statistics failed", e);
                }
            }, 0, sysInterval, TimeUnit.SECONDS);
        }
        tls.scheduleReload(housekeeping, grpc == null ? List.of() : List.of(grpc::reloadTlsIfChanged));
        serving = true;
        int topicCount = durableTopics.list().size();
        int groupCount = groups.list().size();
        log.atInfo().addKeyValue("event", "started").addKeyValue("version", Version.get())
                .addKeyValue("dataDir", dir).addKeyValue("mqttPort", mqtt.port()).addKeyValue("grpcPort", grpcPort())
                .addKeyValue("httpPort", httpPort()).addKeyValue("topics", topicCount).addKeyValue("groups", groupCount)
                .log("Ratatoskr {} started: data in {}, {} durable topics, {} consumer groups, MQTT on {}:{}{}{}",
                        Version.get(), dir, topicCount, groupCount, mqtt.host(), mqtt.port(),
                        grpc == null ? "" : ", gRPC on " + config.grpc().host() + ":" + grpc.port(),
                        http == null ? "" : ", admin API on " + (http.isTls() ? "https" : "http") + "://"
                                + config.http().host() + ":" + http.port());
    }

    private Authorizer openAcl(AclConfig config) {
        if (config.file() == null) {
            return Authorizer.ALLOW_ALL;
        }
        try {
            acl = AclAuthorizer.open(config.file(), registry);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ACL file " + config.file() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid ACL file " + config.file() + ": " + e.getMessage(), e);
        }
        return acl;
    }

    /** The ACL in force, or null when ACLs are off. */
    public AclAuthorizer acl() {
        return acl;
    }

    private static DurableTopics openDurableTopics(Path dir, ServerConfig config, LogEnvironment env,
                                                   MeterRegistry registry) {
        try {
            return DurableTopics.open(dir, config.topics(), env, registry);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the durable topics in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static ConsumerGroups openGroups(Path dir, DurableTopics topics, ScheduledExecutorService pool,
                                             MeterRegistry registry) {
        try {
            return ConsumerGroups.open(dir, topics, Clock.systemUTC(), pool, registry, GroupsConfig.DEFAULTS);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the consumer groups in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The lock, or null when another process — or another server in this JVM — holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    /** Starts a node; fails with a clear message if a port is taken or the data directory is in use. */
    public static RatatoskrServer start(ServerConfig config) throws InterruptedException {
        return new RatatoskrServer(config, UnaryOperator.identity());
    }

    /**
     * Starts a node whose durable-topic logs use the environment {@code topicsEnvironment} makes of the
     * default one: for tests that inject disk faults ({@code LogEnvironment.withChannels}).
     */
    static RatatoskrServer start(ServerConfig config, UnaryOperator<LogEnvironment> topicsEnvironment)
            throws InterruptedException {
        return new RatatoskrServer(config, topicsEnvironment);
    }

    public ServerConfig config() {
        return config;
    }

    public int mqttPort() {
        return mqtt.port();
    }

    /** The gRPC port, or -1 when gRPC is off. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    /** The admin API port, or -1 when it is off. */
    /** The MQTT TLS, WebSocket and secure WebSocket listeners bound, in that order. */
    public List<MqttServer.Bound> mqttExtraListeners() {
        return mqtt.extraListeners();
    }

    /** The bound port of the MQTT listener of {@code kind}; -1 when it is off. */
    public int mqttPort(MqttListener.Kind kind) {
        return mqtt.port(kind);
    }

    /** Whether the admin API speaks HTTPS. */
    public boolean httpTls() {
        return http != null && http.isTls();
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public Broker broker() {
        return broker;
    }

    /** The durable topics: admin (create, alter, delete, describe), cursor reads, dead letters. */
    public DurableTopics durableTopics() {
        return durableTopics;
    }

    /** The consumer groups ({@code $queue/...} subscriptions, and later gRPC Consume and the admin API). */
    public ConsumerGroups consumerGroups() {
        return groups;
    }

    public MeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Whether the node can take traffic now (what {@code GET /ready} answers): listeners bound,
     * storage recovered and not stopping, no partition or state log refusing writes. Thread-safe.
     */
    public Readiness readiness() {
        Map<String, Readiness.Check> checks = new LinkedHashMap<>();
        if (!serving && !stopping) {
            // Still in the constructor (the admin listener answers from the start): the parts below
            // may not exist yet.
            checks.put("mqtt", Readiness.Check.down("the MQTT listener is not bound yet"));
            checks.put("storage", Readiness.Check.down("the node is starting: " + startupPhase));
            return Readiness.of(checks);
        }
        checks.put("mqtt", mqtt.isListening() ? Readiness.Check.UP
                : Readiness.Check.down("the MQTT listener is not bound"));
        if (grpc != null) {
            checks.put("grpc", grpc.isListening() ? Readiness.Check.UP
                    : Readiness.Check.down("the gRPC listener is not bound"));
        }
        checks.put("storage", serving ? Readiness.Check.UP
                : Readiness.Check.down(stopping ? "the node is stopping" : "the node is starting"));
        List<PartitionSnapshot> failed = durableTopics.failedPartitions();
        checks.put("topics", failed.isEmpty() ? Readiness.Check.UP : Readiness.Check.down(
                "partitions refuse writes: " + failed.stream().map(p -> p.topic() + "/" + p.partition()
                        + (p.failure() == null ? "" : " (" + p.failure() + ")")).collect(Collectors.joining(", "))));
        List<String> stateFailures = new ArrayList<>();
        for (Log l : persistence.sessions() == null ? List.of(persistence.retained().log())
                : List.of(persistence.retained().log(), persistence.sessions().log())) {
            LogStatus status = l.status();
            if (status.state() == LogStatus.State.FAILED) {
                stateFailures.add(l.dir().getFileName() + (status.cause() == null ? "" : " (" + status.cause() + ")"));
            }
        }
        checks.put("state", stateFailures.isEmpty() ? Readiness.Check.UP
                : Readiness.Check.down("state logs refuse writes: " + String.join(", ", stateFailures)));
        return Readiness.of(checks);
    }

    /** What the node is doing while it starts, e.g. "recovering durable topics". */
    String startupPhase() {
        return startupPhase;
    }

    /** The connected clients of each front end: MQTT, then gRPC when it is on. Thread-safe. */
    List<ConnectedClients> clientLists() {
        return grpc == null ? List.of(mqtt.clients()) : List.of(mqtt.clients(), grpc.clients());
    }

    /**
     * Messages and bytes in and out since start, over every protocol: MQTT's PUBLISH packets and
     * socket bytes, plus the gRPC listener's own totals (published and delivered messages, Fetch
     * answers included; message bytes). Thread-safe.
     */
    public TrafficTotals traffic() {
        BrokerMetrics m = broker.metrics();
        TrafficTotals counted = new TrafficTotals(m.messagesReceivedTotal(), m.messagesSentTotal(),
                m.bytesReceivedTotal(), m.bytesSentTotal());
        return grpc == null ? counted : counted.plus(grpc.traffic());
    }

    /** The MQTT listener's bound host. */
    String mqttHost() {
        return mqtt.host();
    }

    /** Every meter in Prometheus' text exposition format (what {@code GET /metrics} answers). */
    public String scrapeMetrics() {
        // The admin listener answers /metrics while the node is still being built: the node's own
        // gauges exist once it serves (serving is written after them, so reading it publishes them).
        if (serving || stopping) {
            nodeMetrics.refresh();
        }
        return registry.scrape();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        serving = false;
        log.atInfo().addKeyValue("event", "stopping").log("Ratatoskr stopping");
        if (http != null) {
            http.close();
        }
        if (grpc != null) {
            grpc.close();
        }
        mqtt.close();
        if (authenticator instanceof CredentialsAuthenticator a) {
            a.close();
        }
        // After the listener: no member is left; the groups write their state, then the topics close.
        groups.close();
        groupPool.shutdownNow();
        // After the listener: no publish is in flight; queued appends complete, then the logs close.
        durableTopics.close();
        maintenance.shutdownNow();
        try {
            persistence.close();
        } catch (RuntimeException e) {
            log.error("closing the state logs failed", e);
        }
        housekeeping.shutdownNow();
        // Last: the spans of the final publishes are exported (bounded by the export timeout).
        closeTracing();
        releaseLock();
        log.atInfo().addKeyValue("event", "stopped").log("Ratatoskr stopped");
    }

    private void closeTracing() {
        if (tracing instanceof OtelTracing otel) {
            otel.close();
        }
    }

    private void releaseLock() {
        try {
            lock.release();
        } catch (IOException e) {
            log.warn("releasing the data directory lock failed", e);
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
