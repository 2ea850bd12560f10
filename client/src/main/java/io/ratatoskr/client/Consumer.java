package io.ratatoskr.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.Credit;
import io.ratatoskr.api.v1.Nack;
import io.ratatoskr.api.v1.Reject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member of a consumer group made by {@link RatatoskrClient#consume}: each message of the group is
 * delivered to one member, which answers it with the handler's {@link Ack}.
 *
 * <p><b>Flow control.</b> The client grants the broker {@link ConsumeOptions#effectiveCreditWindow()}
 * credits when the stream opens and one more for each message the handler finishes, sent together once
 * half the window (rounded up) is owed, so no more than the window is ever delivered and unanswered,
 * and the broker always holds at least one credit while it has messages to send. The handler runs on
 * the client's handler executor on up to {@link ConsumeOptions#concurrency()} messages at once; with
 * concurrency 1 in delivery order.
 *
 * <p><b>Batches.</b> The client asks the broker for up to {@link ConsumeOptions#effectiveMaxBatch()}
 * messages per response. Acknowledgements are gathered and sent several to a message: when half the
 * window is owed, or as soon as no received message is left waiting for a handler (so an
 * acknowledgement never waits for a message that has not arrived). Nacks and rejects go one by one,
 * at once. A broker that predates batching (its {@code started} says {@code max_batch} 0) gets one
 * message per response and one acknowledgement per message, as does {@code maxBatch} 1.
 *
 * <p><b>Answers.</b> The handler's {@link Ack} is sent to the broker; an exception thrown by the
 * handler (or a null answer) is {@link Ack#nack()}. Messages are at least once: a message whose ack
 * did not reach the broker (connection lost, ack timeout) is delivered again, with a higher
 * {@link ReceivedMessage#attempt()}.
 *
 * <p><b>Reconnect.</b> When the connection is lost (broker restart) the member joins again with
 * backoff; messages it had received but not answered are redelivered by the broker, and answers for
 * them from handlers still running are dropped. If the broker refuses the stream (the topic does
 * not exist, an invalid group name) the consumer stops and the client's {@link ErrorListener} is told.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class Consumer implements AutoCloseable {
    /** How long {@link #close()} waits for the broker to end the stream after the last answers. */
    private static final Duration END_WAIT = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(Consumer.class);

    private final RatatoskrClient client;
    private final String topic;
    private final String group;
    private final ConsumeOptions options;
    private final MessageHandler handler;
    private final String source;
    private final DispatchQueue dispatch;
    private final Reconnect reconnect;
    private final CompletableFuture<Consumer> started = new CompletableFuture<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong nacked = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong answersRefused = new AtomicLong();
    private final AtomicLong creditGrants = new AtomicLong();
    private final AtomicLong ackRequests = new AtomicLong();
    private final Object lock = new Object();
    private Stream stream;
    private volatile boolean closed;

    Consumer(RatatoskrClient client, String topic, String group, ConsumeOptions options, MessageHandler handler) {
        this.client = client;
        this.topic = topic;
        this.group = group;
        this.options = options;
        this.handler = handler;
        this.source = "consume " + topic + "/" + group;
        this.dispatch = new DispatchQueue(client.handlerExecutor(), options.concurrency(), source);
        this.reconnect = new Reconnect(source, client, this::open, this::stop);
    }

    /** The durable topic. */
    public String topic() {
        return topic;
    }

    /** The consumer group. */
    public String group() {
        return group;
    }

    /** The options it was made with. */
    public ConsumeOptions options() {
        return options;
    }

    /**
     * Completes when the broker has admitted the member (each reconnect admits it again); completes
     * exceptionally if the broker refuses it or it is closed first.
     */
    public CompletableFuture<Consumer> whenStarted() {
        return started;
    }

    /** Messages delivered to this consumer so far (redeliveries included). */
    public long received() {
        return received.get();
    }

    /** Messages answered {@link Ack#ACK}. */
    public long acked() {
        return acked.get();
    }

    /** Messages answered with a nack (handler exceptions included). */
    public long nacked() {
        return nacked.get();
    }

    /** Messages answered with a reject. */
    public long rejected() {
        return rejected.get();
    }

    /** Answers the broker could not apply (the delivery had timed out or was given to another member). */
    public long answersRefused() {
        return answersRefused.get();
    }

    /** Credit messages sent after the initial grant (several answered messages share one). */
    long creditGrants() {
        return creditGrants.get();
    }

    /** Ack requests sent (one acknowledges several messages when the stream is batched). */
    long ackRequests() {
        return ackRequests.get();
    }

    /** Whether it is still consuming or reconnecting (not closed, not refused). */
    public boolean isActive() {
        return !closed;
    }

    /**
     * Leaves the group: takes no more messages (those delivered but not yet handed to the handler go
     * back to the group), waits up to the client's close timeout for running handlers and sends their
     * answers, then ends the stream. Idempotent. Called from the handler it does not wait for itself.
     */
    @Override
    public void close() {
        Stream s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = stream;
        }
        reconnect.close();
        dispatch.close();
        try {
            if (!dispatch.awaitIdle(client.closeTimeout())) {
                log.warn("{}: handlers still running at close; their answers are dropped", source);
            }
            if (s != null) {
                s.end();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (s != null) {
                s.cancel();
            }
            started.completeExceptionally(new RatatoskrClientException("CLOSED", Status.Code.CANCELLED,
                    "consumer closed", null));
            client.forget(this);
        }
    }

    void open() {
        ConsumeStart.Builder start = ConsumeStart.newBuilder().setTopic(topic).setGroup(group)
                .setInitialCredits(options.effectiveCreditWindow()).setPrefetch(options.prefetch())
                .setMaxBatch(options.effectiveMaxBatch());
        if (options.member() != null) {
            start.setMember(options.member());
        }
        if (options.start() != null) {
            start.setStart(RatatoskrClient.position(options.start()));
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            stream = new Stream();
            client.stub().consume(stream);
            stream.send(ConsumeRequest.newBuilder().setStart(start).build());
        }
    }

    private void stop(RatatoskrClientException why) {
        Stream s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = stream;
        }
        reconnect.close();
        dispatch.close();
        if (s != null) {
            s.cancel();
        }
        started.completeExceptionally(why);
        client.forget(this);
    }

    private void handle(Stream from, ReceivedMessage message) {
        from.handling();
        if (closed || !from.live) {
            return; // not handled: the broker gives it to a member again
        }
        Ack ack;
        try {
            ack = handler.handle(message);
            if (ack == null) {
                log.warn("{}: handler answered null for {}; nacking it", source, message);
                ack = Ack.nack();
            }
        } catch (Exception e) {
            log.warn("{}: handler failed on {}; nacking it", source, message, e);
            ack = Ack.nack();
        }
        String id = message.messageId();
        switch (ack) {
            case Ack.Accept a -> {
                acked.incrementAndGet();
                from.ack(id);
            }
            case Ack.Nack n -> {
                nacked.incrementAndGet();
                from.answer(ConsumeRequest.newBuilder()
                        .setNack(Nack.newBuilder().setMessageId(id).setDelayMs(n.delay().toMillis())).build());
            }
            case Ack.Reject r -> {
                rejected.incrementAndGet();
                from.answer(ConsumeRequest.newBuilder()
                        .setReject(Reject.newBuilder().setMessageId(id).setReason(r.reason())).build());
            }
        }
    }

    /**
     * One attempt of the stream. Responses arrive on gRPC's callback executor (serialized per call);
     * requests are sent from handler threads under this object's monitor.
     */
    private final class Stream implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        /** Credits owed are sent once at least this many, about half the window (1 for a window of 1). */
        private final int creditBatch = (options.effectiveCreditWindow() + 1) / 2;
        private ClientCallStreamObserver<ConsumeRequest> requests;
        private volatile boolean live = true;
        /** Messages answered whose credit is not yet granted again; guarded by this. */
        private int creditsOwed;
        /** Acknowledgements not sent yet (batched streams); guarded by this. */
        private final java.util.List<String> acksOwed = new java.util.ArrayList<>();
        /**
         * Whether acknowledgements are gathered: the broker batches ({@code started.max_batch} above 1; 0 from a
         * broker that predates batching, 1 when one at a time was asked for).
         */
        private volatile boolean batched;
        /** Messages received and not yet taken by a handler. */
        private final java.util.concurrent.atomic.AtomicInteger unhandled =
                new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void beforeStart(ClientCallStreamObserver<ConsumeRequest> requestStream) {
            requests = requestStream;
        }

        synchronized void send(ConsumeRequest request) {
            if (!live) {
                return;
            }
            try {
                requests.onNext(request);
            } catch (RuntimeException e) {
                live = false; // the call was cancelled under us; the broker redelivers
                log.debug("{}: could not send {}", source, request.getRequestCase(), e);
            }
        }

        /**
         * Sends {@code answer} and owes the broker one more credit; the credits owed are granted together
         * once they reach {@link #creditBatch}. Delivered-and-unanswered never exceeds the window (a credit
         * is granted only after an answer), and the broker is never left without credits: while fewer than
         * {@code creditBatch = ceil(window / 2)} are owed it still holds at least
         * {@code window - creditBatch + 1 >= 1} of them, so it can always send the next message.
         */
        synchronized void answer(ConsumeRequest answer) {
            flushAcks();
            send(answer);
            owe();
        }

        /** A handler took a received message. */
        void handling() {
            unhandled.decrementAndGet();
        }

        /**
         * Acknowledges {@code messageId}: at once to a broker without batches, else gathered and sent
         * once half the window is owed or no received message waits for a handler.
         */
        synchronized void ack(String messageId) {
            if (!batched) {
                send(ConsumeRequest.newBuilder().setAck(io.ratatoskr.api.v1.Ack.newBuilder().setMessageId(messageId))
                        .build());
                ackRequests.incrementAndGet();
                owe();
                return;
            }
            acksOwed.add(messageId);
            if (acksOwed.size() >= creditBatch || unhandled.get() <= 0) {
                flushAcks();
            }
            owe();
        }

        private void flushAcks() {
            if (acksOwed.isEmpty()) {
                return;
            }
            send(ConsumeRequest.newBuilder().setAck(io.ratatoskr.api.v1.Ack.newBuilder().addAllMessageIds(acksOwed))
                    .build());
            acksOwed.clear();
            ackRequests.incrementAndGet();
        }

        /** One more message answered: its credit is owed (see {@link #answer}). */
        private void owe() {
            creditsOwed++;
            if (creditsOwed >= creditBatch) {
                flushAcks(); // a credit never goes out before the answers it stands for
                send(ConsumeRequest.newBuilder().setCredit(Credit.newBuilder().setCount(creditsOwed)).build());
                creditsOwed = 0;
                creditGrants.incrementAndGet();
            }
        }

        /** Half-closes and waits a bounded time for the broker to end the stream. */
        void end() throws InterruptedException {
            synchronized (this) {
                if (!live) {
                    return;
                }
                flushAcks();
                requests.onCompleted();
            }
            try {
                ended.get(END_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.debug("{}: the broker did not end the stream after the half-close", source);
            }
        }

        synchronized void cancel() {
            if (live) {
                live = false;
                requests.cancel("consumer closed", null);
            }
        }

        @Override
        public void onNext(ConsumeResponse response) {
            switch (response.getEventCase()) {
                case STARTED -> {
                    batched = response.getStarted().getMaxBatch() > 1;
                    reconnect.connected();
                    started.complete(Consumer.this);
                    log.debug("{}: joined as {} (prefetch {})", source, response.getStarted().getMember(),
                            response.getStarted().getPrefetch());
                }
                case MESSAGE -> {
                    received.incrementAndGet();
                    ReceivedMessage m = ReceivedMessage.from(response.getMessage());
                    unhandled.incrementAndGet();
                    dispatch.submit(() -> handle(this, m));
                }
                case MESSAGES -> {
                    for (io.ratatoskr.api.v1.Message proto : response.getMessages().getMessagesList()) {
                        received.incrementAndGet();
                        ReceivedMessage m = ReceivedMessage.from(proto);
                        unhandled.incrementAndGet();
                        dispatch.submit(() -> handle(this, m));
                    }
                }
                case ANSWER_FAILED -> {
                    answersRefused.incrementAndGet();
                    log.warn("{}: answer for {} refused: {}", source, response.getAnswerFailed().getMessageId(),
                            response.getAnswerFailed().getError().getMessage());
                }
                case EVENT_NOT_SET -> {
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            live = false;
            ended.complete(null);
            if (!closed) {
                reconnect.failed(t);
            }
        }

        @Override
        public void onCompleted() {
            live = false;
            ended.complete(null);
            if (!closed) {
                // A deliberate end (e.g. the group was deleted): joining again would re-create the group.
                RatatoskrClientException why = new RatatoskrClientException("STREAM_ENDED", Status.Code.OK,
                        "the broker ended the consume stream", null);
                log.warn("{}: {}; stopping", source, why.getMessage());
                stop(why);
                client.reportError(source, why);
            }
        }
    }
}
