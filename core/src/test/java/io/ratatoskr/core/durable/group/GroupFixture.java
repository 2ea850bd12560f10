package io.ratatoskr.core.durable.group;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.testing.LocalTopicDirectory;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Real durable topics (logs in a temporary directory), a manual clock, a real group pool and the
 * consumer groups under test; {@link #restart} closes and reopens the groups on the same directory.
 *
 * <p>Thread-safety: used from the test thread.
 */
final class GroupFixture implements AutoCloseable {
    static final long START_MS = 1_700_000_000_000L;

    final ManualClock clock = new ManualClock(START_MS);
    final LocalTopicDirectory topics;
    final ScheduledExecutorService pool = Executors.newScheduledThreadPool(2);
    final Path groupsDir;
    final GroupsConfig config;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConsumerGroups groups;

    GroupFixture(Path dir) {
        this(dir, GroupsConfig.DEFAULTS.withTickMs(5));
    }

    GroupFixture(Path dir, GroupsConfig config) {
        this.topics = new LocalTopicDirectory(dir.resolve("topics"), clock);
        this.groupsDir = dir.resolve("groups");
        this.config = config;
        this.groups = ConsumerGroups.open(groupsDir, topics, clock, pool, registry, config);
    }

    LocalTopicDirectory.LocalTopic topic(String name, int partitions) {
        return topics.create(name, TopicConfig.builder().partitions(partitions).build());
    }

    /** Closes the groups (flushing their state) and opens them again from disk. */
    void restart() {
        groups.close();
        registry = new SimpleMeterRegistry();
        groups = ConsumerGroups.open(groupsDir, topics, clock, pool, registry, config);
    }

    /** Stops the groups as a kill -9 would (buffered state lost) and opens them again from disk. */
    void crashAndRestart() {
        groups.crashForTests();
        registry = new SimpleMeterRegistry();
        groups = ConsumerGroups.open(groupsDir, topics, clock, pool, registry, config);
    }

    Message message(String text) {
        return message("orders/new", text, -1, List.of());
    }

    Message message(String mqttTopic, String text, long expirySeconds, List<Header> headers) {
        return new Message(mqttTopic, text.getBytes(StandardCharsets.UTF_8), 1, false,
                new MessageProperties(-1, expirySeconds, null, null, null, headers), "publisher", clock.millis());
    }

    static String text(GroupDelivery d) {
        return new String(d.message().message().payload(), StandardCharsets.UTF_8);
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() throws InterruptedException {
        groups.close();
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        topics.close();
    }
}
