package io.ratatoskr.mqtt.testing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.broker.SysTopics;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttServer;

import java.nio.file.Path;
import java.time.Clock;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real broker (core + MQTT listener) on a free loopback port, for integration tests with real
 * clients over real sockets. Close it after the test.
 *
 * <p>With {@code sysIntervalSeconds > 0} it publishes {@code $SYS} statistics on a thread of its own, as
 * the server's wiring does. {@link #startWithDurableTopics} adds durable topics on real files, registered
 * with the broker as the server registers them.
 */
public final class TestBroker implements AutoCloseable {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Broker broker;
    private final MqttServer server;
    private final ScheduledExecutorService housekeeping;

    private final DurableTopics durableTopics;

    private TestBroker(BrokerConfig brokerConfig, MqttConfig mqttConfig) {
        this(brokerConfig, mqttConfig, null, null, Authorizer.ALLOW_ALL);
    }

    private TestBroker(BrokerConfig brokerConfig, MqttConfig mqttConfig, Path topicsDir, LogEnvironment env) {
        this(brokerConfig, mqttConfig, topicsDir, env, Authorizer.ALLOW_ALL);
    }

    private TestBroker(BrokerConfig brokerConfig, MqttConfig mqttConfig, Path topicsDir, LogEnvironment env,
                       Authorizer authorizer) {
        broker = new Broker(brokerConfig, Clock.systemUTC(), new BrokerMetrics(registry));
        if (topicsDir != null) {
            durableTopics = DurableTopics.open(topicsDir, DurableTopicsConfig.DEFAULTS, env, registry,
                    new SplittableRandom(42));
            broker.addStore(durableTopics);
        } else {
            durableTopics = null;
        }
        // Loopback on a free port; a test may ask for IPv6 loopback (host ::1) instead.
        String host = mqttConfig.host().equals("::1") ? "::1" : "127.0.0.1";
        server = new MqttServer(mqttConfig.withAddress(host, 0), broker, new SplittableRandom(42));
        server.security(Authenticator.ANONYMOUS, authorizer);
        try {
            server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long sysInterval = brokerConfig.sysIntervalSeconds();
        if (sysInterval > 0) {
            housekeeping = Executors.newSingleThreadScheduledExecutor();
            housekeeping.scheduleAtFixedRate(new SysTopics(broker, "test"), 0, sysInterval, TimeUnit.SECONDS);
        } else {
            housekeeping = null;
        }
    }

    public static TestBroker start() {
        return start(c -> c, m -> m);
    }

    public static TestBroker start(UnaryOperator<BrokerConfig> broker, UnaryOperator<MqttConfig> mqtt) {
        return new TestBroker(broker.apply(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0)),
                mqtt.apply(MqttConfig.DEFAULTS));
    }

    /** A broker whose clients (anonymous) are authorized by {@code authorizer}. */
    public static TestBroker startWithAuthorizer(Authorizer authorizer) {
        return new TestBroker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), MqttConfig.DEFAULTS, null, null,
                authorizer);
    }

    /**
     * A broker whose durable topics live in {@code topicsDir}, their files opened through {@code env}'s
     * channel factory (fault injection), with no scheduler.
     */
    public static TestBroker startWithDurableTopics(Path topicsDir, LogEnvironment env, UnaryOperator<MqttConfig> mqtt) {
        return new TestBroker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), mqtt.apply(MqttConfig.DEFAULTS),
                topicsDir, env);
    }

    /** The durable topics, or null when started without them. */
    public DurableTopics durableTopics() {
        return durableTopics;
    }

    public int port() {
        return server.port();
    }

    /** {@code tcp://127.0.0.1:port}, as Paho and HiveMQ clients want it. */
    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    public MqttServer mqtt() {
        return server;
    }

    public Broker broker() {
        return broker;
    }

    public SimpleMeterRegistry registry() {
        return registry;
    }

    /** The value of a counter, 0 if it was never registered. */
    public double counter(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        if (c == null) {
            var f = registry.find(name).tags(tags).functionCounter(); // the per-message counters
            return f == null ? 0 : f.count();
        }
        return c.count();
    }

    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        server.close();
        if (durableTopics != null) {
            durableTopics.close();
        }
    }
}
