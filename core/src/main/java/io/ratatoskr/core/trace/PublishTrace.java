package io.ratatoskr.core.trace;

import io.ratatoskr.core.broker.AckBarrier;
import io.ratatoskr.core.durable.PublishReceipt;
import io.ratatoskr.core.message.Message;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One traced publish, from its arrival to the publisher's acknowledgement. The front end that
 * started it (through {@link Tracing#publish}) attaches it to the publish's {@link AckBarrier}
 * ({@link AckBarrier#trace(PublishTrace)}) so that the broker can report each delivery, then ends
 * it exactly once: {@link #acknowledgedWhen} or {@link #refused}.
 *
 * <p>Thread-safety: implementations are thread-safe; {@link #delivered} runs on the publishing
 * thread while the broker routes, the end on whichever thread completes the writes.
 */
public interface PublishTrace {

    /**
     * The message to hand to the broker: {@code message} itself, or a copy that carries this
     * trace's context as a {@code traceparent} user property when the tracer is configured to add
     * one and the publisher sent none (so that subscribers can continue the trace).
     */
    Message propagate(Message message);

    /**
     * The broker handed the message to the session of {@code clientId} (a subscriber, or a member
     * of the shared subscription {@code shareGroup}, null if none) at {@code qos}.
     */
    void delivered(String clientId, int qos, String shareGroup);

    /**
     * Ends the trace when {@code acked} completes: the publisher's acknowledgement waited for
     * {@code writes} store writes (durable topics, retained store, session journals); when there
     * were any, a store span covers them. A failure marks the spans as errors.
     *
     * @param receipts where durable topics stored the message (for attributes); may be empty
     */
    void acknowledgedWhen(CompletableFuture<?> acked, int writes, List<CompletableFuture<PublishReceipt>> receipts);

    /** Ends the trace of a publish the broker refused before routing it. */
    void refused(Throwable error);

    /** Ends the trace of a publish whose barrier is {@code barrier} once its writes complete. */
    default void acknowledgedWhen(AckBarrier barrier) {
        acknowledgedWhen(barrier.done(), barrier.size(), barrier.results(PublishReceipt.class));
    }
}
