package io.ratatoskr.bench.kafka;

import io.ratatoskr.bench.mqtt.BrokerMeter;
import io.ratatoskr.bench.mqtt.CpuSample;
import io.ratatoskr.bench.mqtt.LoadResult;
import io.ratatoskr.bench.mqtt.ReceiverProgress;
import io.ratatoskr.bench.mqtt.ReceiverStats;
import io.ratatoskr.bench.mqtt.SenderStats;
import io.ratatoskr.bench.mqtt.Timeline;
import io.ratatoskr.bench.mqtt.Totals;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.ratatoskr.bench.mqtt.ReceiverProgress.awaitConsumed;
import static io.ratatoskr.bench.mqtt.ReceiverProgress.stopAll;

/**
 * One run of the Kafka load generator, the counterpart of the MQTT {@code LoadRun} on durable topics: a topic
 * of its own ({@code flush.messages=1} or Kafka's default), N producers with {@code acks=all} in a closed
 * loop, and M consumers of one consumer group committing each poll with {@code commitAsync}.
 *
 * <ul>
 *   <li>Publish-only (no consumers) and live runs: the consumers join first (the group is stable before any
 *       record is written), the producers start on a {@link Timeline} with a warm-up, and the window counts
 *       acknowledgements and consumed records.</li>
 *   <li>Drain runs ({@link KafkaSpec#preload()} above 0): the consumers join and pause their partitions, the
 *       producers write the backlog and get every acknowledgement, then the consumers resume and the run
 *       measures until they have had the whole backlog (or the window ends).</li>
 * </ul>
 *
 * <p>The producers' settings are documented on {@link #producerConfig}; the consumers' on
 * {@link ConsumerClient}. Not thread-safe: one run per instance, driven from one thread.
 */
public final class KafkaRun {
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaSpec spec;
    private final PrintStream log;
    private final BrokerMeter meter;
    private String topic;
    private String group;

    /** @param log where progress lines go */
    public KafkaRun(KafkaSpec spec, PrintStream log) {
        this(spec, log, new BrokerMeter(spec.brokerPid(), spec.clockTicks(), null));
    }

    /**
     * @param log   where progress lines go
     * @param meter measures the broker's CPU, memory and GC at the edges of the window (its
     *              {@link BrokerMeter#resources()} afterwards)
     */
    public KafkaRun(KafkaSpec spec, PrintStream log, BrokerMeter meter) {
        this.spec = spec;
        this.log = log;
        this.meter = meter;
    }

    /**
     * The producer configuration: {@code acks=all}; idempotence left at its default (on); {@code linger.ms} and
     * {@code batch.size} from the spec; no compression; everything else Kafka's defaults (5 requests in
     * flight per connection, 32 MiB of buffer).
     */
    static Properties producerConfig(KafkaSpec spec, String clientId) {
        Properties p = new Properties();
        p.put("bootstrap.servers", spec.bootstrap());
        p.put("client.id", clientId);
        p.put("acks", "all");
        p.put("linger.ms", Integer.toString(spec.lingerMs()));
        p.put("batch.size", Integer.toString(spec.batchBytes()));
        p.put("compression.type", "none");
        return p;
    }

    /**
     * Runs the load and returns what it measured.
     *
     * @throws IllegalStateException when the topic cannot be made, the group does not form, or the preload
     *                               does not complete in time
     */
    public LoadResult run() throws InterruptedException {
        Instant startedAt = Instant.now();
        String runId = Long.toString(System.nanoTime() & 0xFF_FFFF_FFFFL, 36);
        topic = spec.topicPrefix() + "-" + runId;
        group = "g-" + runId;
        Properties adminConfig = new Properties();
        adminConfig.put("bootstrap.servers", spec.bootstrap());
        try (Admin admin = Admin.create(adminConfig)) {
            NewTopic newTopic = new NewTopic(topic, spec.partitions(), (short) 1);
            if (spec.fsync()) {
                newTopic.configs(Map.of("flush.messages", "1"));
            }
            await(admin.createTopics(List.of(newTopic)).all(), "creating topic " + topic);
            log.printf(Locale.ROOT, "created topic %s: %d partition(s), %s%n", topic, spec.partitions(),
                    spec.fsync() ? "flush.messages=1" : "Kafka's default flush (page cache)");
            List<ConsumerClient> consumers = new ArrayList<>();
            try {
                for (int i = 0; i < spec.consumers(); i++) {
                    consumers.add(new ConsumerClient(spec.bootstrap(), group, topic, i, spec.producers()));
                }
                consumers.forEach(ConsumerClient::start);
                awaitStableGroup(consumers);
                return spec.drain() ? drainRun(startedAt, consumers) : liveRun(startedAt, consumers);
            } finally {
                for (ConsumerClient c : consumers) {
                    c.stopAndJoin(Duration.ofSeconds(15));
                }
                try {
                    await(admin.deleteTopics(List.of(topic)).all(), "deleting topic " + topic);
                } catch (IllegalStateException e) {
                    log.println(e.getMessage());
                }
            }
        }
    }

    private LoadResult liveRun(Instant startedAt, List<ConsumerClient> consumers) throws InterruptedException {
        List<ProducerClient> producers = producers(new int[spec.producers()]);
        try {
            Timeline timeline = Timeline.startingAt(System.nanoTime() + START_DELAY_NANOS, spec.warmup().toNanos(),
                    spec.duration().toNanos());
            consumers.forEach(c -> c.phase(ConsumerClient.Phase.RUN, timeline));
            log.printf(Locale.ROOT, "%d producer(s), %d consumer(s); warming up for %.1f s%n", producers.size(),
                    consumers.size(), spec.warmup().toNanos() / 1e9);
            Timeline.sleepUntil(timeline.startNanos());
            if (spec.rate() > 0) {
                long stagger = (long) (1e9 / spec.rate());
                for (int i = 0; i < producers.size(); i++) {
                    producers.get(i).startPaced(timeline, spec.rate() / producers.size(),
                            timeline.startNanos() + i * stagger);
                }
            } else {
                producers.forEach(p -> p.start(timeline));
            }
            Timeline.sleepUntil(timeline.measureStartNanos());
            CpuSample cpu0 = cpu();
            log.printf(Locale.ROOT, "measuring for %.1f s%n", spec.duration().toNanos() / 1e9);
            Timeline.sleepUntil(timeline.measureEndNanos());
            CpuSample cpu1 = cpu();
            for (ProducerClient p : producers) {
                p.stopAndJoin();
            }
            awaitAcks(producers, System.nanoTime() + spec.drainTimeout().toNanos());
            List<SenderStats> senders = producers.stream().map(ProducerClient::stats).toList();
            long sent = senders.stream().mapToLong(SenderStats::sent).sum();
            if (!consumers.isEmpty()) {
                awaitConsumed(consumers, sent, System.nanoTime() + spec.drainTimeout().toNanos(), IDLE_NANOS);
            }
            return result(startedAt, timeline.measuredSeconds(), senders, stopAll(consumers, Duration.ofSeconds(15)), cpu0, cpu1, null);
        } finally {
            producers.forEach(ProducerClient::close);
        }
    }

    private LoadResult drainRun(Instant startedAt, List<ConsumerClient> consumers) throws InterruptedException {
        consumers.forEach(c -> c.phase(ConsumerClient.Phase.HOLD, null));
        awaitCondition(() -> consumers.stream().allMatch(ConsumerClient::holding), JOIN_TIMEOUT,
                "the consumers did not pause their partitions");
        int[] limits = new int[spec.producers()];
        for (int i = 0; i < limits.length; i++) {
            limits[i] = (int) (spec.preload() / limits.length + (i < spec.preload() % limits.length ? 1 : 0));
        }
        List<SenderStats> senders;
        long preloadStart;
        long preloaded;
        List<ProducerClient> producers = producers(limits);
        try {
            log.printf(Locale.ROOT, "%d producer(s); preloading %d record(s)%n", producers.size(), spec.preload());
            preloadStart = System.nanoTime();
            Timeline preloadTimeline = Timeline.startingAt(preloadStart, 0, spec.preloadTimeout().toNanos());
            producers.forEach(p -> p.start(preloadTimeline));
            long deadline = preloadTimeline.measureEndNanos();
            while (!producers.stream().allMatch(p -> p.stopped() && p.outstanding() == 0)) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("the preload of " + spec.preload() + " record(s) did not"
                            + " complete within " + spec.preloadTimeout());
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
            preloaded = System.nanoTime();
            senders = producers.stream().map(ProducerClient::stats).toList();
        } finally {
            producers.forEach(ProducerClient::close);
        }
        long sent = senders.stream().mapToLong(SenderStats::sent).sum();
        double preloadSeconds = (preloaded - preloadStart) / 1e9;
        log.printf(Locale.ROOT, "preloaded %d record(s) in %.2f s; draining with %d consumer(s) for at most %.1f s%n",
                sent, preloadSeconds, consumers.size(), spec.duration().toNanos() / 1e9);

        long start = System.nanoTime();
        Timeline timeline = Timeline.startingAt(start, 0, spec.duration().toNanos());
        CpuSample cpu0 = cpu();
        consumers.forEach(c -> c.phase(ConsumerClient.Phase.RUN, timeline));
        boolean complete = awaitConsumed(consumers, sent, timeline.measureEndNanos(), Long.MAX_VALUE);
        CpuSample cpu1 = cpu();
        long end;
        if (complete) {
            end = ReceiverProgress.lastNewNanos(consumers, start);
        } else {
            end = timeline.measureEndNanos();
            awaitConsumed(consumers, sent, System.nanoTime() + spec.drainTimeout().toNanos(), IDLE_NANOS);
        }
        return result(startedAt, Math.max(1, end - start) / 1e9, senders, stopAll(consumers, Duration.ofSeconds(15)), cpu0, cpu1,
                LoadResult.Preload.of(sent, preloadSeconds));
    }

    private List<ProducerClient> producers(int[] limits) {
        List<ProducerClient> producers = new ArrayList<>();
        for (int i = 0; i < spec.producers(); i++) {
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(spec, group + "-p" + i),
                    new ByteArraySerializer(), new ByteArraySerializer());
            producers.add(new ProducerClient(producer, topic, i, spec.payloadBytes(), spec.inflight(), limits[i]));
        }
        return producers;
    }

    /**
     * Waits until every consumer has joined the same generation of the group and the partitions are all
     * assigned, so that no run measures a rebalance.
     */
    private void awaitStableGroup(List<ConsumerClient> consumers) {
        if (consumers.isEmpty()) {
            return;
        }
        awaitCondition(() -> {
            int generation = consumers.getFirst().generation();
            return generation >= 0
                    && consumers.stream().allMatch(c -> c.generation() == generation)
                    && consumers.stream().mapToInt(ConsumerClient::assigned).sum() == spec.partitions();
        }, JOIN_TIMEOUT, "the consumer group did not settle");
        log.printf(Locale.ROOT, "consumer group %s: %d member(s) on %d partition(s), generation %d%n", group,
                consumers.size(), spec.partitions(), consumers.getFirst().generation());
    }

    private static void awaitCondition(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException(what + " within " + timeout);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Waits until nothing is in flight, or the deadline. */
    private static void awaitAcks(List<ProducerClient> producers, long deadline) {
        while (producers.stream().anyMatch(p -> p.outstanding() > 0) && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private CpuSample cpu() {
        return meter.sample();
    }

    private LoadResult result(Instant startedAt, double seconds, List<SenderStats> senders,
                              List<ReceiverStats> receivers, CpuSample cpu0, CpuSample cpu1,
                              LoadResult.Preload preload) {
        int[] fanOut = new int[spec.producers()];
        Arrays.fill(fanOut, spec.consumers() > 0 ? 1 : 0);
        int colon = spec.bootstrap().lastIndexOf(':');
        String host = colon < 0 ? spec.bootstrap() : spec.bootstrap().substring(0, colon);
        int port = colon < 0 ? 0 : Integer.parseInt(spec.bootstrap().substring(colon + 1));
        LoadResult.Durable durable = new LoadResult.Durable(topic, spec.partitions(),
                spec.fsync() ? "fsync" : "page-cache", spec.consumers() > 0 ? group : null, spec.preload());
        LoadResult.Settings settings = new LoadResult.Settings(host, port, null, spec.producers(), spec.consumers(),
                spec.consumers() > 0 ? "group:" + group : "-", fanOut[0], fanOut[0], 1, spec.payloadBytes(), spec.rate(),
                preload == null ? spec.duration().toNanos() / 1e9 : seconds,
                preload == null ? spec.warmup().toNanos() / 1e9 : 0, spec.inflight(), spec.inflight(), 0, durable);
        return Totals.result(startedAt, spec.labels(), settings, seconds, senders, fanOut, receivers,
                true, true, cpu1.generatorSince(cpu0),
                cpu1.brokerSince(cpu0), cpu1.machineSince(cpu0), preload);
    }

    private static void await(KafkaFuture<Void> future, String what) {
        try {
            future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(what + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
    }
}
