package io.ratatoskr.mqtt.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.AckBarrier;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.ReadBatch;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.core.durable.group.GroupsConfig;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttServer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real broker with durable topics that capture what is published (files in a directory) and
 * consumer groups, on a free loopback port, wired as the server wires them, for tests of
 * {@code $queue/...} subscriptions with real clients. {@link #restart} stops everything and starts
 * it again on the same directory and port, as a broker restart does.
 *
 * <p>Thread-safety: used from the test's thread.
 */
public final class QueueBroker implements AutoCloseable {
    private final Path dir;
    private final GroupsConfig groupsConfig;
    private final Clock groupClock;
    private SimpleMeterRegistry registry;
    private ScheduledExecutorService pool;
    private DurableTopics topics;
    private ConsumerGroups groups;
    private Broker broker;
    private MqttServer server;
    private int port;

    private final java.util.function.UnaryOperator<MqttConfig> mqttConfig;

    private QueueBroker(Path dir, GroupsConfig groupsConfig, java.util.function.UnaryOperator<MqttConfig> mqttConfig) {
        this(dir, groupsConfig, mqttConfig, Clock.systemUTC());
    }

    private QueueBroker(Path dir, GroupsConfig groupsConfig, java.util.function.UnaryOperator<MqttConfig> mqttConfig,
                        Clock groupClock) {
        this.dir = dir;
        this.groupsConfig = groupsConfig;
        this.groupClock = groupClock;
        this.mqttConfig = mqttConfig;
        start(0);
    }

    /** Starts a broker keeping its data in {@code dir}; groups check their timers every 20 ms. */
    public static QueueBroker start(Path dir) {
        return start(dir, m -> m);
    }

    /** The same, with the MQTT listener's settings changed by {@code mqtt}. */
    public static QueueBroker start(Path dir, java.util.function.UnaryOperator<MqttConfig> mqtt) {
        return new QueueBroker(dir, GroupsConfig.DEFAULTS.withTickMs(20), mqtt);
    }

    /**
     * The same, with consumer groups that read the time from {@code groupClock} (a {@code ManualClock}):
     * an ack timeout passes when the test moves that clock, not while a client connects or answers.
     */
    public static QueueBroker startWithGroupClock(Path dir, Clock groupClock) {
        return new QueueBroker(dir, GroupsConfig.DEFAULTS.withTickMs(20), m -> m, groupClock);
    }

    private void start(int onPort) {
        registry = new SimpleMeterRegistry();
        pool = Executors.newScheduledThreadPool(2);
        topics = DurableTopics.open(dir.resolve("topics"), DurableTopicsConfig.DEFAULTS, LogEnvironment.system(),
                registry, new SplittableRandom(42));
        groups = ConsumerGroups.open(dir.resolve("groups"), topics, groupClock, pool, registry, groupsConfig);
        broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), Clock.systemUTC(),
                new BrokerMetrics(registry));
        broker.addStore(topics);
        server = new MqttServer(mqttConfig.apply(MqttConfig.DEFAULTS).withAddress("127.0.0.1", onPort), broker,
                new SplittableRandom(42), groups);
        try {
            server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        port = server.port();
    }

    /** Stops the broker (connections dropped, groups flushed) and starts it again on the same data and port. */
    public void restart() {
        stop();
        start(port);
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public ConsumerGroups groups() {
        return groups;
    }

    public SimpleMeterRegistry registry() {
        return registry;
    }

    /** Creates a durable topic capturing {@code name} and {@code name/#}. */
    public void createTopic(String name, int partitions) {
        topics.create(name, TopicConfig.builder().partitions(partitions).build());
    }

    public void configureGroup(String topic, String group, GroupConfig config) {
        groups.configure(topic, group, config).join();
    }

    /**
     * Publishes on {@code mqttTopic} as a client's QoS 1 PUBLISH does (capture by the durable topics,
     * then routing) and waits until it is stored.
     */
    public void publish(String mqttTopic, String payload, Header... userProperties) {
        Message m = new Message(mqttTopic, payload.getBytes(StandardCharsets.UTF_8), 1, false,
                new MessageProperties(-1, -1, null, null, null, List.of(userProperties)), "publisher",
                System.currentTimeMillis());
        AckBarrier barrier = new AckBarrier();
        broker.publish(m, null, barrier);
        barrier.done().join();
    }

    /** The messages kept in a durable topic (e.g. a dead-letter topic), or none if it does not exist. */
    public List<DurableMessage> messages(String topic) {
        List<DurableMessage> out = new ArrayList<>();
        if (!topics.exists(topic)) {
            return out;
        }
        for (int p = 0; p < topics.describe(topic).config().partitions(); p++) {
            long next = 0;
            while (true) {
                ReadBatch b = topics.read(topic, p, next, 1_000, 1 << 20);
                out.addAll(b.messages());
                if (b.nextOffset() >= b.endOffset()) {
                    break;
                }
                next = b.nextOffset();
            }
        }
        return out;
    }

    public GroupInfo describe(String topic, String group) {
        return groups.describe(topic, group).join();
    }

    /** The value of a counter, 0 if it was never registered. */
    public double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private void stop() {
        server.close();
        groups.close();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        topics.close();
    }

    @Override
    public void close() {
        stop();
    }
}
