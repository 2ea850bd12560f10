package io.ratatoskr.client;

/**
 * Told when a subscription or consumer stops for good because the broker refused it (e.g. the topic
 * does not exist, an invalid filter): failures the client does not retry. Connection losses are
 * retried with backoff and not reported here.
 *
 * <p>Called on a client thread; it must not block for long. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ErrorListener {
    /**
     * The stream described by {@code source} (e.g. {@code "consume orders/billing"}) ended with {@code error}.
     */
    void onError(String source, RatatoskrClientException error);
}
