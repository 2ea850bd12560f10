package io.ratatoskr.client;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupsConfig;
import io.ratatoskr.grpc.GrpcBackend;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.grpc.GrpcServer;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A real in-process broker on {@code dataDir} — the core with durable topics and consumer groups, MQTT
 * and gRPC on loopback, wired as the server wires them (the client cannot depend on the server module,
 * whose command line uses this client) — and clients to it. {@link #restart()} stops it and starts a
 * new one on the same directory and the same gRPC port, as a broker restart looks to a client.
 *
 * <p>Thread-safety: not thread-safe; one test drives it.
 */
final class TestBroker implements AutoCloseable {
    private final Path dataDir;
    private final GrpcConfig grpcConfig;
    private ScheduledExecutorService maintenance;
    private ScheduledExecutorService groupPool;
    private DurableTopics topics;
    private ConsumerGroups groups;
    private MqttServer mqtt;
    private GrpcServer grpc;
    private int grpcPort;

    private TestBroker(Path dataDir, GrpcConfig grpcConfig) throws InterruptedException {
        this.dataDir = dataDir;
        this.grpcConfig = grpcConfig;
        open(grpcConfig.port());
        this.grpcPort = grpc.port();
    }

    static TestBroker start(Path dataDir) throws InterruptedException {
        return new TestBroker(dataDir, GrpcConfig.DEFAULTS.withHost("127.0.0.1").withPort(0));
    }

    /** A broker whose gRPC listener is {@code grpc} (e.g. with TLS) on a free loopback port. */
    static TestBroker start(Path dataDir, GrpcConfig grpc) throws InterruptedException {
        return new TestBroker(dataDir, grpc.withHost("127.0.0.1").withPort(0));
    }

    DurableTopics durableTopics() {
        return topics;
    }

    ConsumerGroups consumerGroups() {
        return groups;
    }

    int grpcPort() {
        return grpcPort;
    }

    String mqttUri() {
        return "tcp://127.0.0.1:" + mqtt.port();
    }

    /** A client with a short reconnect backoff; close it in the test. */
    RatatoskrClient client() {
        return client(RatatoskrClient.builder());
    }

    RatatoskrClient client(RatatoskrClient.Builder builder) {
        return builder.host("127.0.0.1").port(grpcPort).defaultDeadline(Duration.ofSeconds(10))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    }

    /** Stops the broker (clients see their streams fail) without starting it again. */
    void stop() {
        grpc.close();
        mqtt.close();
        groups.close();
        groupPool.shutdownNow();
        topics.close();
        maintenance.shutdownNow();
    }

    /** Starts the broker again on the same files and gRPC port. */
    void startAgain() throws InterruptedException {
        open(grpcPort);
    }

    void restart() throws InterruptedException {
        stop();
        startAgain();
    }

    @Override
    public void close() {
        stop();
    }

    private void open(int port) throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        maintenance = Executors.newSingleThreadScheduledExecutor();
        groupPool = Executors.newScheduledThreadPool(2);
        Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), Clock.systemUTC(),
                new BrokerMetrics(registry));
        topics = DurableTopics.open(dataDir.resolve("topics"), DurableTopicsConfig.DEFAULTS,
                LogEnvironment.system().withScheduler(maintenance), registry);
        broker.addStore(topics);
        groups = ConsumerGroups.open(dataDir.resolve("groups"), topics, Clock.systemUTC(), groupPool, registry,
                GroupsConfig.DEFAULTS);
        mqtt = new MqttServer(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0), broker, new SecureRandom(), groups);
        mqtt.start();
        grpc = new GrpcServer(grpcConfig.withPort(port), new GrpcBackend(broker, topics, groups), registry);
        grpc.start();
    }
}
