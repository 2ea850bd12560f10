package io.ratatoskr.core.durable;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.ChannelFactory;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Durable topics on real files in a test's directory, with a manual clock and no scheduler unless a
 * test gives one (tests run retention and compaction themselves), reopenable to check what survives
 * a restart.
 *
 * <p>Not thread-safe: one test thread uses it.
 */
final class TopicsFixture implements AutoCloseable {
    static final long START_MS = 1_700_000_000_000L;

    final Path dir;
    final ManualClock clock = new ManualClock(START_MS);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DurableTopicsConfig config;
    private ChannelFactory channels = ChannelFactory.DEFAULT;
    private ScheduledExecutorService scheduler;
    DurableTopics topics;

    TopicsFixture(Path dir) {
        this(dir, DurableTopicsConfig.DEFAULTS);
    }

    TopicsFixture(Path dir, DurableTopicsConfig config) {
        this.dir = dir;
        this.config = config;
        open();
    }

    /** Reopens with {@code channels} for every file (fault injection). */
    TopicsFixture withChannels(ChannelFactory factory) {
        topics.close();
        channels = factory;
        open();
        return this;
    }

    /** Reopens with {@code s} running the registry's and the logs' background work (the caller shuts it down). */
    TopicsFixture withScheduler(ScheduledExecutorService s) {
        topics.close();
        scheduler = s;
        open();
        return this;
    }

    private void open() {
        LogEnvironment env = LogEnvironment.system().withClock(clock).withChannels(channels).withScheduler(scheduler);
        topics = DurableTopics.open(dir, config, env, registry, new SplittableRandom(7));
    }

    /** Closes and opens again on the same directory: what a restart keeps. */
    DurableTopics reopen() {
        topics.close();
        open();
        return topics;
    }

    double counter(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        if (c == null) {
            var f = registry.find(name).tags(tags).functionCounter(); // the per-message counters
            return f == null ? 0 : f.count();
        }
        return c.count();
    }

    /** A QoS 1 message on {@code topic} received now, with user properties given as name/value pairs. */
    Message message(String topic, String payload, String... userProperties) {
        return message(topic, payload.getBytes(StandardCharsets.UTF_8), userProperties);
    }

    Message message(String topic, byte[] payload, String... userProperties) {
        List<Header> props = new ArrayList<>();
        for (int i = 0; i < userProperties.length; i += 2) {
            props.add(new Header(userProperties[i], userProperties[i + 1]));
        }
        return new Message(topic, payload, 1, false, new MessageProperties(-1, -1, null, null, null, props), "client",
                clock.millis());
    }

    /** Every message of one partition, from its start. */
    List<DurableMessage> all(String topic, int partition) {
        List<DurableMessage> out = new ArrayList<>();
        long next = topics.resolve(topic, partition, StartPosition.EARLIEST);
        while (true) {
            ReadBatch b = topics.read(topic, partition, next, 1000, 1 << 20);
            out.addAll(b.messages());
            if (b.nextOffset() >= b.endOffset()) {
                return out;
            }
            next = b.nextOffset();
        }
    }

    /** The payloads of one partition, from its start, as text. */
    List<String> payloads(String topic, int partition) {
        return all(topic, partition).stream().map(m -> text(m.message().payload())).toList();
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        topics.close();
    }
}
