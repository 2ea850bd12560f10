package io.ratatoskr.core.broker;

import io.ratatoskr.core.message.Message;

/**
 * A store that keeps published messages beyond live routing — the durable topics that capture a
 * topic, the persistent retained store — registered with {@link Broker#addStore}. Called on the
 * publishing thread for every published message before it is routed.
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
     * @throws io.ratatoskr.core.error.RatatoskrException to refuse the message before it is routed
     *         anywhere (too large, partition overloaded); the publisher gets the code's reason code
     */
    void store(Message message, AckBarrier barrier);
}
