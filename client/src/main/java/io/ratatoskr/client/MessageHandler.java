package io.ratatoskr.client;

/**
 * Handles one received message, for {@link RatatoskrClient#subscribe} and {@link RatatoskrClient#consume}.
 *
 * <p>It runs on the client's handler executor, never on a gRPC network thread, so it may block. A
 * subscription calls it for one message at a time, in arrival order; a consumer calls it on up to
 * {@link ConsumeOptions#concurrency()} messages at once. A thrown exception counts as
 * {@link Ack#nack()} for a consumer, and is logged and counted for a subscription.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles {@code message}.
     *
     * @return what to do with it: {@link Ack#ACK}, {@link Ack#nack()}, {@link Ack#reject(String)}, ...
     * @throws Exception when handling failed (the same as {@link Ack#nack()} for a consumer)
     */
    Ack handle(ReceivedMessage message) throws Exception;
}
