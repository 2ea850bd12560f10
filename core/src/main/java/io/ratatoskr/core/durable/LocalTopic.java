package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.session.SessionLoop;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A durable topic on this node: its definition, its partitions (each a {@link LogPartition} in
 * {@code <topics dir>/<name>/<partition>/}), its idempotency window, and how a message is put into
 * a partition.
 *
 * <p>Partitioning: a message with a key goes to partition {@code floorMod(fnv1a32(UTF-8 key),
 * partitions)} — stable across restarts and nodes; adding partitions moves keys, as in Kafka. Messages
 * without a key fill one partition with {@link #STICKY_BYTES} of records, then the next, and so on
 * round the partitions ({@link #keylessPartition}): over time each partition gets an equal share of
 * the bytes, while the keyless messages of one publish batch, or of publishes that arrive together,
 * mostly share one partition, so they cost one log append and, in FSYNC mode, one fsync rather than
 * one in each partition. Kafka's producer places keyless records the same way (its "uniform sticky"
 * partitioner, KIP-794).
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
    /**
     * Where keyless messages go: the partition index in the high 32 bits, the bytes it has taken
     * since it became the current one in the low 32.
     */
    private final AtomicLong sticky = new AtomicLong();
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
    AppendOutcome append(Message message, UUID id, PublishOptions options, long nowMs) {
        return append(message, id, options, nowMs, null);
    }

    /**
     * As {@link #append(Message, UUID, PublishOptions, long)}; with a {@code gatherLoop} the record is
     * gathered with the others that loop's thread stores in its current work ({@link PublishBurst}).
     */
    AppendOutcome append(Message message, UUID id, PublishOptions options, long nowMs, SessionLoop gatherLoop) {
        return appendAll(List.of(message), List.of(options), () -> id, nowMs, gatherLoop).getFirst();
    }

    /**
     * Appends {@code messages} (each already checked with {@link #checkAcceptable}), in order, with
     * one log append per partition (split only where a partition's share exceeds the log's batch
     * limit): a batch costs one write and, in FSYNC mode, one fsync per partition. A message whose
     * idempotency key was seen within the window (earlier, or earlier in this batch) is not stored;
     * its receipt is the original's.
     *
     * @param ids gives each stored message its identifier, in order
     * @return one outcome per message, in order
     */
    List<AppendOutcome> appendAll(List<Message> messages, List<PublishOptions> options, Supplier<UUID> ids, long nowMs) {
        return appendAll(messages, options, ids, nowMs, null);
    }

    private List<AppendOutcome> appendAll(List<Message> messages, List<PublishOptions> options, Supplier<UUID> ids,
                                          long nowMs, SessionLoop gatherLoop) {
        TopicConfig c = definition.config();
        List<LogPartition> parts = partitions;
        List<AppendOutcome> out = new ArrayList<>(messages.size());
        List<List<Pending>> byPartition = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            byPartition.add(null);
        }
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            PublishOptions o = options.get(i);
            if (c.cleanupPolicy().compacts() && o.key() == null) {
                // checkAcceptable passed under the definition before an alter made the topic compacted.
                metrics.refused(ErrorCode.MESSAGE_KEY_REQUIRED);
                out.add(new AppendOutcome(CompletableFuture.failedFuture(ErrorCode.MESSAGE_KEY_REQUIRED.exception(name())),
                        false));
                continue;
            }
            CompletableFuture<PublishReceipt> receipt = new CompletableFuture<>();
            String idempotencyKey = o.idempotencyKey();
            if (idempotencyKey != null && c.dedupeWindowMs() > 0) {
                CompletableFuture<PublishReceipt> earlier = window.claim(idempotencyKey, nowMs, receipt);
                if (earlier != null) {
                    metrics.duplicate();
                    out.add(new AppendOutcome(earlier.thenApply(PublishReceipt::asDuplicate), true));
                    continue;
                }
            } else {
                idempotencyKey = null;
            }
            byte[] key = o.key() == null ? null : o.key().getBytes(StandardCharsets.UTF_8);
            byte[] idem = o.idempotencyKey() == null ? null : o.idempotencyKey().getBytes(StandardCharsets.UTF_8);
            UUID id = ids.get();
            Record record = c.cleanupPolicy().compacts() && message.payload().length == 0
                    ? MessageEnvelope.toTombstone(message, id, key, idem)
                    : MessageEnvelope.toRecord(message, id, key, idem);
            int p = key != null ? Math.floorMod(fnv1a32(key), parts.size())
                    : keylessPartition(estimatedBytes(record), parts.size());
            if (byPartition.get(p) == null) {
                byPartition.set(p, new ArrayList<>());
            }
            byPartition.get(p).add(new Pending(record, id, receipt, idempotencyKey));
            out.add(new AppendOutcome(receipt, false));
        }
        for (int p = 0; p < parts.size(); p++) {
            List<Pending> pending = byPartition.get(p);
            if (pending != null) {
                if (gatherLoop != null) {
                    PublishBurst.add(this, parts.get(p), pending, gatherLoop);
                } else {
                    appendChunks(parts.get(p), pending);
                }
            }
        }
        return out;
    }

    /** A record on its way to a partition, with the receipt its publisher waits for. */
    record Pending(Record record, UUID id, CompletableFuture<PublishReceipt> receipt, String claimedKey) {}

    /** Appends {@code pending} to {@code partition} in as few log batches as its batch limit allows. */
    void appendChunks(LogPartition partition, List<Pending> pending) {
        long limit = partition.log().config().maxBatchBytes() * 3L / 4;
        int from = 0;
        long bytes = 0;
        for (int i = 0; i < pending.size(); i++) {
            long size = estimatedBytes(pending.get(i).record());
            if (i > from && bytes + size > limit) {
                appendChunk(partition, pending.subList(from, i));
                from = i;
                bytes = 0;
            }
            bytes += size;
        }
        appendChunk(partition, pending.subList(from, pending.size()));
    }

    private void appendChunk(LogPartition partition, List<Pending> chunk) {
        List<Record> records = new ArrayList<>(chunk.size());
        for (Pending pd : chunk) {
            records.add(pd.record());
        }
        String topic = name();
        int p = partition.id();
        partition.append(records).whenComplete((r, e) -> {
            if (e != null) {
                RatatoskrException refusal = refusal(e);
                for (Pending pd : chunk) {
                    metrics.refused(refusal.code());
                    if (pd.claimedKey() != null) {
                        window.release(pd.claimedKey(), pd.receipt());
                    }
                    pd.receipt().completeExceptionally(refusal);
                }
                return;
            }
            for (int i = 0; i < chunk.size(); i++) {
                Pending pd = chunk.get(i);
                long ts = pd.record().timestampMs() >= 0 ? pd.record().timestampMs() : r.appendTimeMs();
                metrics.appended();
                pd.receipt().complete(new PublishReceipt(topic, pd.id(), p, r.baseOffset() + i, ts, false));
            }
        });
    }

    /** About the bytes a record takes in a log batch (for splitting a large batch). */
    static long estimatedBytes(Record r) {
        long n = 32 + (r.key() == null ? 0 : r.key().length) + r.valueLength()
                + (r.idempotencyKey() == null ? 0 : r.idempotencyKey().length);
        for (io.ratatoskr.log.Header h : r.headers()) {
            n += 8 + h.key().length() * 3L + (h.value() == null ? 0 : h.value().length);
        }
        return n;
    }

    private static RatatoskrException refusal(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e;
        return t instanceof RatatoskrException r ? r
                : new RatatoskrException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(t), t);
    }

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
                                new PublishReceipt(name(), m.id(), p.id(), rec.offset(), rec.timestampMs(), false)));
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

    /**
     * Keyless messages fill the current partition with this many bytes of records before the next
     * partition becomes current (Kafka's producer switches after {@code batch.size}, 16 KiB by
     * default). A record larger than this fills a partition by itself.
     */
    static final int STICKY_BYTES = 16 * 1024;

    /**
     * The partition of a keyless record of about {@code bytes}: the current one, which then counts
     * them; once it has taken {@link #STICKY_BYTES}, the next one (starting from 0, in order, round
     * the {@code partitions}). Lock-free: concurrent publishers share the current partition.
     */
    int keylessPartition(long bytes, int partitions) {
        long prev;
        long next;
        int p;
        do {
            prev = sticky.get();
            p = (int) (prev >>> 32);
            long filled = prev & 0xFFFF_FFFFL;
            if (p >= partitions) {
                p = 0; // cannot happen (partitions are never removed); kept safe all the same
                filled = 0;
            } else if (filled >= STICKY_BYTES) {
                p = (p + 1) % partitions;
                filled = 0;
            }
            next = ((long) p << 32) | Math.min(filled + bytes, STICKY_BYTES);
        } while (!sticky.compareAndSet(prev, next));
        return p;
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
