package io.ratatoskr.bench.grpc;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.Durability;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.TopicConfig;
import io.ratatoskr.bench.mqtt.BrokerMeter;
import io.ratatoskr.bench.mqtt.CpuSample;
import io.ratatoskr.bench.mqtt.LoadResult;
import io.ratatoskr.bench.mqtt.ReceiverProgress;
import io.ratatoskr.bench.mqtt.ReceiverStats;
import io.ratatoskr.bench.mqtt.SenderStats;
import io.ratatoskr.bench.mqtt.Timeline;
import io.ratatoskr.bench.mqtt.Totals;
import io.ratatoskr.client.PublisherOptions;
import io.ratatoskr.client.RatatoskrClient;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.ratatoskr.bench.mqtt.ReceiverProgress.awaitConsumed;
import static io.ratatoskr.bench.mqtt.ReceiverProgress.stopAll;

/**
 * One run of the gRPC load generator against Ratatoskr: a durable topic of its own (created with
 * {@code CreateTopic}, deleted after), {@link Publisher}s on channels of their own and, for the consume and
 * latency scenarios, a consumer group of {@link ConsumeMember}s.
 *
 * <ul>
 *   <li>Publish, batch and latency runs: the members (if any) join first, the publishers start on a
 *       {@link Timeline} with a warm-up, and the window counts responses and deliveries.</li>
 *   <li>Consume runs: the publishers write the backlog with {@code PublishBatch} and get every response, then
 *       the members start their streams and the run measures until they have had the whole backlog (or the
 *       window ends).</li>
 * </ul>
 *
 * <p>Not thread-safe: one run per instance, driven from one thread.
 */
public final class GrpcRun {
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long RPC_TIMEOUT_MS = 60_000;
    /** Batch size of the consume scenario's preload when the spec names none. */
    private static final int PRELOAD_BATCH = 100;

    private final GrpcSpec spec;
    private final PrintStream log;
    private final List<ManagedChannel> channels = new ArrayList<>();
    /** The Java clients of the publisher scenario, one per publishing client. */
    private final List<RatatoskrClient> clients = new ArrayList<>();
    private String topic;
    private String group;

    // The broker's CPU, memory and GC over the window: each CPU sample of the run goes through the meter, which
    // keeps the broker's resources (BrokerMeter#resources(), added to the result by RunOptions#execute).
    private final BrokerMeter meter;

    /** @param log where progress lines go */
    public GrpcRun(GrpcSpec spec, PrintStream log) {
        this(spec, log, new BrokerMeter(spec.brokerPid(), spec.clockTicks(), null));
    }

    /**
     * @param log   where progress lines go
     * @param meter measures the broker's CPU, memory and GC at the edges of the window
     */
    public GrpcRun(GrpcSpec spec, PrintStream log, BrokerMeter meter) {
        this.spec = spec;
        this.log = log;
        this.meter = meter;
    }

    /**
     * Runs the load and returns what it measured.
     *
     * @throws IllegalStateException when the topic cannot be made, a member is not admitted, or the preload does
     *                               not complete in time
     */
    public LoadResult run() throws InterruptedException {
        Instant startedAt = Instant.now();
        String runId = Long.toString(System.nanoTime() & 0xFF_FFFF_FFFFL, 36);
        topic = spec.topicPrefix() + "-" + runId;
        group = "g-" + runId;
        try {
            RatatoskrGrpc.RatatoskrBlockingStub admin = RatatoskrGrpc.newBlockingStub(channel());
            try {
                admin.withDeadlineAfter(RPC_TIMEOUT_MS, TimeUnit.MILLISECONDS).createTopic(CreateTopicRequest
                        .newBuilder().setName(topic).setConfig(TopicConfig.newBuilder()
                                .setPartitions(spec.partitions()).setDurability(durability())).build());
            } catch (StatusRuntimeException e) {
                throw new IllegalStateException("CreateTopic " + topic + " failed: " + e.getStatus(), e);
            }
            log.printf(Locale.ROOT, "created topic %s: %d partition(s), durability %s%n", topic, spec.partitions(),
                    spec.durability());
            try {
                return spec.scenario() == GrpcSpec.Scenario.CONSUME ? drainRun(startedAt) : liveRun(startedAt);
            } finally {
                try {
                    admin.withDeadlineAfter(RPC_TIMEOUT_MS, TimeUnit.MILLISECONDS).deleteTopic(DeleteTopicRequest
                            .newBuilder().setName(topic).setIfExists(true).build());
                } catch (StatusRuntimeException e) {
                    log.println("DeleteTopic " + topic + " failed: " + e.getStatus());
                }
            }
        } finally {
            for (RatatoskrClient c : clients) {
                c.close();
            }
            for (ManagedChannel c : channels) {
                c.shutdownNow();
            }
            for (ManagedChannel c : channels) {
                c.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private Durability durability() {
        return switch (spec.durability()) {
            case "fsync" -> Durability.DURABILITY_FSYNC;
            case "group" -> Durability.DURABILITY_GROUP;
            default -> Durability.DURABILITY_ASYNC;
        };
    }

    /** A new channel (its own connection), plaintext; callbacks run on its event loop. */
    private ManagedChannel channel() {
        ManagedChannel c = NettyChannelBuilder.forAddress(spec.host(), spec.port()).usePlaintext().directExecutor()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        channels.add(c);
        return c;
    }

    private LoadResult liveRun(Instant startedAt) throws InterruptedException {
        List<ConsumeMember> members = startMembers(null);
        List<Publisher> publishers = publishers(new long[spec.clients()], spec.batch());
        Timeline timeline = Timeline.startingAt(System.nanoTime() + START_DELAY_NANOS, spec.warmup().toNanos(),
                spec.duration().toNanos());
        members.forEach(m -> m.timeline(timeline));
        log.printf(Locale.ROOT, "%d client(s), window %d, %s, %d member(s); warming up for %.1f s%n",
                publishers.size(), spec.window(), spec.scenario() == GrpcSpec.Scenario.PUBLISHER
                        ? "client publisher, " + spec.callsInFlight() + " call(s) in flight"
                        : spec.batch() == 0 ? "unary Publish" : "PublishBatch of " + spec.batch(), members.size(), spec.warmup().toNanos() / 1e9);
        Timeline.sleepUntil(timeline.startNanos());
        if (spec.rate() > 0) {
            double callsPerClient = spec.rate() / publishers.size() / Math.max(1, spec.batch());
            long stagger = (long) (1e9 / spec.rate());
            for (int i = 0; i < publishers.size(); i++) {
                publishers.get(i).startPaced(timeline, callsPerClient, timeline.startNanos() + i * stagger);
            }
        } else {
            publishers.forEach(p -> p.start(timeline));
        }
        Timeline.sleepUntil(timeline.measureStartNanos());
        CpuSample cpu0 = cpu();
        Timeline.sleepUntil(timeline.measureEndNanos());
        CpuSample cpu1 = cpu();
        for (Publisher p : publishers) {
            p.stopAndJoin();
        }
        long deadline = System.nanoTime() + spec.drainTimeout().toNanos();
        while (publishers.stream().anyMatch(p -> p.outstanding() > 0) && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        List<SenderStats> senders = publishers.stream().map(Publisher::stats).toList();
        long stored = senders.stream().mapToLong(SenderStats::acked).sum();
        if (!members.isEmpty()) {
            awaitConsumed(members, stored, System.nanoTime() + spec.drainTimeout().toNanos(), IDLE_NANOS);
        }
        log.printf(Locale.ROOT, "%d call(s) made%n", publishers.stream().mapToLong(Publisher::calls).sum());
        return result(startedAt, timeline.measuredSeconds(), senders, stopAll(members, Duration.ofSeconds(2)), cpu0, cpu1, null);
    }

    private LoadResult drainRun(Instant startedAt) throws InterruptedException {
        long[] limits = new long[spec.clients()];
        for (int i = 0; i < limits.length; i++) {
            limits[i] = spec.preload() / limits.length + (i < spec.preload() % limits.length ? 1 : 0);
        }
        List<Publisher> publishers = publishers(limits, spec.batch() > 0 ? spec.batch() : PRELOAD_BATCH);
        log.printf(Locale.ROOT, "%d client(s); preloading %d message(s)%n", publishers.size(), spec.preload());
        long preloadStart = System.nanoTime();
        Timeline preloadTimeline = Timeline.startingAt(preloadStart, 0, spec.preloadTimeout().toNanos());
        publishers.forEach(p -> p.start(preloadTimeline));
        while (!publishers.stream().allMatch(p -> p.stopped() && p.outstanding() == 0)) {
            if (System.nanoTime() - preloadTimeline.measureEndNanos() >= 0) {
                throw new IllegalStateException("the preload of " + spec.preload() + " message(s) did not complete"
                        + " within " + spec.preloadTimeout());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        long preloaded = System.nanoTime();
        List<SenderStats> senders = publishers.stream().map(Publisher::stats).toList();
        long stored = senders.stream().mapToLong(SenderStats::acked).sum();
        double preloadSeconds = (preloaded - preloadStart) / 1e9;
        log.printf(Locale.ROOT, "preloaded %d message(s) in %.2f s; draining with %d member(s), prefetch %d, for at"
                + " most %.1f s%n", stored, preloadSeconds, spec.members(), spec.prefetch(),
                spec.duration().toNanos() / 1e9);

        long start = System.nanoTime();
        Timeline timeline = Timeline.startingAt(start, 0, spec.duration().toNanos());
        CpuSample cpu0 = cpu();
        List<ConsumeMember> members = startMembers(timeline);
        boolean complete = awaitConsumed(members, stored, timeline.measureEndNanos(), Long.MAX_VALUE);
        CpuSample cpu1 = cpu();
        long end;
        if (complete) {
            end = ReceiverProgress.lastNewNanos(members, start);
        } else {
            end = timeline.measureEndNanos();
            awaitConsumed(members, stored, System.nanoTime() + spec.drainTimeout().toNanos(), IDLE_NANOS);
        }
        return result(startedAt, Math.max(1, end - start) / 1e9, senders, stopAll(members, Duration.ofSeconds(2)), cpu0, cpu1,
                LoadResult.Preload.of(stored, preloadSeconds));
    }

    private List<Publisher> publishers(long[] limits, int batch) {
        List<Publisher> publishers = new ArrayList<>();
        if (spec.scenario() == GrpcSpec.Scenario.PUBLISHER) {
            PublisherOptions options = PublisherOptions.DEFAULTS.withMaxCallsInFlight(spec.callsInFlight());
            if (batch > 0) {
                options = options.withMaxBatchMessages(batch);
            }
            for (int i = 0; i < spec.clients(); i++) {
                // Answers handled on the channel's thread, as the stub-based clients' (and Kafka's producer's).
                RatatoskrClient client = RatatoskrClient.builder().host(spec.host()).port(spec.port()).plaintext()
                        .directCallbacks().build();
                clients.add(client);
                publishers.add(new Publisher(client.publisher(topic, options), i, spec.payloadBytes(), spec.window()));
            }
            return publishers;
        }
        for (int i = 0; i < spec.clients(); i++) {
            publishers.add(new Publisher(RatatoskrGrpc.newStub(channel()), topic, i, spec.payloadBytes(),
                    spec.window(), batch, limits[i]));
        }
        return publishers;
    }

    /** Opens every member's stream and waits until the broker has admitted each. */
    private List<ConsumeMember> startMembers(Timeline timeline) throws InterruptedException {
        List<ConsumeMember> members = new ArrayList<>();
        for (int i = 0; i < spec.members(); i++) {
            members.add(new ConsumeMember(RatatoskrGrpc.newStub(channel()), topic, group, i, spec.prefetch(),
                    spec.consumeBatch(), spec.clients()));
        }
        for (ConsumeMember m : members) {
            m.start(timeline);
        }
        for (ConsumeMember m : members) {
            if (!m.awaitStarted(RPC_TIMEOUT_MS) || m.failure() != null) {
                throw new IllegalStateException(m.failure() != null ? m.failure()
                        : "a member was not admitted to group " + group + " within " + RPC_TIMEOUT_MS + " ms");
            }
        }
        if (!members.isEmpty()) {
            log.printf(Locale.ROOT, "consumer group %s: %d member(s), prefetch %d, batch %d%n", group,
                    members.size(), spec.prefetch(), spec.consumeBatch());
        }
        return members;
    }

    private CpuSample cpu() {
        return meter.sample();
    }

    private LoadResult result(Instant startedAt, double seconds, List<SenderStats> senders,
                              List<ReceiverStats> receivers, CpuSample cpu0, CpuSample cpu1,
                              LoadResult.Preload preload) {
        int[] fanOut = new int[spec.clients()];
        Arrays.fill(fanOut, spec.members() > 0 ? 1 : 0);
        LoadResult.Durable durable = new LoadResult.Durable(topic, spec.partitions(), spec.durability(),
                spec.members() > 0 ? group : null, spec.preload());
        String calls = spec.batch() == 0 ? "unary" : "batch:" + spec.batch();
        LoadResult.Settings settings = new LoadResult.Settings(spec.host(), spec.port(), LoadResult.GRPC,
                spec.clients(), spec.members(), calls, fanOut[0], fanOut[0], 1, spec.payloadBytes(), spec.rate(),
                preload == null ? spec.duration().toNanos() / 1e9 : seconds,
                preload == null ? spec.warmup().toNanos() / 1e9 : 0, spec.window(), spec.prefetch(), 0, durable);
        return Totals.result(startedAt, spec.labels(), settings, seconds, senders, fanOut, receivers, true, true,
                cpu1.generatorSince(cpu0), cpu1.brokerSince(cpu0), cpu1.machineSince(cpu0), preload);
    }
}
