package io.ratatoskr.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.PartitionOffset;
import io.ratatoskr.api.v1.Position;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.SeekResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a Ratatoskr broker over its gRPC API ({@code ratatoskr.v1}): publish, live subscribe,
 * consumer groups, cursor consumers, and topic, group and dead-letter administration, over one channel.
 *
 * <pre>{@code
 * try (RatatoskrClient client = RatatoskrClient.builder().target("localhost:9090").build()) {
 *     client.publish("orders", "{\"id\": 42}").join();
 *     client.subscribe("orders/#", msg -> Ack.ACK);
 *     client.consume("orders", "billing", msg -> {
 *         bill(msg.payloadAsString());
 *         return Ack.ACK;
 *     });
 * }
 * }</pre>
 *
 * <p><b>Calls.</b> Unary calls ({@code publish}, {@code publishBatch}, admin) carry the default deadline
 * and are never retried by the client: a publish that failed with {@code UNAVAILABLE} or
 * {@code DEADLINE_EXCEEDED} may still have been stored, so retry it yourself with the same
 * idempotency key to store it once. Futures complete on a gRPC thread: do not block in their
 * dependent stages (use the {@code ...Async} variants for slow work).
 *
 * <p><b>Streams.</b> Subscriptions and consumers reopen themselves after a connection loss with
 * exponential backoff and jitter ({@link Builder#reconnectBackoff}); a stream the broker refuses is
 * not retried and is reported to the {@link Builder#errorListener}. Handlers run on the client's
 * handler threads (daemon threads named {@code ratatoskr-client-handler-N}, or the executor given to
 * {@link Builder#handlerExecutor}).
 *
 * <p>Thread-safety: thread-safe; share one client per broker in an application.
 */
public final class RatatoskrClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RatatoskrClient.class);

    private final ManagedChannel channel;
    private final RatatoskrGrpc.RatatoskrStub stub;
    private final Duration defaultDeadline;
    private final Duration reconnectInitial;
    private final Duration reconnectMax;
    private final Duration closeTimeout;
    private final Random jitter;
    private final ErrorListener errorListener;
    private final ExecutorService ownedHandlerExecutor;
    private final java.util.concurrent.Executor handlerExecutor;
    private final ScheduledExecutorService scheduler;
    private final TopicAdmin topics;
    private final GroupAdmin groups;
    private final DeadLetterAdmin deadLetters;
    private final Set<AutoCloseable> streams = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private RatatoskrClient(Builder b) {
        NettyChannelBuilder cb = b.target != null ? NettyChannelBuilder.forTarget(b.target)
                : NettyChannelBuilder.forAddress(b.host, b.port);
        cb.maxInboundMessageSize(b.maxInboundMessageBytes);
        if (b.directCallbacks) {
            cb.directExecutor();
        }
        if (b.caPem != null) {
            try {
                cb.sslContext(GrpcSslContexts.forClient().trustManager(b.caPem.toFile()).build())
                        .useTransportSecurity();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the CA certificates in " + b.caPem, e);
            }
        } else {
            cb.usePlaintext();
        }
        this.channel = cb.build();
        this.stub = RatatoskrGrpc.newStub(channel);
        this.defaultDeadline = b.defaultDeadline;
        this.reconnectInitial = b.reconnectInitial;
        this.reconnectMax = b.reconnectMax;
        this.closeTimeout = b.closeTimeout;
        this.jitter = new Random(b.jitterSeed);
        this.errorListener = b.errorListener;
        if (b.handlerExecutor != null) {
            this.ownedHandlerExecutor = null;
            this.handlerExecutor = b.handlerExecutor;
        } else {
            this.ownedHandlerExecutor = Executors.newCachedThreadPool(daemonThreads("ratatoskr-client-handler-"));
            this.handlerExecutor = ownedHandlerExecutor;
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("ratatoskr-client-scheduler-"));
        this.topics = new TopicAdmin(this);
        this.groups = new GroupAdmin(this);
        this.deadLetters = new DeadLetterAdmin(this);
    }

    /** A builder; by default a plaintext channel to {@code localhost:9090}. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- Publishing ---------------------------------------------------------------------------

    /** Publishes {@code payload} on {@code topic}. See {@link #publish(OutgoingMessage)}. */
    public CompletableFuture<PublishResult> publish(String topic, byte[] payload) {
        return publish(OutgoingMessage.of(topic, payload));
    }

    /** Publishes {@code payload} (as UTF-8) on {@code topic}. See {@link #publish(OutgoingMessage)}. */
    public CompletableFuture<PublishResult> publish(String topic, String payload) {
        return publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Publishes {@code message}: it is stored in every durable topic that captures its topic and routed
     * to every live subscriber (MQTT or gRPC) whose filter matches. The future completes with its
     * position once durable as the topic's durability mode says, or exceptionally with a
     * {@link RatatoskrClientException} (e.g. {@code TOPIC_NOT_FOUND}, {@code MESSAGE_TOO_LARGE}).
     * Not retried by the client.
     */
    public CompletableFuture<PublishResult> publish(OutgoingMessage message) {
        if (message.topic() == null) {
            throw new IllegalArgumentException("a published message needs a topic");
        }
        PublishRequest.Builder r = PublishRequest.newBuilder().setTopic(message.topic())
                .setPayload(ByteString.copyFrom(message.payload())).putAllMetadata(message.metadata())
                .setRetain(message.retain()).setLiveOnly(message.liveOnly());
        if (message.key() != null) {
            r.setKey(message.key());
        }
        if (message.idempotencyKey() != null) {
            r.setIdempotencyKey(message.idempotencyKey());
        }
        if (message.contentType() != null) {
            r.setContentType(message.contentType());
        }
        if (message.ttl() != null) {
            r.setTtlMs(message.ttl().toMillis());
        }
        if (message.qos() != null) {
            r.setQos(message.qos());
        }
        return call(RatatoskrGrpc.RatatoskrStub::publish, r.build()).thenApply(PublishResult::from);
    }

    /**
     * Publishes {@code messages} to durable topic {@code topic}, in order, appended together. The
     * future completes with one result per message, in order: a refused message (too large, ...) does
     * not stop the others. It completes exceptionally when the whole batch is refused (e.g.
     * {@code TOPIC_NOT_FOUND}). Messages must not name another topic, nor be retained or live-only;
     * the first message's QoS (if set) applies to the batch.
     */
    public CompletableFuture<List<BatchResult>> publishBatch(String topic, List<OutgoingMessage> messages) {
        Objects.requireNonNull(topic, "topic");
        PublishBatchRequest.Builder r = PublishBatchRequest.newBuilder().setTopic(topic);
        for (OutgoingMessage m : messages) {
            r.addMessages(batchMessage(topic, m));
        }
        if (!messages.isEmpty() && messages.getFirst().qos() != null) {
            r.setQos(messages.getFirst().qos());
        }
        return call(RatatoskrGrpc.RatatoskrStub::publishBatch, r.build()).thenApply(response -> {
            List<BatchResult> results = new ArrayList<>(response.getResultsCount());
            for (var result : response.getResultsList()) {
                results.add(BatchResult.from(result));
            }
            return List.copyOf(results);
        });
    }

    /**
     * Returns a publisher to durable topic {@code topic} that packs messages sent close together into
     * {@code PublishBatch} calls. See {@link TopicPublisher}; closed with this client.
     */
    public TopicPublisher publisher(String topic, PublisherOptions options) {
        TopicPublisher p = new TopicPublisher(this, topic, options);
        track(p);
        return p;
    }

    /** A publisher to {@code topic} with {@link PublisherOptions#DEFAULTS}. */
    public TopicPublisher publisher(String topic) {
        return publisher(topic, PublisherOptions.DEFAULTS);
    }

    /**
     * {@code m} as a message of a {@code PublishBatch} to {@code topic}.
     *
     * @throws IllegalArgumentException if it names another topic, or is retained or live-only
     */
    static BatchMessage batchMessage(String topic, OutgoingMessage m) {
        if ((m.topic() != null && !m.topic().equals(topic)) || m.retain() || m.liveOnly()) {
            throw new IllegalArgumentException("a batch message must not name another topic, nor be retained or "
                    + "live-only: " + m.topic());
        }
        BatchMessage.Builder b = BatchMessage.newBuilder().setPayload(ByteString.copyFrom(m.payload()))
                .putAllMetadata(m.metadata());
        if (m.key() != null) {
            b.setKey(m.key());
        }
        if (m.idempotencyKey() != null) {
            b.setIdempotencyKey(m.idempotencyKey());
        }
        if (m.contentType() != null) {
            b.setContentType(m.contentType());
        }
        if (m.ttl() != null) {
            b.setTtlMs(m.ttl().toMillis());
        }
        return b.build();
    }

    // ---- Live subscriptions -------------------------------------------------------------------

    /**
     * Subscribes to live messages on MQTT topic filter {@code filter} ({@code +}, {@code #},
     * {@code $share/group/...}). See {@link Subscription} for delivery, threading and reconnects.
     */
    public Subscription subscribe(String filter, MessageHandler handler) {
        return subscribe(List.of(filter), handler);
    }

    /** Subscribes to live messages matching any of {@code filters}. See {@link Subscription}. */
    public Subscription subscribe(List<String> filters, MessageHandler handler) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("at least one filter");
        }
        Subscription s = new Subscription(this, filters, null, Objects.requireNonNull(handler, "handler"));
        track(s);
        s.open();
        return s;
    }

    // ---- Consumer groups ----------------------------------------------------------------------

    /**
     * Joins consumer group {@code group} of durable topic {@code topic} with {@link ConsumeOptions#DEFAULTS}
     * (one message at a time). See {@link Consumer}.
     */
    public Consumer consume(String topic, String group, MessageHandler handler) {
        return consume(topic, group, ConsumeOptions.DEFAULTS, handler);
    }

    /** Joins consumer group {@code group} of durable topic {@code topic}. See {@link Consumer}. */
    public Consumer consume(String topic, String group, ConsumeOptions options, MessageHandler handler) {
        Consumer c = new Consumer(this, Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(group, "group"),
                Objects.requireNonNull(options, "options"), Objects.requireNonNull(handler, "handler"));
        track(c);
        c.open();
        return c;
    }

    // ---- Administration and escape hatches ----------------------------------------------------

    /** Durable-topic administration (blocking calls). */
    public TopicAdmin topics() {
        return topics;
    }

    /** Consumer-group administration: list, describe, configure, seek, delete (blocking calls). */
    public GroupAdmin groups() {
        return groups;
    }

    /** Dead-letter topics: list, inspect, replay (blocking calls). */
    public DeadLetterAdmin deadLetters() {
        return deadLetters;
    }

    // ---- Cursor consumers ---------------------------------------------------------------------

    /**
     * Cursor consumer {@code consumer} of durable topic {@code topic}: fetch from chosen offsets and keep
     * its own committed offsets (blocking calls). Nothing is sent to the broker until it is used.
     */
    public Cursor cursor(String topic, String consumer) {
        return new Cursor(this, topic, consumer);
    }

    /**
     * The generated asynchronous stub over this client's channel, without a deadline, for calls this
     * class does not wrap (e.g. UpdateTopic, Unsubscribe by id).
     */
    public RatatoskrGrpc.RatatoskrStub stub() {
        return stub;
    }

    /** The channel, e.g. for other generated stubs ({@code grpc.health.v1}). Closed by {@link #close()}. */
    public ManagedChannel channel() {
        return channel;
    }

    /**
     * Closes every subscription, consumer and publisher (consumers wait up to the close timeout for
     * running handlers and send their answers; publishers send what waits and wait up to the close
     * timeout for the answers, one publisher after another), then shuts the channel down, waiting at most the close timeout
     * for calls in flight before cancelling them (their futures fail with {@code UNAVAILABLE}), and
     * stops the client's threads. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable s : List.copyOf(streams)) {
            try {
                s.close();
            } catch (Exception e) {
                log.warn("closing {} failed", s, e);
            }
        }
        scheduler.shutdownNow();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
                channel.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (ownedHandlerExecutor != null) {
                ownedHandlerExecutor.shutdown();
                if (!ownedHandlerExecutor.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    ownedHandlerExecutor.shutdownNow();
                }
            }
            scheduler.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            channel.shutdownNow();
            if (ownedHandlerExecutor != null) {
                ownedHandlerExecutor.shutdownNow();
            }
            Thread.currentThread().interrupt();
        }
    }

    // ---- Shared with the streams --------------------------------------------------------------

    /** Makes a unary call with the default deadline; failures become {@link RatatoskrClientException}. */
    <Q, T> CompletableFuture<T> call(UnaryMethod<Q, T> method, Q request) {
        return call(method, request, defaultDeadline);
    }

    /** Makes a unary call and waits for its answer; throws {@link RatatoskrClientException} on failure. */
    <Q, T> T callAndWait(UnaryMethod<Q, T> method, Q request) {
        return await(call(method, request, defaultDeadline));
    }

    /** Waits for {@code f}; a failure is thrown as a {@link RatatoskrClientException}. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw RatatoskrClientException.from(e);
        }
    }

    /** Makes a unary call with {@code deadline}; failures become {@link RatatoskrClientException}. */
    <Q, T> CompletableFuture<T> call(UnaryMethod<Q, T> method, Q request, Duration deadline) {
        CompletableFuture<T> result = new CompletableFuture<>();
        StreamObserver<T> observer = new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(RatatoskrClientException.from(t));
            }

            @Override
            public void onCompleted() {
                if (!result.isDone()) {
                    result.completeExceptionally(new RatatoskrClientException("INTERNAL", Status.Code.INTERNAL,
                            "the broker answered without a response", null));
                }
            }
        };
        try {
            method.invoke(stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS), request, observer);
        } catch (RuntimeException e) {
            result.completeExceptionally(RatatoskrClientException.from(e));
        }
        return result;
    }

    /** A unary method of the async stub, e.g. {@code RatatoskrGrpc.RatatoskrStub::publish}. */
    @FunctionalInterface
    interface UnaryMethod<Q, T> {
        void invoke(RatatoskrGrpc.RatatoskrStub stub, Q request, StreamObserver<T> response);
    }

    Duration defaultDeadline() {
        return defaultDeadline;
    }

    /** {@code p} as the API's {@code Position}. */
    static Position position(StartPosition p) {
        return switch (p) {
            case StartPosition.Earliest e -> Position.newBuilder().setEarliest(true).build();
            case StartPosition.Latest l -> Position.newBuilder().setLatest(true).build();
            case StartPosition.AtOffset o -> Position.newBuilder().setOffset(o.offset()).build();
            case StartPosition.AtTime t -> Position.newBuilder().setTimestampMs(t.time().toEpochMilli()).build();
        };
    }

    /** A seek's answer: the offset each partition now starts from, by partition. */
    static SortedMap<Integer, Long> offsets(SeekResponse response) {
        SortedMap<Integer, Long> offsets = new TreeMap<>();
        for (PartitionOffset o : response.getOffsetsList()) {
            offsets.put(o.getPartition(), o.getOffset());
        }
        return Collections.unmodifiableSortedMap(offsets);
    }

    java.util.concurrent.Executor handlerExecutor() {
        return handlerExecutor;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Duration reconnectInitial() {
        return reconnectInitial;
    }

    Duration reconnectMax() {
        return reconnectMax;
    }

    Duration closeTimeout() {
        return closeTimeout;
    }

    double nextJitter() {
        return jitter.nextDouble();
    }

    void reportError(String source, RatatoskrClientException error) {
        if (errorListener == null) {
            return;
        }
        try {
            errorListener.onError(source, error);
        } catch (RuntimeException e) {
            log.warn("the error listener failed", e);
        }
    }

    void forget(AutoCloseable stream) {
        streams.remove(stream);
    }

    private void track(AutoCloseable stream) {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        streams.add(stream);
        if (closed) { // close() began meanwhile and may have missed it
            streams.remove(stream);
            throw new IllegalStateException("the client is closed");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Configures a {@link RatatoskrClient}. Defaults: plaintext to {@code localhost:9090}, deadline
     * 30 s, reconnect backoff 100 ms to 10 s, inbound messages up to 70 MiB, close timeout 5 s.
     *
     * <p>Thread-safety: not thread-safe.
     */
    public static final class Builder {
        private String target;
        private String host = "localhost";
        private int port = 9090;
        private Duration defaultDeadline = Duration.ofSeconds(30);
        private Duration reconnectInitial = Duration.ofMillis(100);
        private Duration reconnectMax = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private int maxInboundMessageBytes = 70 * 1024 * 1024;
        private Path caPem;
        private long jitterSeed = ThreadLocalRandom.current().nextLong();
        private ErrorListener errorListener;
        private java.util.concurrent.Executor handlerExecutor;
        private boolean directCallbacks;

        private Builder() {
        }

        /** A gRPC target: {@code host:port}, or a URI such as {@code dns:///broker.example:9090}. */
        public Builder target(String t) {
            this.target = Objects.requireNonNull(t, "target");
            return this;
        }

        /** The broker's host (with {@link #port(int)}); replaces a {@link #target(String)}. */
        public Builder host(String h) {
            this.host = Objects.requireNonNull(h, "host");
            this.target = null;
            return this;
        }

        /** The broker's gRPC port (default 9090). */
        public Builder port(int p) {
            if (p < 1 || p > 65_535) {
                throw new IllegalArgumentException("port must be 1..65535: " + p);
            }
            this.port = p;
            this.target = null;
            return this;
        }

        /** The deadline of each unary call (publish, admin). */
        public Builder defaultDeadline(Duration d) {
            this.defaultDeadline = positive(d, "defaultDeadline");
            return this;
        }

        /** The first and the longest delay between attempts to reopen a lost stream. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            positive(initial, "initial backoff");
            positive(max, "max backoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is below the initial " + initial);
            }
            this.reconnectInitial = initial;
            this.reconnectMax = max;
            return this;
        }

        /** The seed of the reconnect jitter (default: random), to replay a run. */
        public Builder jitterSeed(long seed) {
            this.jitterSeed = seed;
            return this;
        }

        /** The largest message the client accepts from the broker. */
        public Builder maxInboundMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxInboundMessageBytes must be at least 1024: " + bytes);
            }
            this.maxInboundMessageBytes = bytes;
            return this;
        }

        /** How long {@link RatatoskrClient#close()} waits for handlers and calls at each step. */
        public Builder closeTimeout(Duration d) {
            this.closeTimeout = positive(d, "closeTimeout");
            return this;
        }

        /** Plaintext (the default). */
        public Builder plaintext() {
            this.caPem = null;
            return this;
        }

        /** TLS, trusting the CA certificates in PEM file {@code caPem}. */
        public Builder tls(Path caPem) {
            this.caPem = Objects.requireNonNull(caPem, "caPem");
            return this;
        }

        /** Told when a subscription or consumer stops because the broker refused it. */
        public Builder errorListener(ErrorListener l) {
            this.errorListener = l;
            return this;
        }

        /**
         * Runs handlers on {@code executor} instead of the client's own threads; the client never shuts it
         * down. It must run tasks concurrently up to the sum of the streams' concurrency.
         */
        public Builder handlerExecutor(java.util.concurrent.Executor executor) {
            this.handlerExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Runs the client's gRPC callbacks, among them the completion of unary calls' and publishers' futures
         * with their dependent stages, on the connection's network thread instead of handing each answer to a
         * gRPC executor thread. That saves a thread hand-off per answer, which pays with many small calls on
         * few cores (Kafka's producer runs its callbacks on its network thread too). Dependent stages must
         * then never block: one that does stalls every call and stream of the client.
         */
        public Builder directCallbacks() {
            this.directCallbacks = true;
            return this;
        }

        /** The client; the connection is made on first use. */
        public RatatoskrClient build() {
            return new RatatoskrClient(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
