package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A durable topic on this node: its definition, its partitions (each a {@link LogPartition} in
 * {@code <topics dir>/<name>/<partition>/}), its idempotency window, and how a message is put into
 * a partition.
 *
 * <p>Partitioning: a message with a key goes to partition {@code floorMod(fnv1a32(UTF-8 key),
 * partitions)} — stable across restarts and nodes; adding partitions moves keys, as in Kafka. A
 * message without a key goes round-robin.
 *
 * <p>Compacted topics ({@code COMPACT}, {@code COMPACT_DELETE}): every message needs a key; a keyed
 * message with an empty payload is stored as a tombstone that deletes the key (see
 * {@link MessageEnvelope#toTombstone}).
 *
 * <p>Thread-safety: thread-safe. The definition and the partition list are immutable values
 * behind volatile fields, replaced by the registry under its admin lock; appends read them without
 * locks. The idempotency window has its own monitor.
 */
final class LocalTopic implements TopicDirectory.DurableTopic {
    private static final int REBUILD_READ_BYTES = 1 << 20;

    private final Path dir;
    private final LogEnvironment env;
    private final DurableMetrics metrics;
    private final IdempotencyWindow window;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile TopicDefinition definition;
    private volatile List<LogPartition> partitions;
    private volatile boolean deleted;

    LocalTopic(Path dir, TopicDefinition definition, List<LogPartition> partitions, LogEnvironment env,
               DurableMetrics metrics, IdempotencyWindow window) {
        this.dir = dir;
        this.definition = definition;
        this.partitions = List.copyOf(partitions);
        this.env = env;
        this.metrics = metrics;
        this.window = window;
    }

    @Override
    public String name() {
        return definition.name();
    }

    @Override
    public TopicConfig config() {
        return definition.config();
    }

    TopicDefinition definition() {
        return definition;
    }

    Path dir() {
        return dir;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Partition> partitions() {
        return (List<Partition>) (List<? extends Partition>) partitions;
    }

    List<LogPartition> logPartitions() {
        return partitions;
    }

    @Override
    public boolean isDeleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
        window.clear();
    }

    IdempotencyWindow window() {
        return window;
    }

    /** The filters this topic captures. */
    List<String> filters() {
        return definition.config().effectiveFilters(name());
    }

    /**
     * Takes a new definition: opens added partitions and reopens the others with the log settings
     * it gives. Called under the registry's admin lock.
     */
    void redefine(TopicDefinition newDefinition, LogConfig logConfig) {
        List<LogPartition> current = partitions;
        for (LogPartition p : current) {
            p.reopen(logConfig);
        }
        List<LogPartition> grown = new ArrayList<>(current);
        for (int i = current.size(); i < newDefinition.config().partitions(); i++) {
            grown.add(LogPartition.open(name(), i, dir.resolve(Integer.toString(i)), logConfig, env));
        }
        window.windowMs(newDefinition.config().dedupeWindowMs());
        definition = newDefinition;
        partitions = List.copyOf(grown);
    }

    /**
     * Checks what can be refused before anything is stored.
     *
     * @throws RatatoskrException MESSAGE_TOO_LARGE, MESSAGE_KEY_REQUIRED or IDEMPOTENCY_KEY_TOO_LONG
     */
    void checkAcceptable(Message message, PublishOptions options) {
        TopicConfig c = definition.config();
        if (message.payload().length > c.maxMessageBytes()) {
            metrics.refused(ErrorCode.MESSAGE_TOO_LARGE);
            throw ErrorCode.MESSAGE_TOO_LARGE.exception(message.payload().length, c.maxMessageBytes(), name());
        }
        String idempotencyKey = options.idempotencyKey();
        if (idempotencyKey != null && idempotencyKey.length() > PublishOptions.MAX_IDEMPOTENCY_KEY_BYTES / 3) {
            int bytes = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > PublishOptions.MAX_IDEMPOTENCY_KEY_BYTES) {
                metrics.refused(ErrorCode.IDEMPOTENCY_KEY_TOO_LONG);
                throw ErrorCode.IDEMPOTENCY_KEY_TOO_LONG.exception(bytes, PublishOptions.MAX_IDEMPOTENCY_KEY_BYTES);
            }
        }
        if (c.cleanupPolicy().compacts() && options.key() == null) {
            metrics.refused(ErrorCode.MESSAGE_KEY_REQUIRED);
            throw ErrorCode.MESSAGE_KEY_REQUIRED.exception(name());
        }
    }

    /**
     * Appends {@code message} (already checked) unless its idempotency key was seen within the
     * window; the receipt completes once it is durable.
     *
     * @return the receipt, and whether this publish was a repeat
     */
    Appended append(Message message, UUID id, PublishOptions options, long nowMs) {
        TopicConfig c = definition.config();
        if (c.cleanupPolicy().compacts() && options.key() == null) {
            // checkAcceptable passed under the definition before an alter made the topic compacted.
            metrics.refused(ErrorCode.MESSAGE_KEY_REQUIRED);
            return new Appended(CompletableFuture.failedFuture(ErrorCode.MESSAGE_KEY_REQUIRED.exception(name())),
                    false);
        }
        CompletableFuture<PublishReceipt> pending = null;
        String idempotencyKey = options.idempotencyKey();
        if (idempotencyKey != null && c.dedupeWindowMs() > 0) {
            pending = new CompletableFuture<>();
            CompletableFuture<PublishReceipt> earlier = window.claim(idempotencyKey, nowMs, pending);
            if (earlier != null) {
                metrics.duplicate();
                return new Appended(earlier.thenApply(PublishReceipt::asDuplicate), true);
            }
        }
        List<LogPartition> parts = partitions;
        byte[] key = options.key() == null ? null : options.key().getBytes(StandardCharsets.UTF_8);
        int p = key != null ? Math.floorMod(fnv1a32(key), parts.size())
                : Math.floorMod(roundRobin.getAndIncrement(), parts.size());
        byte[] idem = idempotencyKey == null ? null : idempotencyKey.getBytes(StandardCharsets.UTF_8);
        Record record = c.cleanupPolicy().compacts() && message.payload().length == 0
                ? MessageEnvelope.toTombstone(message, id, key, idem)
                : MessageEnvelope.toRecord(message, id, key, idem);
        String topic = name();
        CompletableFuture<PublishReceipt> receipt = parts.get(p).append(List.of(record)).handle((r, e) -> {
            if (e != null) {
                RatatoskrException refusal = refusal(e);
                metrics.refused(refusal.code());
                throw refusal;
            }
            metrics.appended();
            return new PublishReceipt(topic, id, p, r.baseOffset(), false);
        });
        if (pending != null) {
            CompletableFuture<PublishReceipt> claimed = pending;
            receipt.whenComplete((r, e) -> {
                if (e != null) {
                    window.release(idempotencyKey, claimed);
                    claimed.completeExceptionally(e instanceof java.util.concurrent.CompletionException
                            && e.getCause() != null ? e.getCause() : e);
                } else {
                    claimed.complete(r);
                }
            });
        }
        return new Appended(receipt, false);
    }

    private static RatatoskrException refusal(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e;
        return t instanceof RatatoskrException r ? r
                : new RatatoskrException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(t), t);
    }

    /** The outcome of {@link #append}. */
    record Appended(CompletableFuture<PublishReceipt> receipt, boolean duplicate) {}

    /**
     * Rebuilds the idempotency window from the records of the last window (they carry their keys),
     * oldest first — those past the topic's message TTL included: a repeat is a repeat whether or
     * not consumers may still see the first.
     */
    void rebuildWindow(long nowMs) {
        long windowMs = definition.config().dedupeWindowMs();
        if (windowMs <= 0) {
            return;
        }
        record Seen(String key, long timestampMs, PublishReceipt receipt) {}
        List<Seen> seen = new ArrayList<>();
        for (LogPartition p : partitions) {
            long next = p.offsetForTimestamp(nowMs - windowMs);
            long end = p.endOffset();
            while (next < end) {
                ReadResult r = p.readIncludingExpired(next, 10_000, REBUILD_READ_BYTES);
                for (StoredRecord rec : r.records()) {
                    if (rec.idempotencyKey() != null) {
                        DurableMessage m = MessageEnvelope.fromRecord(name(), p.id(), rec);
                        seen.add(new Seen(new String(rec.idempotencyKey(), StandardCharsets.UTF_8), rec.timestampMs(),
                                new PublishReceipt(name(), m.id(), p.id(), rec.offset(), false)));
                    }
                }
                if (r.nextOffset() <= next) {
                    break;
                }
                next = r.nextOffset();
            }
        }
        seen.sort(Comparator.comparingLong(Seen::timestampMs));
        for (Seen s : seen) {
            window.restore(s.key, s.timestampMs, s.receipt, nowMs);
        }
    }

    /** FNV-1a, 32 bits: a fixed, documented hash, so a key's partition never depends on the JVM. */
    static int fnv1a32(byte[] bytes) {
        int h = 0x811C9DC5;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return h;
    }

    /** The partition {@code id}; refuses a number outside the topic. */
    LogPartition partition(int id) {
        List<LogPartition> parts = partitions;
        if (id < 0 || id >= parts.size()) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    "durable topic '" + name() + "' has partitions 0.." + (parts.size() - 1) + ", not " + id);
        }
        return parts.get(id);
    }

    @Override
    public String toString() {
        return "LocalTopic[" + name() + ", " + partitions.size() + " partitions]";
    }
}
