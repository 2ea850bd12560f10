package io.ratatoskr.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ratatoskr.api.v1.SubscribeRequest;
import io.ratatoskr.api.v1.SubscribeResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live subscription made by {@link RatatoskrClient#subscribe}: messages published from the moment
 * the broker registered it whose topic matches one of its filters, delivered at most once.
 *
 * <p>The handler runs on the client's handler executor, one message at a time, in arrival order.
 * The client asks the stream for a few messages ahead of the handler ({@value #READ_AHEAD}); a
 * handler slower than the publishers makes the broker drop the oldest messages beyond its queue
 * bound (at most once). There is no redelivery: the handler's {@link Ack} is ignored except that a
 * non-{@link Ack#ACK} answer or an exception is logged and counted ({@link #handlerFailures()}).
 *
 * <p>When the connection is lost (broker restart) the subscription is made again with backoff;
 * messages published while it was away are not received. If the broker refuses it (e.g. an invalid
 * filter) it stops and the client's {@link ErrorListener} is told.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class Subscription implements AutoCloseable {
    /** Messages requested from the stream ahead of the handler. */
    static final int READ_AHEAD = 32;
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);

    private final RatatoskrClient client;
    private final List<String> filters;
    private final String name;
    private final MessageHandler handler;
    private final DispatchQueue dispatch;
    private final Reconnect reconnect;
    private final CompletableFuture<Subscription> subscribed = new CompletableFuture<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong handlerFailures = new AtomicLong();
    private final Object lock = new Object();
    private ClientCallStreamObserver<SubscribeRequest> call;
    private volatile String subscriptionId;
    private volatile boolean closed;

    Subscription(RatatoskrClient client, List<String> filters, String name, MessageHandler handler) {
        this.client = client;
        this.filters = List.copyOf(filters);
        this.name = name;
        this.handler = handler;
        String source = "subscribe " + this.filters;
        this.dispatch = new DispatchQueue(client.handlerExecutor(), 1, source);
        this.reconnect = new Reconnect(source, client, this::open, this::stop);
    }

    /** The filters. */
    public List<String> filters() {
        return filters;
    }

    /** The broker's id of the current stream, or null before the broker confirmed it. */
    public String id() {
        return subscriptionId;
    }

    /**
     * Completes when the broker has registered the subscription (messages published after that are
     * received); completes exceptionally if the broker refuses it or it is closed first.
     */
    public CompletableFuture<Subscription> whenSubscribed() {
        return subscribed;
    }

    /** Messages received so far. */
    public long received() {
        return received.get();
    }

    /** Messages whose handler threw or answered something other than {@link Ack#ACK}. */
    public long handlerFailures() {
        return handlerFailures.get();
    }

    /** Whether it is still subscribed or reconnecting (not closed, not refused). */
    public boolean isActive() {
        return !closed;
    }

    /**
     * Ends the subscription: cancels the stream and drops messages not yet handed to the handler.
     * A handler already running finishes. Idempotent; does not block.
     */
    @Override
    public void close() {
        stop(new RatatoskrClientException("CLOSED", io.grpc.Status.Code.CANCELLED, "subscription closed", null));
    }

    void open() {
        SubscribeRequest.Builder request = SubscribeRequest.newBuilder().addAllFilters(filters);
        if (name != null) {
            request.setName(name);
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            client.stub().subscribe(request.build(), new Stream());
        }
    }

    private void stop(RatatoskrClientException why) {
        ClientCallStreamObserver<SubscribeRequest> c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = call;
        }
        reconnect.close();
        dispatch.close();
        if (c != null) {
            c.cancel("subscription closed", null);
        }
        subscribed.completeExceptionally(why);
        client.forget(this);
    }

    private void handle(ClientCallStreamObserver<SubscribeRequest> from, ReceivedMessage message) {
        try {
            Ack ack = handler.handle(message);
            if (ack != Ack.ACK) {
                handlerFailures.incrementAndGet();
                log.warn("subscribe {}: handler answered {} for {}; live messages are not redelivered", filters,
                        ack, message);
            }
        } catch (Exception e) {
            handlerFailures.incrementAndGet();
            log.warn("subscribe {}: handler failed on {}; live messages are not redelivered", filters, message, e);
        } finally {
            from.request(1);
        }
    }

    /** One attempt of the stream. Confined to gRPC's callback executor (serialized per call). */
    private final class Stream implements ClientResponseObserver<SubscribeRequest, SubscribeResponse> {
        private ClientCallStreamObserver<SubscribeRequest> self;

        @Override
        public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
            self = requestStream;
            requestStream.disableAutoRequestWithInitial(READ_AHEAD);
            call = requestStream;
        }

        @Override
        public void onNext(SubscribeResponse response) {
            switch (response.getEventCase()) {
                case SUBSCRIBED -> {
                    subscriptionId = response.getSubscribed().getSubscriptionId();
                    reconnect.connected();
                    subscribed.complete(Subscription.this);
                    self.request(1);
                }
                case MESSAGE -> {
                    received.incrementAndGet();
                    ReceivedMessage m = ReceivedMessage.from(response.getMessage());
                    dispatch.submit(() -> handle(self, m));
                }
                case EVENT_NOT_SET -> self.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!closed) {
                reconnect.failed(t);
            }
        }

        @Override
        public void onCompleted() {
            if (!closed) {
                log.info("subscribe {}: the broker ended the subscription", filters);
                stop(new RatatoskrClientException("UNSUBSCRIBED", io.grpc.Status.Code.OK,
                        "the broker ended the subscription", null));
            }
        }
    }
}
