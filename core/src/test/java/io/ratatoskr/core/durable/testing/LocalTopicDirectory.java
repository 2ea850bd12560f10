package io.ratatoskr.core.durable.testing;

import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.LogPartition;
import io.ratatoskr.core.durable.MessageEnvelope;
import io.ratatoskr.core.durable.MessageIds;
import io.ratatoskr.core.durable.Partition;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.TopicDirectory;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.log.AppendResult;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.StoredRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TopicDirectory} over real {@link LogPartition}s in a directory, for tests of consumers
 * before (and independently of) the topic registry: create, find, publish, add partitions, delete.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class LocalTopicDirectory implements TopicDirectory, AutoCloseable {
    private final Path dir;
    private final Clock clock;
    private final LogEnvironment env;
    private final MessageIds ids;
    private final Map<String, LocalTopic> topics = new ConcurrentHashMap<>();

    public LocalTopicDirectory(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        this.env = LogEnvironment.system().withClock(clock);
        this.ids = new MessageIds(clock, new SplittableRandom(7));
    }

    /** Creates a topic (or returns the one there is). */
    public LocalTopic create(String name, TopicConfig config) {
        return topics.computeIfAbsent(name, n -> new LocalTopic(n, config));
    }

    @Override
    public Optional<DurableTopic> find(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    @Override
    public DurableTopic createIfAbsent(String name, TopicConfig config) {
        return create(name, config);
    }

    /** The topic named {@code name}; fails if absent. */
    public LocalTopic topic(String name) {
        LocalTopic t = topics.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no topic " + name);
        }
        return t;
    }

    /** Deletes a topic: it reports deleted and its logs close. */
    public void delete(String name) {
        LocalTopic t = topics.remove(name);
        if (t != null) {
            t.deleted = true;
            t.partitions.forEach(LogPartition::close);
        }
    }

    @Override
    public void close() {
        for (LocalTopic t : topics.values()) {
            t.partitions.forEach(LogPartition::close);
        }
        topics.clear();
    }

    /** A durable topic of this directory. */
    public final class LocalTopic implements DurableTopic {
        private final String name;
        private final TopicConfig config;
        private final List<LogPartition> partitions = new CopyOnWriteArrayList<>();
        private final AtomicInteger roundRobin = new AtomicInteger();
        private volatile boolean deleted;

        LocalTopic(String name, TopicConfig config) {
            this.name = name;
            this.config = config;
            for (int i = 0; i < config.partitions(); i++) {
                addPartition();
            }
        }

        /** Adds a partition (topics grow, never shrink). */
        public void addPartition() {
            int id = partitions.size();
            partitions.add(LogPartition.open(name, id, dir.resolve(name).resolve(Integer.toString(id)),
                    LogPartition.logConfig(config, LogConfig.defaults()), env));
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TopicConfig config() {
            return config;
        }

        @Override
        public List<Partition> partitions() {
            return List.copyOf(partitions);
        }

        @Override
        public boolean isDeleted() {
            return deleted;
        }

        /** Appends {@code message} (partition by key hash, else round-robin) and waits until durable. */
        public AppendResult publish(Message message, byte[] key) {
            int n = partitions.size();
            int p = key != null ? Math.floorMod(Arrays.hashCode(key), n) : Math.floorMod(roundRobin.getAndIncrement(), n);
            return publishTo(p, message, key);
        }

        /** Appends {@code message} to partition {@code p} and waits until durable. */
        public AppendResult publishTo(int p, Message message, byte[] key) {
            return partitions.get(p).append(List.of(MessageEnvelope.toRecord(message, ids.next(), key, null))).join();
        }

        /** Every message kept in partition {@code p}. */
        public List<DurableMessage> read(int p) {
            List<DurableMessage> out = new ArrayList<>();
            LogPartition partition = partitions.get(p);
            long offset = partition.startOffset();
            while (offset < partition.endOffset()) {
                ReadResult r = partition.read(offset, 1000, 1 << 20);
                for (StoredRecord rec : r.records()) {
                    out.add(MessageEnvelope.fromRecord(name, p, rec));
                }
                if (r.nextOffset() <= offset) {
                    break;
                }
                offset = r.nextOffset();
            }
            return out;
        }

        /** Every message kept, all partitions. */
        public List<DurableMessage> readAll() {
            List<DurableMessage> out = new ArrayList<>();
            for (int p = 0; p < partitions.size(); p++) {
                out.addAll(read(p));
            }
            return out;
        }

        /** The current time of the directory's clock, for messages made by tests. */
        public long now() {
            return clock.millis();
        }
    }
}
