package io.ratatoskr.grpc.testing;

import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.PublishReceipt;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes through the core's durable-topic API (not over gRPC), for tests of the consuming side.
 *
 * <p>Thread-safety: stateless.
 */
public final class CorePublisher {
    private CorePublisher() {
    }

    /** Publishes {@code n} messages {@code "m<i>"} to {@code topic} (round robin), in order; their receipts. */
    public static List<PublishReceipt> publish(DurableTopics topics, String topic, int n) {
        return publish(topics, topic, n, 0);
    }

    /**
     * Publishes {@code n} messages {@code "m<i>"}; with {@code keys} above 0 message i has key
     * {@code "k<i % keys>"}. Waits until all are durable.
     */
    public static List<PublishReceipt> publish(DurableTopics topics, String topic, int n, int keys) {
        List<CompletableFuture<PublishReceipt>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Message m = new Message(topic, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false,
                    MessageProperties.EMPTY, null, System.currentTimeMillis());
            futures.add(topics.publish(topic, m, new PublishOptions(keys > 0 ? "k" + (i % keys) : null, null)));
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    /** The ids of {@code receipts}, as the API shows them. */
    public static List<String> ids(List<PublishReceipt> receipts) {
        return receipts.stream().map(r -> r.messageId().toString()).toList();
    }
}
