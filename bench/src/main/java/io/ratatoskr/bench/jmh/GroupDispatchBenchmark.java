package io.ratatoskr.bench.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.AppendOutcome;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.GroupSink;
import io.ratatoskr.core.durable.group.GroupsConfig;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Consumer-group dispatch through the core's real code path: a durable topic ({@code partitions}, ASYNC
 * durability, on tmpfs) holds a backlog of {@code preload} messages of 100 B; one member of a group (prefetch
 * {@code prefetch}) receives them through its {@link GroupSink} and acknowledges each at once from the sink, as
 * a fast consumer does. What is measured is the group's cost per message: reading the partition in batches,
 * decoding each stored message, the pending window, handing the delivery to the sink, processing the ack and
 * committing the offset (the group's state log, also on tmpfs). The group runs on a pool of two threads, as in
 * the server.
 *
 * <p>One op is one message delivered and acknowledged; an invocation waits for the next {@value #STEP}
 * deliveries. The member joins at the start of each iteration and leaves at its end, so the backlog is only
 * consumed while measured; a run that consumes it all fails and says so (raise {@code -p preload=...}).
 *
 * <p>Thread-safety: JMH state (the benchmark thread); the sink runs on the group's thread and only touches the
 * thread-safe counter and member.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GroupDispatchBenchmark {
    static final int STEP = 1000;
    private static final String TOPIC = "jmh-dispatch";
    private static final int PAYLOAD_BYTES = 100;

    @Param({"1", "4"})
    public int partitions;

    @Param({"100"})
    public int prefetch;

    @Param({"2000000"})
    public int preload;

    private Path dir;
    private ScheduledExecutorService scheduler;
    private DurableTopics topics;
    private ConsumerGroups groups;
    private final AtomicLong delivered = new AtomicLong();
    private volatile CompletableFuture<GroupMember> member;
    private long expected;

    @Setup(Level.Trial)
    public void setUp() {
        dir = JmhDirs.create("ratatoskr-jmh-group");
        scheduler = Executors.newScheduledThreadPool(2);
        LogConfig logConfig = LogConfig.builder().durability(DurabilityMode.ASYNC).build();
        topics = DurableTopics.open(dir.resolve("topics"), DurableTopicsConfig.DEFAULTS.withLog(logConfig),
                LogEnvironment.system().withScheduler(scheduler), new SimpleMeterRegistry(), new SplittableRandom(1));
        topics.create(TOPIC, TopicConfig.builder().partitions(partitions).durability(DurabilityMode.ASYNC).build());
        preload();
        groups = ConsumerGroups.open(dir.resolve("groups"), topics, Clock.systemUTC(), scheduler,
                new SimpleMeterRegistry(), GroupsConfig.DEFAULTS);
    }

    private void preload() {
        byte[] payload = new byte[PAYLOAD_BYTES];
        Arrays.fill(payload, (byte) 'p');
        long now = System.currentTimeMillis();
        List<Message> batch = new ArrayList<>(STEP);
        for (int i = 0; i < STEP; i++) {
            batch.add(new Message("jmh/" + (i % 64), payload, 1, false, MessageProperties.EMPTY, "jmh", now));
        }
        for (int sent = 0; sent < preload; sent += STEP) {
            List<AppendOutcome> out = topics.publishBatch(TOPIC, batch);
            out.getLast().receipt().join();
        }
    }

    @Setup(Level.Iteration)
    public void join() {
        CompletableFuture<GroupMember> ready = new CompletableFuture<>();
        member = ready;
        expected = delivered.get();
        ready.complete(groups.join(TOPIC, "g", MemberOptions.named("m").withPrefetch(prefetch), new GroupSink() {
            @Override
            public void deliver(GroupDelivery d) {
                delivered.incrementAndGet();
                CompletableFuture<GroupMember> m = member;
                if (m.isDone()) {
                    m.join().ack(d.deliveryId());
                } else {
                    m.thenAccept(x -> x.ack(d.deliveryId()));
                }
            }

            @Override
            public void ended(ErrorCode code, String reason) {
                delivered.set(Long.MIN_VALUE / 2);
            }
        }));
    }

    @TearDown(Level.Iteration)
    public void leave() {
        member.join().leave().join();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        groups.close();
        topics.close();
        scheduler.shutdownNow();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
        JmhDirs.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(STEP)
    public long dispatch() {
        expected += STEP;
        if (expected > preload) {
            throw new IllegalStateException("the backlog of " + preload + " messages is used up: raise -p preload");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long d;
        while ((d = delivered.get()) < expected) {
            if (d < 0) {
                throw new IllegalStateException("the membership ended");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no progress for 30 s at " + d + " deliveries");
            }
            LockSupport.parkNanos(20_000);
        }
        return d;
    }
}
