package io.ratatoskr.core.broker;

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
 * <p>Thread-safety: filled on the publishing thread during one publish, then read; not shared
 * between publishes.
 */
public final class AckBarrier {
    private CompletableFuture<?> single;
    private List<CompletableFuture<?>> more;

    /** Makes the acknowledgement wait for {@code write}. */
    public void await(CompletableFuture<?> write) {
        if (single == null) {
            single = write;
        } else {
            if (more == null) {
                more = new ArrayList<>(2);
            }
            more.add(write);
        }
    }

    /** Whether nothing was added: the publisher can be acknowledged at once. */
    public boolean isEmpty() {
        return single == null;
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
