package io.ratatoskr.core.durable.group;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.testing.LocalTopicDirectory;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.StoredRecord;
import io.ratatoskr.testkit.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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

    /**
     * Closes the groups, reads every record the state log of {@code topic}/{@code group} holds (its keys, a
     * tombstone's marked {@code "(deleted)"}, and each partition record as {@code p/N=committed,deliveredEnd}),
     * then opens the groups again.
     */
    List<String> closeAndReadStateLog(String topic, String group) {
        groups.close();
        List<String> records = new ArrayList<>();
        GroupStateLog state = GroupStateLog.open(groupsDir.resolve(topic).resolve(group), 1 << 20, 1024,
                LogEnvironment.system());
        try {
            Log log = state.log();
            long offset = log.logStartOffset();
            while (offset < log.highWatermark()) {
                ReadResult r = log.read(offset, 1 << 20, 1000);
                for (StoredRecord rec : r.records()) {
                    String key = new String(rec.key(), StandardCharsets.UTF_8);
                    if (rec.isTombstone()) {
                        records.add(key + " (deleted)");
                    } else if (key.startsWith("p/")) {
                        ByteBuffer b = ByteBuffer.wrap(rec.value(), 1, 16);
                        records.add(key + "=" + b.getLong() + "," + b.getLong());
                    } else {
                        records.add(key);
                    }
                }
                offset = r.nextOffset();
            }
        } finally {
            state.close();
        }
        registry = new SimpleMeterRegistry();
        groups = ConsumerGroups.open(groupsDir, topics, clock, pool, registry, config);
        return records;
    }

    /** Whether the files of the state log of {@code topic}/{@code group} hold the bytes of {@code text} (a key). */
    boolean stateLogFilesContain(String topic, String group, String text) throws IOException {
        byte[] wanted = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(groupsDir.resolve(topic).resolve(group))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                for (int i = 0; i + wanted.length <= bytes.length; i++) {
                    if (Arrays.equals(bytes, i, i + wanted.length, wanted, 0, wanted.length)) {
                        return true;
                    }
                }
            }
        }
        return false;
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
