package io.ratatoskr.mqtt.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.core.durable.group.GroupsConfig;
import io.ratatoskr.core.durable.testing.LocalTopicDirectory;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real broker with durable topics (real logs in a directory) and consumer groups, on a free
 * loopback port, for tests of {@code $queue/...} subscriptions with real clients. {@link #restart}
 * stops everything and starts it again on the same directory, as a broker restart does.
 *
 * <p>Thread-safety: used from the test's thread.
 */
public final class QueueBroker implements AutoCloseable {
    private final Path dir;
    private final GroupsConfig groupsConfig;
    private SimpleMeterRegistry registry;
    private ScheduledExecutorService pool;
    private LocalTopicDirectory topics;
    private ConsumerGroups groups;
    private MqttServer server;
    private int port;

    private QueueBroker(Path dir, GroupsConfig groupsConfig) {
        this.dir = dir;
        this.groupsConfig = groupsConfig;
        start(0);
    }

    /** Starts a broker keeping its data in {@code dir}; groups check their timers every 20 ms. */
    public static QueueBroker start(Path dir) {
        return new QueueBroker(dir, GroupsConfig.DEFAULTS.withTickMs(20));
    }

    public static QueueBroker start(Path dir, GroupsConfig groupsConfig) {
        return new QueueBroker(dir, groupsConfig);
    }

    private void start(int onPort) {
        registry = new SimpleMeterRegistry();
        pool = Executors.newScheduledThreadPool(2);
        topics = new LocalTopicDirectory(dir.resolve("topics"), Clock.systemUTC());
        reopenTopics();
        groups = ConsumerGroups.open(dir.resolve("groups"), topics, Clock.systemUTC(), pool, registry, groupsConfig);
        Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), Clock.systemUTC(),
                new BrokerMetrics(registry));
        server = new MqttServer(MqttConfig.DEFAULTS.withAddress("127.0.0.1", onPort), broker,
                new SplittableRandom(42), groups);
        try {
            server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        port = server.port();
    }

    /** After a restart: every topic found on disk, its logs recovered (the registry's job in the server). */
    private void reopenTopics() {
        Path topicsDir = dir.resolve("topics");
        if (!Files.isDirectory(topicsDir)) {
            return;
        }
        try (Stream<Path> names = Files.list(topicsDir)) {
            for (Path t : names.toList()) {
                try (Stream<Path> parts = Files.list(t)) {
                    int n = (int) parts.count();
                    topics.create(t.getFileName().toString(), TopicConfig.builder().partitions(n).build());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    public LocalTopicDirectory topics() {
        return topics;
    }

    public SimpleMeterRegistry registry() {
        return registry;
    }

    /** Creates a durable topic; a group on it with {@code config}. */
    public void createTopic(String name, int partitions) {
        topics.create(name, TopicConfig.builder().partitions(partitions).build());
    }

    public void configureGroup(String topic, String group, GroupConfig config) {
        groups.configure(topic, group, config).join();
    }

    /** Stores a message in durable topic {@code topic} as a capture of an MQTT publish on {@code mqttTopic}. */
    public void publish(String topic, String mqttTopic, String payload, Header... userProperties) {
        Message m = new Message(mqttTopic, payload.getBytes(StandardCharsets.UTF_8), 1, false,
                new MessageProperties(-1, -1, null, null, null, List.of(userProperties)), "publisher",
                System.currentTimeMillis());
        topics.topic(topic).publish(m, null);
    }

    /** The messages kept in a durable topic (e.g. a dead-letter topic), or none if it does not exist. */
    public List<DurableMessage> messages(String topic) {
        return topics.find(topic).isPresent() ? topics.topic(topic).readAll() : List.of();
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
