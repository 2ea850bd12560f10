package io.ratatoskr.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.error.ErrorCode;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open {@code Consume} streams of the service (see {@link ConsumeStream}), what they share — the
 * consumer groups, the clock, the metrics, one thread that times deliveries waiting too long for a
 * credit — and their end at shutdown (UNAVAILABLE).
 *
 * <p>Metrics (no per-topic labels: the core's group metrics carry those):
 * {@code ratatoskr.grpc.consume.streams} (open), {@code ratatoskr.grpc.consume.deliveries} (sent),
 * {@code ratatoskr.grpc.consume.answers{outcome=ack|nack|reject}},
 * {@code ratatoskr.grpc.consume.answer.failures{code}} (answer_failed events, by catalogue code),
 * {@code ratatoskr.grpc.consume.credit.waits.expired} (deliveries handed back uncounted after waiting
 * too long for a credit) and {@code ratatoskr.grpc.consume.stream.failures{code}} (streams the broker
 * ended with an error status, by catalogue code).
 *
 * <p>Thread-safety: thread-safe. The set of streams is concurrent; the timer is created once, under
 * this object's monitor, and shut down by {@link #shutdown}.
 */
final class ConsumeStreams {
    private final ConsumerGroups groups;
    private final Clock clock;
    private final MeterRegistry registry;
    private final BrokerMetrics brokerMetrics;
    private final Set<ConsumeStream> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong memberSeq = new AtomicLong();
    private final AtomicLong streamSeq = new AtomicLong();
    private final ConnectedClients clients;
    private final GrpcAccess access;
    private final Counter deliveries;
    private final Counter acks;
    private final Counter nacks;
    private final Counter rejects;
    private final Counter creditWaitsExpired;
    private ScheduledExecutorService timer; // guarded by this
    private boolean shutDown; // guarded by this

    ConsumeStreams(ConsumerGroups groups, Clock clock, MeterRegistry registry, BrokerMetrics brokerMetrics,
                   ConnectedClients clients, GrpcAccess access) {
        this.groups = groups;
        this.access = access;
        this.brokerMetrics = brokerMetrics;
        this.clients = clients;
        this.clock = clock;
        this.registry = registry;
        Gauge.builder("ratatoskr.grpc.consume.streams", open, Set::size)
                .description("Open gRPC Consume streams").register(registry);
        this.deliveries = Counter.builder("ratatoskr.grpc.consume.deliveries")
                .description("Consumer-group deliveries sent on gRPC Consume streams").register(registry);
        this.acks = answers("ack");
        this.nacks = answers("nack");
        this.rejects = answers("reject");
        this.creditWaitsExpired = Counter.builder("ratatoskr.grpc.consume.credit.waits.expired")
                .description("Deliveries handed back uncounted after waiting too long for a credit or a ready "
                        + "transport").register(registry);
    }

    private Counter answers(String outcome) {
        return Counter.builder("ratatoskr.grpc.consume.answers").tag("outcome", outcome)
                .description("Acks, nacks and rejects received on gRPC Consume streams").register(registry);
    }

    /** A new stream: the request observer gRPC feeds the client's messages to. */
    StreamObserver<ConsumeRequest> open(StreamObserver<ConsumeResponse> response) {
        ServerCallStreamObserver<ConsumeResponse> call = (ServerCallStreamObserver<ConsumeResponse>) response;
        ConsumeStream stream = new ConsumeStream(this, call, "grpc-consume-" + streamSeq.incrementAndGet());
        open.add(stream);
        boolean late;
        synchronized (this) {
            late = shutDown;
        }
        if (late) {
            stream.shutdown(); // outside this monitor: a stream's monitor is taken before this one, never after
        }
        return stream;
    }

    /** Ends every open stream with UNAVAILABLE; each member leaves its group. */
    void shutdown() {
        ScheduledExecutorService t;
        synchronized (this) {
            shutDown = true;
            t = timer;
        }
        for (ConsumeStream s : List.copyOf(open)) {
            s.shutdown();
        }
        if (t != null) {
            t.shutdownNow();
        }
    }

    /** Throws NOT_AUTHORIZED unless the current call's principal may consume from {@code topic}. */
    void checkConsume(String topic) {
        access.checkSubscribe(topic);
    }

    void closed(ConsumeStream stream) {
        open.remove(stream);
    }

    /** The client list started streams (those that joined their group) are in. */
    ConnectedClients clients() {
        return clients;
    }

    ConsumerGroups groups() {
        return groups;
    }

    Clock clock() {
        return clock;
    }

    /** A member name for a stream that gave none. */
    String generatedMemberName() {
        return "grpc-consumer-" + memberSeq.incrementAndGet();
    }

    /** Runs {@code task} after {@code delayMs} on the shared thread; null once shut down. */
    synchronized ScheduledFuture<?> schedule(Runnable task, long delayMs) {
        if (shutDown) {
            return null;
        }
        return timer().schedule(task, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }

    private ScheduledExecutorService timer() {
        if (timer == null) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "grpc-consume-timer");
                th.setDaemon(true);
                return th;
            });
            t.setRemoveOnCancelPolicy(true); // a release timer cancelled by a drain does not linger
            timer = t;
        }
        return timer;
    }

    /** {@code m} is being sent: counted in the broker-wide message metrics. */
    void sent(DurableMessage m) {
        // Consumer-group deliveries are at least once: QoS 1 in the protocol/qos families.
        brokerMetrics.messageSent(BrokerMetrics.Protocol.GRPC, 1, m.message().payload().length);
    }

    /**
     * A response of {@code count} deliveries went out: counted, and the delivery latency sampled once
     * for it, the wait of its oldest message ({@code oldestReceivedAtMillis}; see
     * {@link BrokerMetrics#deliveryWritten}).
     */
    void responseSent(int count, long oldestReceivedAtMillis) {
        deliveries.increment(count);
        brokerMetrics.deliveryWritten(BrokerMetrics.Protocol.GRPC, oldestReceivedAtMillis);
    }

    void acked(int count) {
        acks.increment(count);
    }

    void nacked() {
        nacks.increment();
    }

    void rejected() {
        rejects.increment();
    }

    void creditWaitExpired() {
        creditWaitsExpired.increment();
    }

    void answerFailed(String code) {
        Counter.builder("ratatoskr.grpc.consume.answer.failures").tag("code", code)
                .description("Acks, nacks and rejects that could not be applied").register(registry).increment();
    }

    void streamFailed(ErrorCode code) {
        Counter.builder("ratatoskr.grpc.consume.stream.failures").tag("code", code.name())
                .description("Consume streams the broker ended with an error").register(registry).increment();
    }
}
