package io.ratatoskr.client;

import io.ratatoskr.api.v1.CommitOffsetRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.GetOffsetRequest;
import io.ratatoskr.api.v1.GetOffsetResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrStub;
import io.ratatoskr.api.v1.SeekRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;

/**
 * A cursor consumer of one durable topic, from {@link RatatoskrClient#cursor(String, String)}: it reads
 * partitions from offsets it chooses and keeps its own position in the broker ({@link #commit}). Unlike a
 * consumer group nothing is delivered or redelivered: the application decides what to read next.
 *
 * <pre>{@code
 * Cursor cursor = client.cursor("orders", "auditor");
 * long next = cursor.committedOffset(0).orElse(0);
 * FetchResult r = cursor.fetch(0, next, 100, Duration.ofSeconds(5));
 * r.messages().forEach(this::audit);
 * cursor.commit(0, r.nextOffset());
 * }</pre>
 *
 * <p>Every method blocks until the broker answers or the deadline passes and throws
 * {@link RatatoskrClientException} on failure (e.g. {@code TOPIC_NOT_FOUND}, {@code OFFSET_OUT_OF_RANGE}).
 * Do not call it from a gRPC callback thread.
 *
 * <p>Thread-safety: immutable; thread-safe.
 */
public final class Cursor {
    private final RatatoskrClient client;
    private final String topic;
    private final String consumer;

    Cursor(RatatoskrClient client, String topic, String consumer) {
        this.client = client;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
    }

    /** The durable topic. */
    public String topic() {
        return topic;
    }

    /** The cursor consumer's name. */
    public String consumer() {
        return consumer;
    }

    /**
     * Reads up to {@code maxMessages} (1..10000) messages of {@code partition} from {@code offset} (before
     * the partition's start: from the start; past its end: {@code OFFSET_OUT_OF_RANGE}). When there is no
     * message at {@code offset} yet it waits up to {@code maxWait} (0..5 min) for one; the call's deadline
     * is the client's default deadline on top of that wait.
     */
    public FetchResult fetch(int partition, long offset, int maxMessages, Duration maxWait) {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
        FetchRequest request = FetchRequest.newBuilder().setTopic(topic).setPartition(partition).setOffset(offset)
                .setMaxMessages(maxMessages).setMaxWaitMs(maxWait.toMillis()).build();
        return FetchResult.from(RatatoskrClient.await(client.call(RatatoskrStub::fetch, request,
                client.defaultDeadline().plus(maxWait))));
    }

    /** Durably stores {@code offset} as the next offset this consumer will read in {@code partition}. */
    public void commit(int partition, long offset) {
        client.callAndWait(RatatoskrStub::commitOffset, CommitOffsetRequest.newBuilder().setTopic(topic)
                .setConsumer(consumer).setPartition(partition).setOffset(offset).build());
    }

    /** The offset last committed for {@code partition}; empty if this consumer never committed one. */
    public OptionalLong committedOffset(int partition) {
        GetOffsetResponse r = client.callAndWait(RatatoskrStub::getOffset, GetOffsetRequest.newBuilder()
                .setTopic(topic).setConsumer(consumer).setPartition(partition).build());
        return r.getFound() ? OptionalLong.of(r.getOffset()) : OptionalLong.empty();
    }

    /**
     * Commits {@code position} (resolved by the broker: earliest, latest, an offset or a time) for every
     * partition; returns the offset each partition now starts from, by partition.
     */
    public SortedMap<Integer, Long> seek(StartPosition position) {
        return RatatoskrClient.offsets(client.callAndWait(RatatoskrStub::seek, SeekRequest.newBuilder()
                .setTopic(topic).setConsumer(consumer).setPosition(RatatoskrClient.position(position)).build()));
    }

    @Override
    public String toString() {
        return "Cursor[" + topic + "/" + consumer + "]";
    }
}
