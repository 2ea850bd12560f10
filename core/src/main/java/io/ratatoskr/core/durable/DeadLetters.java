package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Dead-letter topics as operators see them: which there are and how deep, what is in them, and
 * replaying their messages to where they came from.
 *
 * <p>A dead-letter topic is a durable topic whose name ends with {@value DeadLetterHeaders#TOPIC_SUFFIX}
 * (the default {@code <topic>.dlq}); its messages carry the {@link DeadLetterHeaders}. Replay
 * re-appends each message to its {@code dlq-source-topic} (same MQTT topic, payload, key and
 * properties, minus the {@code dlq-*} ones, stamped now) — every consumer group of that topic sees
 * it again — and records its progress as the committed offset of the reserved cursor
 * {@value #REPLAY_CURSOR}, so a message is replayed once. A crash between a batch's appends and
 * the commit replays that batch again (at least once). The depth of a dead-letter topic counts the
 * messages not yet replayed.
 *
 * <p>Thread-safety: thread-safe; replays are serialized by the object's monitor and block on
 * appends: call them from an admin thread, never from an event loop.
 */
public final class DeadLetters {
    /** The cursor whose committed offsets remember how far replay got in each partition. */
    public static final String REPLAY_CURSOR = "$dlq-replay";
    private static final int REPLAY_BATCH = 500;
    private static final int READ_BYTES = 4 * 1024 * 1024;

    /**
     * A dead-letter topic.
     *
     * @param name     its name
     * @param depth    messages not yet replayed
     * @param messages messages kept
     */
    public record DeadLetterTopic(String name, long depth, long messages) {}

    /**
     * A dead letter with its headers parsed; numbers that are missing or malformed are -1, names
     * null.
     *
     * @param message         the stored message (its position in the dead-letter topic)
     * @param reason          why it was dead-lettered
     * @param attempts        deliveries made
     * @param sourceTopic     the durable topic it came from
     * @param sourcePartition the partition it came from
     * @param sourceOffset    its offset there
     * @param firstFailureMs  when its first delivery failed
     * @param group           the consumer group that gave up on it
     * @param replayed        whether replay has already sent it back
     */
    public record DeadLetter(DurableMessage message, String reason, int attempts, String sourceTopic,
                             int sourcePartition, long sourceOffset, long firstFailureMs, String group,
                             boolean replayed) {}

    private final DurableTopics topics;

    DeadLetters(DurableTopics topics) {
        this.topics = topics;
    }

    /** Whether {@code name} names a dead-letter topic. */
    public static boolean isDeadLetterTopic(String name) {
        return name.endsWith(DeadLetterHeaders.TOPIC_SUFFIX);
    }

    /** Every dead-letter topic with its depth, by name. */
    public List<DeadLetterTopic> list() {
        List<DeadLetterTopic> out = new ArrayList<>();
        for (TopicInfo t : topics.list()) {
            if (isDeadLetterTopic(t.name())) {
                out.add(new DeadLetterTopic(t.name(), depth(t.name()), t.messages()));
            }
        }
        return out;
    }

    /** Messages of {@code dlqTopic} not yet replayed. @throws RatatoskrException TOPIC_NOT_FOUND */
    public long depth(String dlqTopic) {
        long depth = 0;
        for (LogPartition p : topics.require(dlqTopic).logPartitions()) {
            depth += p.endOffset() - replayFrom(dlqTopic, p);
        }
        return depth;
    }

    /**
     * Reads up to {@code maxMessages} dead letters of one partition from {@code fromOffset}.
     *
     * @throws RatatoskrException TOPIC_NOT_FOUND, INVALID_ARGUMENT, OFFSET_OUT_OF_RANGE
     */
    public List<DeadLetter> inspect(String dlqTopic, int partition, long fromOffset, int maxMessages) {
        ReadBatch batch = topics.read(dlqTopic, partition, fromOffset, maxMessages, READ_BYTES);
        long replayedUpTo = topics.committedOffset(dlqTopic, REPLAY_CURSOR, partition).orElse(-1);
        List<DeadLetter> out = new ArrayList<>(batch.messages().size());
        for (DurableMessage m : batch.messages()) {
            out.add(parse(m, m.offset() < replayedUpTo));
        }
        return out;
    }

    /** The dead letter {@code m} with its headers parsed. */
    public static DeadLetter parse(DurableMessage m, boolean replayed) {
        List<Header> props = m.message().properties().userProperties();
        return new DeadLetter(m, value(props, DeadLetterHeaders.REASON),
                (int) number(props, DeadLetterHeaders.ATTEMPTS), value(props, DeadLetterHeaders.SOURCE_TOPIC),
                (int) number(props, DeadLetterHeaders.SOURCE_PARTITION),
                number(props, DeadLetterHeaders.SOURCE_OFFSET), number(props, DeadLetterHeaders.FIRST_FAILURE),
                value(props, DeadLetterHeaders.GROUP), replayed);
    }

    /**
     * Replays up to {@code maxMessages} messages of {@code dlqTopic} not replayed before to their
     * source topics; blocks until they are durable there and the progress is committed. Messages
     * without a source topic are skipped (and count as done).
     *
     * @return how many messages were replayed
     * @throws RatatoskrException TOPIC_NOT_FOUND (the dead-letter topic, or a source topic: replay
     *         stops before that message), or an append's refusal; what was replayed before stays
     *         committed
     */
    public synchronized int replay(String dlqTopic, int maxMessages) {
        if (maxMessages < 1) {
            throw ErrorCode.INVALID_ARGUMENT.exception("maxMessages must be positive, was " + maxMessages);
        }
        int replayed = 0;
        for (LogPartition p : topics.require(dlqTopic).logPartitions()) {
            long from = replayFrom(dlqTopic, p);
            long end = p.endOffset();
            while (from < end && replayed < maxMessages) {
                ReadBatch batch = topics.read(dlqTopic, p.id(), from,
                        Math.min(REPLAY_BATCH, maxMessages - replayed), READ_BYTES);
                replayed += replayBatch(dlqTopic, p.id(), batch);
                if (batch.nextOffset() <= from) {
                    break;
                }
                from = batch.nextOffset();
            }
        }
        return replayed;
    }

    private int replayBatch(String dlqTopic, int partition, ReadBatch batch) {
        record Sent(long offset, CompletableFuture<PublishReceipt> write) {}
        List<Sent> sent = new ArrayList<>();
        for (DurableMessage m : batch.messages()) {
            String source = value(m.message().properties().userProperties(), DeadLetterHeaders.SOURCE_TOPIC);
            if (source == null) {
                continue;
            }
            String key = m.key() == null ? null : new String(m.key(), StandardCharsets.UTF_8);
            CompletableFuture<PublishReceipt> w = topics.publish(source,
                    withoutDeadLetterHeaders(m.message(), topics.nowMs()), new PublishOptions(key, null));
            sent.add(new Sent(m.offset(), w));
            if (w.isCompletedExceptionally()) {
                break; // refused at once (e.g. the source topic is gone): send nothing after it
            }
        }
        int done = 0;
        long committed = batch.nextOffset();
        RatatoskrException refusal = null;
        for (Sent s : sent) {
            try {
                s.write.join();
                done++;
            } catch (CompletionException e) {
                Throwable t = e.getCause();
                refusal = t instanceof RatatoskrException r ? r
                        : new RatatoskrException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(t), t);
                committed = s.offset;
                break;
            }
        }
        topics.commitOffset(dlqTopic, REPLAY_CURSOR, partition, committed).join();
        if (refusal != null) {
            throw new RatatoskrException(refusal.code(), "replay of " + dlqTopic + "/" + partition + " stopped at offset "
                    + committed + " after " + done + " messages: " + refusal.getMessage(), refusal);
        }
        return done;
    }

    private long replayFrom(String dlqTopic, LogPartition p) {
        OptionalLong committed = topics.committedOffset(dlqTopic, REPLAY_CURSOR, p.id());
        return Math.min(p.endOffset(), Math.max(p.startOffset(), committed.orElse(0)));
    }

    /** {@code m} as it was before it was dead-lettered, received now. */
    static Message withoutDeadLetterHeaders(Message m, long nowMs) {
        MessageProperties p = m.properties();
        List<Header> kept = new ArrayList<>(p.userProperties().size());
        for (Header h : p.userProperties()) {
            if (!DeadLetterHeaders.ALL.contains(h.name())) {
                kept.add(h);
            }
        }
        MessageProperties props = new MessageProperties(p.payloadFormat(), p.expiryIntervalSeconds(), p.contentType(),
                p.responseTopic(), p.correlationData(), kept);
        return new Message(m.topic(), m.payload(), m.qos(), m.retain(), props, m.publisherId(), nowMs);
    }

    private static String value(List<Header> props, String name) {
        for (Header h : props) {
            if (h.name().equals(name)) {
                return h.value();
            }
        }
        return null;
    }

    private static long number(List<Header> props, String name) {
        String v = value(props, name);
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
