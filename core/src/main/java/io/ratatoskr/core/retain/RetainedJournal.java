package io.ratatoskr.core.retain;

import io.ratatoskr.core.message.Message;

import java.util.concurrent.CompletableFuture;

/**
 * Where the {@link RetainedStore} writes its changes so that retained messages survive a restart.
 * Called under the store's write lock, in the order of the changes; never blocks.
 *
 * <p>Implementations are thread-safe.
 */
public interface RetainedJournal {

    /** The retained message of {@code message.topic()} is now {@code message}. @return the write */
    CompletableFuture<?> stored(Message message);

    /** The topic has no retained message any more. @return the write */
    CompletableFuture<?> cleared(String topic);
}
