package io.ratatoskr.grpc;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.PublishResult;
import io.ratatoskr.core.broker.AckBarrier;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.durable.AppendOutcome;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.PublishReceipt;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.topic.Topics;
import io.ratatoskr.core.trace.PublishTrace;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Publish and PublishBatch.
 *
 * <p>Publish builds a core {@link Message} — metadata as MQTT user properties, the key and the
 * idempotency key as the user properties {@value PublishOptions#MESSAGE_KEY} and
 * {@value PublishOptions#IDEMPOTENCY_KEY} (the convention MQTT 5 publishers use) — and hands it to
 * {@code Broker.publish}: every durable topic whose filters capture it stores it, live MQTT and gRPC
 * subscribers get it, and the answer waits for the stores' writes (the topic's durability mode).
 * The position answered is the receipt of the durable topic named like the published topic, else
 * of the first capturing topic by name.
 *
 * <p>PublishBatch appends the whole batch to its durable topic with one log write per partition
 * ({@link DurableTopics#publishBatch}), then routes each message that was not refused or a repeat
 * to live subscribers ({@code Broker.route}). Other durable topics whose filters match do not
 * capture batch messages.
 *
 * <p>Nothing on their path blocks the calling thread: they complete when the core's futures do, and
 * creating a topic that does not exist yet (auto-creation), which touches the disk, runs on the
 * {@code blocking} executor before the publish goes on.
 *
 * <p>Thread-safety: stateless apart from the thread-safe backend.
 */
final class PublishRpcs {
    /** Topic names as deep as this are accepted (as MQTT's default does). */
    static final int MAX_TOPIC_LEVELS = 128;
    static final int MAX_BATCH = 10_000;
    /** The longest MQTT UTF-8 string (two-byte length prefix, MQTT 5.0 §1.5.4). */
    static final int MAX_STRING_BYTES = 65_535;
    /** The most metadata (names and values, UTF-8) one message may carry. */
    static final int MAX_METADATA_BYTES = 64 * 1024;
    /** The longest TTL: MQTT's Message Expiry Interval is a four-byte count of seconds (§3.3.2.3.3). */
    static final long MAX_TTL_MS = 0xFFFF_FFFFL * 1000;
    private static final String PUBLISHER = "\u0000grpc-publisher";

    private final GrpcBackend backend;
    private final Clock clock;
    private final Executor blocking;

    PublishRpcs(GrpcBackend backend, Executor blocking) {
        this.backend = backend;
        this.clock = backend.broker().clock();
        this.blocking = blocking;
    }

    void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
        Calls.async(response, () -> {
            DurableTopics t = backend.topics();
            String topic = request.getTopic();
            if (t.config().autoCreate() && !request.getLiveOnly() && t.capturing(topic).isEmpty()) {
                // Refuse a bad request before its topic is created, as the fields are checked before storing.
                checkTopicName(topic);
                message(topic, request.getPayload().toByteArray(), request.getMetadataMap(), request.getKey(),
                        request.getIdempotencyKey(), request.getContentType(), request.getTtlMs(),
                        qos(request.hasQos(), request.getQos()), request.getRetain(), clock.millis());
                return createThen(topic, () -> publishFuture(request));
            }
            return publishFuture(request);
        }, this::refused);
    }

    /**
     * Creates durable topic {@code topic} on the blocking executor (it touches the disk), then starts
     * {@code publish} in the call's context.
     */
    private <T> CompletableFuture<T> createThen(String topic, Supplier<CompletableFuture<T>> publish) {
        DurableTopics t = backend.topics();
        Context context = Context.current();
        return CompletableFuture.runAsync(() -> t.createIfAbsent(topic, t.config().autoCreateConfig()), blocking)
                .thenCompose(created -> {
                    Context previous = context.attach();
                    try {
                        return publish.get();
                    } finally {
                        context.detach(previous);
                    }
                });
    }

    private CompletableFuture<PublishResponse> publishFuture(PublishRequest request) {
        String topic = request.getTopic();
        checkTopicName(topic);
        int qos = qos(request.hasQos(), request.getQos());
        long now = clock.millis();
        Message message = message(topic, request.getPayload().toByteArray(), request.getMetadataMap(),
                request.getKey(), request.getIdempotencyKey(), request.getContentType(), request.getTtlMs(), qos,
                request.getRetain(), now);
        DurableTopics topics = backend.topics();
        if (!request.getLiveOnly() && topics.capturing(topic).isEmpty()) {
            if (!topics.config().autoCreate()) {
                throw ErrorCode.TOPIC_NOT_FOUND.exception(topic);
            }
            topics.createIfAbsent(topic, topics.config().autoCreateConfig());
        }
        backend.broker().metrics().messageReceived(BrokerMetrics.Protocol.GRPC, qos, message.payload().length);
        AckBarrier barrier = new AckBarrier();
        PublishTrace trace = backend.broker().tracing().publish(message, "grpc", null, TraceHeaders.current());
        if (trace != null) {
            message = trace.propagate(message);
            barrier.trace(trace);
        }
        try {
            backend.broker().publish(message, null, barrier);
        } catch (RuntimeException e) {
            if (trace != null) {
                trace.refused(e);
            }
            throw e;
        }
        if (trace != null) {
            trace.acknowledgedWhen(barrier);
        }
        List<CompletableFuture<PublishReceipt>> receipts = barrier.results(PublishReceipt.class);
        return barrier.done().thenApply(done -> answer(topic, receipts, now));
    }

    /** Counts a refused publish by its catalogue code. */
    private void refused(Throwable failure) {
        refused(GrpcErrors.toError(failure).getCode());
    }

    private void refused(String errorCode) {
        backend.broker().metrics().publishRefused(BrokerMetrics.Protocol.GRPC,
                ErrorCode.valueOf(errorCode).code());
    }

    /**
     * Starts the traces of a batch's messages (replacing each message with the one to publish, see
     * {@link PublishTrace#propagate}), or answers null when none is traced. The store span of each
     * covers the batch's append; session-journal writes are not in it (they are shared by the batch).
     */
    private PublishTrace[] traceBatch(List<Message> built) {
        PublishTrace[] traces = null;
        List<Header> callContext = TraceHeaders.current();
        for (int k = 0; k < built.size(); k++) {
            PublishTrace trace = backend.broker().tracing().publish(built.get(k), "grpc", null, callContext);
            if (trace != null) {
                if (traces == null) {
                    traces = new PublishTrace[built.size()];
                }
                traces[k] = trace;
                built.set(k, trace.propagate(built.get(k)));
            }
        }
        return traces;
    }

    private static PublishResponse answer(String topic, List<CompletableFuture<PublishReceipt>> receipts, long now) {
        PublishReceipt chosen = receipts.stream().map(CompletableFuture::join)
                .min(Comparator.comparing((PublishReceipt r) -> !r.topic().equals(topic))
                        .thenComparing(PublishReceipt::topic))
                .orElse(null);
        if (chosen == null) {
            return PublishResponse.newBuilder().setTimestampMs(now).setStored(false).build();
        }
        return stored(chosen);
    }

    private static PublishResponse stored(PublishReceipt r) {
        return PublishResponse.newBuilder()
                .setMessageId(r.messageId().toString())
                .setTopic(r.topic())
                .setPartition(r.partition())
                .setOffset(r.offset())
                .setTimestampMs(r.timestampMs())
                .setDuplicate(r.duplicate())
                .setStored(true)
                .build();
    }

    void publishBatch(PublishBatchRequest request, StreamObserver<PublishBatchResponse> response) {
        Calls.async(response, () -> {
            DurableTopics t = backend.topics();
            if (t.config().autoCreate() && !t.exists(request.getTopic())) {
                DurableTopics.checkName(request.getTopic());
                checkBatchSize(request.getMessagesCount());
                qos(request.hasQos(), request.getQos());
                return createThen(request.getTopic(), () -> publishBatchFuture(request));
            }
            return publishBatchFuture(request);
        }, this::refused);
    }

    private CompletableFuture<PublishBatchResponse> publishBatchFuture(PublishBatchRequest request) {
        String topic = request.getTopic();
        DurableTopics.checkName(topic);
        int n = request.getMessagesCount();
        checkBatchSize(n);
        int qos = qos(request.hasQos(), request.getQos());
        long now = clock.millis();
        // A message that cannot even be built (a bad field) gets its error; the rest go on.
        List<Message> built = new ArrayList<>(n);
        List<Integer> index = new ArrayList<>(n);
        PublishResult[] results = new PublishResult[n];
        for (int i = 0; i < n; i++) {
            BatchMessage b = request.getMessages(i);
            Message m;
            try {
                m = message(topic, b.getPayload().toByteArray(), b.getMetadataMap(), b.getKey(),
                        b.getIdempotencyKey(), b.getContentType(), b.getTtlMs(), qos, false, now);
            } catch (RatatoskrException e) {
                results[i] = PublishResult.newBuilder().setError(GrpcErrors.toError(e)).build();
                continue;
            }
            try {
                backend.broker().admit(m); // broker limits (memory high watermark), as Publish has them
            } catch (RatatoskrException e) {
                results[i] = PublishResult.newBuilder().setError(GrpcErrors.toError(e)).build();
                continue;
            }
            built.add(m);
            index.add(i);
        }
        for (Message m : built) {
            backend.broker().metrics().messageReceived(BrokerMetrics.Protocol.GRPC, qos, m.payload().length);
        }
        PublishTrace[] traces = traceBatch(built);
        List<AppendOutcome> outcomes = backend.topics().publishBatch(topic, built);
        List<CompletableFuture<?>> waits = new ArrayList<>(outcomes.size());
        AckBarrier journal = new AckBarrier();
        for (int k = 0; k < outcomes.size(); k++) {
            AppendOutcome o = outcomes.get(k);
            int i = index.get(k);
            PublishTrace trace = traces == null ? null : traces[k];
            journal.trace(trace);
            if (!o.duplicate() && !o.receipt().isCompletedExceptionally()) {
                try {
                    backend.broker().route(built.get(k), null, journal);
                } catch (RatatoskrException e) {
                    // Stored, but persistent subscribers' journal refused it: say so for this message.
                    results[i] = PublishResult.newBuilder().setError(GrpcErrors.toError(e)).build();
                }
            }
            if (trace != null) {
                trace.acknowledgedWhen(o.receipt(), 1, List.of(o.receipt()));
            }
            waits.add(o.receipt().handle((r, e) -> {
                if (results[i] == null) {
                    results[i] = e != null ? PublishResult.newBuilder().setError(GrpcErrors.toError(e)).build()
                            : PublishResult.newBuilder().setStored(stored(r)).build();
                }
                return null;
            }));
        }
        waits.add(journal.done().exceptionally(e -> null));
        return CompletableFuture.allOf(waits.toArray(CompletableFuture<?>[]::new)).thenApply(done -> {
            PublishBatchResponse.Builder b = PublishBatchResponse.newBuilder();
            for (PublishResult r : results) {
                if (r.hasError()) {
                    refused(r.getError().getCode());
                }
                b.addResults(r);
            }
            return b.build();
        });
    }

    private static void checkBatchSize(int n) {
        Calls.check(n >= 1 && n <= MAX_BATCH, "messages must hold 1.." + MAX_BATCH + " messages, had " + n);
    }

    /** Refuses what is not a topic name a client may publish on (INVALID_TOPIC_NAME, INVALID_ARGUMENT). */
    static void checkTopicName(String topic) {
        String problem = topic.isEmpty() ? "it is empty" : Topics.checkName(topic, MAX_TOPIC_LEVELS);
        if (problem == null && topic.startsWith("$")) {
            problem = "topics starting with '$' are the broker's ($SYS, $share, $queue)";
        }
        if (problem == null) {
            problem = mqttStringProblem(topic);
        }
        if (problem != null) {
            throw new RatatoskrException(ErrorCode.INVALID_TOPIC_NAME, "'" + topic + "' is not a topic name a "
                    + "client may publish on: " + problem);
        }
    }

    /**
     * Refuses a string MQTT 5 subscribers could not receive as a UTF-8 string (a user property, the
     * content type): one holding U+0000 [MQTT-1.5.4-2] or longer than 65,535 bytes [MQTT-1.5.4].
     */
    private static void checkMqttString(String value, String field) {
        String problem = mqttStringProblem(value);
        Calls.check(problem == null, field + " cannot be sent to MQTT subscribers: " + problem);
    }

    /** Why {@code value} is not a valid MQTT UTF-8 string, or null. */
    private static String mqttStringProblem(String value) {
        if (value.indexOf('\u0000') >= 0) {
            return "it contains U+0000 [MQTT-1.5.4-2]";
        }
        long bytes = utf8Length(value);
        return bytes > MAX_STRING_BYTES ? "it is " + bytes + " bytes of UTF-8, more than " + MAX_STRING_BYTES
                + " [MQTT-1.5.4]" : null;
    }

    /** The bytes {@code s} takes as UTF-8 (protobuf strings are well-formed: surrogates come in pairs). */
    private static long utf8Length(String s) {
        long n = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                n += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2; // a pair: 4 bytes for 2 chars
            }
        }
        return n;
    }

    private static int qos(boolean set, int qos) {
        Calls.check(!set || (qos >= 0 && qos <= 2), "qos must be 0, 1 or 2, was " + qos);
        return set ? qos : 1;
    }

    /** The core message for one published message (validates its fields). */
    static Message message(String topic, byte[] payload, Map<String, String> metadata, String key,
                           String idempotencyKey, String contentType, long ttlMs, int qos, boolean retain,
                           long nowMs) {
        Calls.check(ttlMs >= 0 && ttlMs <= MAX_TTL_MS, "ttl_ms must be in 0.." + MAX_TTL_MS + ", was " + ttlMs);
        List<Header> headers = new ArrayList<>(metadata.size() + 2);
        long metadataBytes = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String name = e.getKey();
            Calls.check(!name.isEmpty(), "metadata names must not be empty");
            Calls.check(!name.equals(PublishOptions.MESSAGE_KEY) && !name.equals(PublishOptions.IDEMPOTENCY_KEY),
                    "metadata name '" + name + "' is reserved: use the key and idempotency_key fields");
            checkMqttString(name, "metadata name");
            checkMqttString(e.getValue(), "metadata value of '" + name + "'");
            metadataBytes += utf8Length(name) + utf8Length(e.getValue());
            headers.add(new Header(name, e.getValue()));
        }
        Calls.check(metadataBytes <= MAX_METADATA_BYTES, "metadata must hold at most " + MAX_METADATA_BYTES
                + " bytes of names and values (UTF-8), had " + metadataBytes);
        checkMqttString(key, "key");
        // Its length is the durable topic's check (IDEMPOTENCY_KEY_TOO_LONG, 256 bytes).
        Calls.check(idempotencyKey.indexOf('\u0000') < 0, "idempotency_key must not contain U+0000");
        checkMqttString(contentType, "content_type");
        if (!key.isEmpty()) {
            headers.add(new Header(PublishOptions.MESSAGE_KEY, key));
        }
        if (!idempotencyKey.isEmpty()) {
            headers.add(new Header(PublishOptions.IDEMPOTENCY_KEY, idempotencyKey));
        }
        // MQTT expiry is in whole seconds: round up, so a message is never dropped before its TTL.
        long expirySeconds = ttlMs == 0 ? -1 : (ttlMs + 999) / 1000;
        MessageProperties props = new MessageProperties(-1, expirySeconds,
                contentType.isEmpty() ? null : contentType, null, null, headers);
        return new Message(topic, payload, qos, retain, props, PUBLISHER, nowMs);
    }
}
