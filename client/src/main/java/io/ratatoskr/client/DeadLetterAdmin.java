package io.ratatoskr.client;

import io.ratatoskr.api.v1.InspectDeadLettersRequest;
import io.ratatoskr.api.v1.ListDeadLettersRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrStub;
import io.ratatoskr.api.v1.ReplayDeadLettersRequest;
import java.util.List;

/**
 * Dead-letter administration, from {@link RatatoskrClient#deadLetters()}: what failed, why, and
 * replaying it to its source topic. Every method blocks until the broker answers or the client's default
 * deadline passes, and throws {@link RatatoskrClientException} on failure. Do not call it from a gRPC
 * callback thread.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class DeadLetterAdmin {
    private final RatatoskrClient client;

    DeadLetterAdmin(RatatoskrClient client) {
        this.client = client;
    }

    /**
     * A dead-letter topic.
     *
     * @param name     its name, e.g. {@code orders.dlq}
     * @param depth    messages not yet replayed
     * @param messages messages kept
     */
    public record DeadLetterTopic(String name, long depth, long messages) {
    }

    /** Every dead-letter topic with its depth. */
    public List<DeadLetterTopic> list() {
        return client.callAndWait(RatatoskrStub::listDeadLetters, ListDeadLettersRequest.getDefaultInstance())
                .getTopicsList().stream().map(t -> new DeadLetterTopic(t.getName(), t.getDepth(), t.getMessages()))
                .toList();
    }

    /** Up to {@code max} (1..1000) dead letters of {@code partition} of {@code dlqTopic} from {@code fromOffset}. */
    public List<DeadLetter> inspect(String dlqTopic, int partition, long fromOffset, int max) {
        return client.callAndWait(RatatoskrStub::inspectDeadLetters, InspectDeadLettersRequest.newBuilder()
                .setTopic(dlqTopic).setPartition(partition).setFromOffset(fromOffset).setMaxMessages(max).build())
                .getLettersList().stream().map(DeadLetter::from).toList();
    }

    /**
     * Publishes up to {@code max} (1..100000) dead letters not yet replayed back to their source topics,
     * oldest first, and records the progress; returns how many were replayed.
     */
    public int replay(String dlqTopic, int max) {
        return client.callAndWait(RatatoskrStub::replayDeadLetters,
                ReplayDeadLettersRequest.newBuilder().setTopic(dlqTopic).setMaxMessages(max).build()).getReplayed();
    }
}
