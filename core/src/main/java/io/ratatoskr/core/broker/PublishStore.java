package io.ratatoskr.core.broker;

import io.ratatoskr.core.message.Message;

/**
 * A store that keeps published messages beyond live routing — the durable topics that capture a
 * topic, the persistent retained store — registered with {@link Broker#addStore}. Called on the
 * publishing thread for every published message before it is routed, in the order the stores
 * were added (register stores that may refuse a message first, so that a refusal leaves the
 * others untouched).
 *
 * <p>Implementations are thread-safe and do not block: they start their write and add its future
 * to the barrier (when there is one — the broker's own messages, such as wills, have none).
 */
public interface PublishStore {

    /**
     * Starts storing {@code message}.
     *
     * @param barrier where to add the write the publisher's acknowledgement must wait for; null
     *                when nobody waits
     * @return whether the broker should still retain and route the message: false when the store
     *         recognised it as a repeat of one already taken (an idempotent publish's retry), which
     *         subscribers must not get twice; the barrier then waits for the first one's write
     * @throws io.ratatoskr.core.error.RatatoskrException to refuse the message before it is routed
     *         anywhere (too large, no key for a compacted topic); the publisher gets the code's
     *         reason code
     */
    boolean store(Message message, AckBarrier barrier);
}
