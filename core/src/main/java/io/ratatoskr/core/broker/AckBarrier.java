package io.ratatoskr.core.broker;

import io.ratatoskr.core.session.SessionLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a publisher's acknowledgement waits for (PRODUCT.md, Principle 1): the stores that took the
 * message — durable topics, the retained store, session journals — each add the future of their
 * write while {@link Broker#publish(io.ratatoskr.core.message.Message, BackPressure, AckBarrier)}
 * runs; the protocol adapter then acknowledges when {@link #done()} completes, or refuses when it
 * fails.
 *
 * <p>A store may also report what its write produces ({@link #awaitResult}), e.g. a durable topic
 * its {@code PublishReceipt} (where the message was stored), so that a publisher that wants the
 * position (gRPC Publish) can read it with {@link #results} without knowing the stores.
 *
 * <p>Thread-safety: filled on the publishing thread during one publish, then read; not shared
 * between publishes.
 */
public final class AckBarrier {
    private CompletableFuture<?> single;
    private List<CompletableFuture<?>> more;
    private List<Result<?>> results;
    private int size;
    private io.ratatoskr.core.trace.PublishTrace trace;
    private SessionLoop gatherLoop;

    private record Result<T>(Class<T> type, CompletableFuture<T> write) {}

    /** Makes the acknowledgement wait for {@code write}. */
    public void await(CompletableFuture<?> write) {
        size++;
        if (single == null) {
            single = write;
        } else {
            if (more == null) {
                more = new ArrayList<>(2);
            }
            more.add(write);
        }
    }

    /**
     * Makes the acknowledgement wait for {@code write}, and keeps it as a result of type
     * {@code type} for {@link #results}.
     */
    public <T> void awaitResult(Class<T> type, CompletableFuture<T> write) {
        await(write);
        if (results == null) {
            results = new ArrayList<>(2);
        }
        results.add(new Result<>(type, write));
    }

    /** The writes added with {@link #awaitResult} for {@code type}, in the order they were added. */
    public <T> List<CompletableFuture<T>> results(Class<T> type) {
        if (results == null) {
            return List.of();
        }
        List<CompletableFuture<T>> out = new ArrayList<>(results.size());
        for (Result<?> r : results) {
            if (r.type() == type) {
                @SuppressWarnings("unchecked")
                CompletableFuture<T> w = (CompletableFuture<T>) r.write();
                out.add(w);
            }
        }
        return out;
    }

    /** How many writes were added. */
    public int size() {
        return size;
    }

    /**
     * Attaches the trace of the publish this barrier belongs to (null: not traced), so that the
     * broker reports each delivery of the message to it while routing.
     */
    public void trace(io.ratatoskr.core.trace.PublishTrace publishTrace) {
        this.trace = publishTrace;
    }

    /** The trace attached with {@link #trace(io.ratatoskr.core.trace.PublishTrace)}, or null. */
    public io.ratatoskr.core.trace.PublishTrace trace() {
        return trace;
    }

    /**
     * Lets the stores gather this publish's writes with the others made on {@code loop} until it has
     * finished its current work (a read burst), so that they become one append per partition. Only
     * honoured when the publish runs on {@code loop}; the acknowledgement still waits for the write
     * that holds the message, as durable as its store promises.
     */
    public void gatherOn(SessionLoop loop) {
        this.gatherLoop = loop;
    }

    /** The loop set with {@link #gatherOn}, or null: write at once. */
    public SessionLoop gatherLoop() {
        return gatherLoop;
    }

    /** Whether nothing was added: the publisher can be acknowledged at once. */
    public boolean isEmpty() {
        return single == null;
    }

    /**
     * As {@link #done()}, but when a single write was added, that write itself (whatever its value):
     * one future stage less per acknowledgement for a caller that only waits for the outcome.
     */
    public CompletableFuture<?> completion() {
        return single != null && more == null ? single : done();
    }

    /**
     * Completes when every write added has; fails with the first failure (unwrapped from
     * {@link java.util.concurrent.CompletionException} by the caller).
     */
    public CompletableFuture<Void> done() {
        if (single == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (more == null) {
            return single.thenApply(x -> null);
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[more.size() + 1];
        all[0] = single;
        for (int i = 0; i < more.size(); i++) {
            all[i + 1] = more.get(i);
        }
        return CompletableFuture.allOf(all);
    }
}
