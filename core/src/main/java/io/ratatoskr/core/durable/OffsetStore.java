package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The committed offsets of cursor consumers, kept in one compacted log ({@code .offsets} in the
 * topics directory) and mirrored in memory.
 *
 * <p>Record format, version 1. Key: UTF-8 {@code <topic> U+0000 <consumer> U+0000 <partition in
 * decimal>} (neither name may contain U+0000). Value (null: the offset was forgotten, a tombstone):
 *
 * <pre>
 * offset  size  field
 * 0       1     version (1)
 * 1       8     committed offset, big-endian
 * 9       8     commit time, milliseconds since the epoch, big-endian
 * </pre>
 *
 * <p>Compaction keeps the latest commit per key; the log's CRC32C guards each batch and its
 * recovery cuts a torn tail, so at open the whole log is read back in order and the last value of
 * each key wins. A value of another version stops the open with an error rather than be misread.
 *
 * <p>Thread-safety: thread-safe. The map is updated when an append completes, and a value replaces
 * another only if it lies later in the log, so the map agrees with the log whatever the order in
 * which completions run.
 */
final class OffsetStore implements AutoCloseable {
    static final String DIR = ".offsets";
    private static final int VERSION = 1;
    private static final int VALUE_BYTES = 17;

    private record Key(String topic, String consumer, int partition) {}

    /** A committed value and where it lies in the log; {@code offset < 0} marks a forgotten key. */
    private record Entry(long logOffset, long offset, long committedAtMs) {}

    private final Log log;
    private final Map<Key, Entry> offsets = new ConcurrentHashMap<>();

    private OffsetStore(Log log) {
        this.log = log;
    }

    static OffsetStore open(Path topicsDir, LogConfig base, LogEnvironment env) {
        LogConfig config = base.toBuilder().cleanupPolicy(CleanupPolicy.COMPACT).messageTtlMs(-1).build();
        OffsetStore store = new OffsetStore(Log.open(topicsDir.resolve(DIR), config, env));
        try {
            store.load();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void load() {
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            ReadResult r = log.read(next, 1 << 20, 10_000);
            for (StoredRecord rec : r.records()) {
                apply(decodeKey(rec.key()), rec.offset(), rec.value());
            }
            if (r.nextOffset() <= next) {
                break;
            }
            next = r.nextOffset();
        }
    }

    private void apply(Key key, long logOffset, byte[] value) {
        Entry e;
        if (value == null) {
            e = new Entry(logOffset, -1, 0);
        } else {
            ByteBuffer b = ByteBuffer.wrap(value);
            int version = b.get() & 0xFF;
            if (version != VERSION || value.length != VALUE_BYTES) {
                throw new IllegalStateException("committed offset record at " + logOffset + " has version " + version
                        + " and " + value.length + " bytes; this broker reads version " + VERSION);
            }
            e = new Entry(logOffset, b.getLong(), b.getLong());
        }
        offsets.merge(key, e, (old, neu) -> neu.logOffset > old.logOffset ? neu : old);
    }

    /** Commits {@code offset}; completes once it is durable. */
    CompletableFuture<Void> commit(String topic, String consumer, int partition, long offset, long nowMs) {
        Key key = new Key(topic, consumer, partition);
        byte[] value = ByteBuffer.allocate(VALUE_BYTES).put((byte) VERSION).putLong(offset).putLong(nowMs).array();
        return write(key, value, nowMs);
    }

    /** The committed offset, if any. */
    OptionalLong committed(String topic, String consumer, int partition) {
        Entry e = offsets.get(new Key(topic, consumer, partition));
        return e == null || e.offset < 0 ? OptionalLong.empty() : OptionalLong.of(e.offset);
    }

    /** Every committed offset of {@code topic}, by consumer then partition. */
    List<CommittedOffset> committedOffsets(String topic) {
        List<CommittedOffset> out = new ArrayList<>();
        offsets.forEach((k, e) -> {
            if (k.topic.equals(topic) && e.offset >= 0) {
                out.add(new CommittedOffset(k.topic, k.consumer, k.partition, e.offset, e.committedAtMs));
            }
        });
        out.sort(Comparator.comparing(CommittedOffset::consumer).thenComparingInt(CommittedOffset::partition));
        return out;
    }

    /** Forgets every offset committed in {@code topic} (it was deleted). */
    CompletableFuture<Void> forget(String topic, long nowMs) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (Map.Entry<Key, Entry> e : offsets.entrySet()) {
            if (e.getKey().topic.equals(topic) && e.getValue().offset >= 0) {
                writes.add(write(e.getKey(), null, nowMs));
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> write(Key key, byte[] value, long nowMs) {
        Record record = new Record(encodeKey(key), value, List.of(), nowMs, null);
        return log.append(List.of(record)).handle((r, e) -> {
            if (e != null) {
                throw new RatatoskrException(ErrorCode.UNAVAILABLE, "committing the offset of consumer '"
                        + key.consumer + "' in " + key.topic + "/" + key.partition + " failed: " + e.getMessage(), e);
            }
            apply(key, r.baseOffset(), value);
            return null;
        });
    }

    private static byte[] encodeKey(Key k) {
        return (k.topic + '\u0000' + k.consumer + '\u0000' + k.partition).getBytes(StandardCharsets.UTF_8);
    }

    private static Key decodeKey(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int a = s.indexOf('\u0000');
        int b = s.indexOf('\u0000', a + 1);
        if (a < 0 || b < 0) {
            throw new IllegalStateException("malformed committed offset key '" + s.replace('\u0000', '|') + "'");
        }
        return new Key(s.substring(0, a), s.substring(a + 1, b), Integer.parseInt(s.substring(b + 1)));
    }

    @Override
    public void close() {
        log.close();
    }
}
