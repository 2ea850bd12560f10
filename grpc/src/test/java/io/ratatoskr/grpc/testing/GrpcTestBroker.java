package io.ratatoskr.grpc.testing;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupsConfig;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.grpc.GrpcBackend;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.grpc.GrpcServer;
import io.ratatoskr.log.ChannelFactory;
import io.ratatoskr.log.LogEnvironment;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real broker core (live pub/sub, durable topics on real files, consumer groups) behind the gRPC
 * listener on a free loopback port, with a plaintext channel to it — wired as the server wires them.
 * Close it after the test; {@link #restart()} closes and reopens it on the same directory.
 *
 * <p>Thread-safety: not thread-safe; one test drives it.
 */
public final class GrpcTestBroker implements AutoCloseable {
    private static final GrpcConfig LOOPBACK = GrpcConfig.DEFAULTS.withHost("127.0.0.1").withPort(0);

    private final Path dir;
    private final DurableTopicsConfig topicsConfig;
    private final GrpcConfig grpcConfig;
    private final Authorizer authorizer;
    private final Authenticator authenticator;
    private final BrokerConfig brokerConfig;
    private final ChannelFactory channels;
    private Clock groupClock = Clock.systemUTC();
    private GroupsConfig groupsConfig = GroupsConfig.DEFAULTS;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ScheduledExecutorService maintenance;
    private ScheduledExecutorService groupPool;
    private Broker broker;
    private DurableTopics topics;
    private ConsumerGroups groups;
    private GrpcServer server;
    private ManagedChannel channel;

    private GrpcTestBroker(Path dir, DurableTopicsConfig topicsConfig, GrpcConfig grpcConfig) {
        this(dir, topicsConfig, grpcConfig, Authorizer.ALLOW_ALL, BrokerConfig.DEFAULTS.withSysIntervalSeconds(0));
    }

    private GrpcTestBroker(Path dir, DurableTopicsConfig topicsConfig, GrpcConfig grpcConfig, Authorizer authorizer,
                           BrokerConfig broker) {
        this(dir, topicsConfig, grpcConfig, authorizer, broker, null, ChannelFactory.DEFAULT);
    }

    private GrpcTestBroker(Path dir, DurableTopicsConfig topicsConfig, GrpcConfig grpcConfig, Authorizer authorizer,
                           BrokerConfig broker, Authenticator authenticator, ChannelFactory channels) {
        this.channels = channels;
        this.authenticator = authenticator;
        this.brokerConfig = broker;
        this.dir = dir;
        this.topicsConfig = topicsConfig;
        this.grpcConfig = grpcConfig;
        this.authorizer = authorizer;
    }

    /** A broker whose calls are authorized by {@code authorizer}. */
    public static GrpcTestBroker start(Path dir, Authorizer authorizer) {
        return new GrpcTestBroker(dir, DurableTopicsConfig.DEFAULTS, LOOPBACK, authorizer,
                BrokerConfig.DEFAULTS.withSysIntervalSeconds(0)).opened();
    }

    /** A broker whose calls are authenticated by {@code authenticator} and authorized by {@code authorizer}. */
    public static GrpcTestBroker start(Path dir, Authenticator authenticator, Authorizer authorizer) {
        return new GrpcTestBroker(dir, DurableTopicsConfig.DEFAULTS, LOOPBACK, authorizer,
                BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), authenticator, ChannelFactory.DEFAULT).opened();
    }

    /** A broker keeping its files in {@code dir}. */
    public static GrpcTestBroker start(Path dir) {
        return new GrpcTestBroker(dir, DurableTopicsConfig.DEFAULTS, LOOPBACK).opened();
    }

    /**
     * A broker whose consumer groups read the time from {@code groupClock} (a {@code ManualClock}) and
     * check their timers every 5 ms: an ack timeout passes when the test moves that clock, never while
     * an answer is on its way. The gRPC layer keeps the system clock.
     */
    public static GrpcTestBroker startWithGroupClock(Path dir, Clock groupClock) {
        GrpcTestBroker b = new GrpcTestBroker(dir, DurableTopicsConfig.DEFAULTS, LOOPBACK);
        b.groupClock = groupClock;
        b.groupsConfig = GroupsConfig.DEFAULTS.withTickMs(5);
        return b.opened();
    }

    /**
     * A broker whose listener is configured by {@code grpc} applied to a loopback listener on a free
     * port (e.g. TLS); {@link #channel()} stays plaintext, so such a test makes its own channel.
     */
    public static GrpcTestBroker start(Path dir, UnaryOperator<GrpcConfig> grpc) {
        return new GrpcTestBroker(dir, DurableTopicsConfig.DEFAULTS, grpc.apply(LOOPBACK)).opened();
    }

    /** A broker keeping its files in {@code dir}, whose core has {@code broker} (e.g. tighter limits). */
    public static GrpcTestBroker startWithBroker(Path dir, BrokerConfig broker) {
        return new GrpcTestBroker(dir, DurableTopicsConfig.DEFAULTS, LOOPBACK, Authorizer.ALLOW_ALL, broker).opened();
    }

    /**
     * A broker whose logs open their files through {@code channels} (e.g. a {@code FaultyFileChannel}
     * for some topics' directories, under {@code dir/topics/<topic>}).
     */
    public static GrpcTestBroker startWithChannels(Path dir, ChannelFactory channels) {
        return new GrpcTestBroker(dir, DurableTopicsConfig.DEFAULTS, LOOPBACK, Authorizer.ALLOW_ALL,
                BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), null, channels).opened();
    }

    /** A broker keeping its files in {@code dir}, with {@code topicsConfig} (e.g. auto-creation on). */
    public static GrpcTestBroker start(Path dir, DurableTopicsConfig topicsConfig) {
        return new GrpcTestBroker(dir, topicsConfig, LOOPBACK).opened();
    }

    private GrpcTestBroker opened() {
        open();
        return this;
    }

    private void open() {
        maintenance = Executors.newSingleThreadScheduledExecutor();
        groupPool = Executors.newScheduledThreadPool(2);
        broker = new Broker(brokerConfig, Clock.systemUTC(),
                new BrokerMetrics(registry));
        topics = DurableTopics.open(dir.resolve("topics"), topicsConfig,
                LogEnvironment.system().withScheduler(maintenance).withChannels(channels), registry);
        broker.addStore(topics);
        groups = ConsumerGroups.open(dir.resolve("groups"), topics, groupClock, groupPool, registry, groupsConfig);
        server = new GrpcServer(grpcConfig, new GrpcBackend(broker, topics, groups, authorizer), registry,
                authenticator);
        server.start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    /** Closes everything and opens it again on the same files (a clean restart); the port changes. */
    public void restart() {
        close();
        open();
    }

    public ManagedChannel channel() {
        return channel;
    }

    public RatatoskrGrpc.RatatoskrBlockingStub blocking() {
        return RatatoskrGrpc.newBlockingStub(channel);
    }

    public RatatoskrGrpc.RatatoskrStub async() {
        return RatatoskrGrpc.newStub(channel);
    }

    public int port() {
        return server.port();
    }

    public Broker broker() {
        return broker;
    }

    public DurableTopics topics() {
        return topics;
    }

    public ConsumerGroups groups() {
        return groups;
    }

    public SimpleMeterRegistry registry() {
        return registry;
    }

    /** The gRPC server under test. */
    public GrpcServer server() {
        return server;
    }

    /** Closes the gRPC server only (as a broker shutdown begins), keeping the channel and the core. */
    public void closeServerOnly() {
        server.close();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        groups.close();
        groupPool.shutdownNow();
        topics.close();
        maintenance.shutdownNow();
    }
}
