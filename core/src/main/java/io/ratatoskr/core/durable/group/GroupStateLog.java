package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The persistent state of one consumer group: a compacted {@link Log} (key-latest, tombstones) in
 * {@code <groups dir>/<topic>/<group>/}, written with GROUP durability (fsync'd, shared between
 * concurrent writers). Version 1.
 *
 * <h2>Records</h2>
 * Keys are UTF-8 text; every value starts with a version byte (1). Integers are big-endian.
 *
 * <p><b>Config</b>, key {@code c}: the group's delivery policy.
 * <pre>
 * offset size  field
 * 0      1     version (1)
 * 1      8     ack timeout ms
 * 9      4     max attempts
 * 13     8     backoff initial ms
 * 21     8     backoff multiplier (IEEE 754 double)
 * 29     8     backoff max ms
 * 37     4     prefetch
 * 41     2     dead-letter topic length in bytes, 0: the default {@code <topic>.dlq}
 * 43     n     dead-letter topic, UTF-8
 * </pre>
 *
 * <p><b>Partition</b>, key {@code p/<partition>}: written when either offset moves.
 * <pre>
 * 0      1     version (1)
 * 1      8     committed offset: every message below is done
 * 9      8     delivered end: every message below was delivered at least once or is done
 * </pre>
 *
 * <p><b>Message</b>, key {@code m/<partition>/<offset>}: one per message above the committed offset
 * that was delivered and is not done; a tombstone once it is done (acknowledged or dead-lettered).
 * <pre>
 * 0      1     version (1)
 * 1      4     attempts: deliveries started (one in flight at a crash included)
 * 5      8     first failure, epoch ms; -1: none yet
 * 13     8     retry at, epoch ms; -1: due at once (or in flight)
 * 21     1     last failure: 0 none, 1 nack, 2 ack timeout, 3 member left, 4 broker restart
 * 22     2     dead-letter reason length in bytes; 0: not being dead-lettered
 * 24     n     dead-letter reason, UTF-8: the message is on its way to the dead-letter topic
 * </pre>
 *
 * <h2>What a restart sees</h2>
 * In {@code [committed, delivered end)} an offset with a message record is pending with that
 * state, one without is done (acknowledged before the crash). Message records and tombstones are
 * always written before the partition record that covers them (same append, or an earlier one), so
 * a torn tail — the log cuts it by batch CRC — can lose recent acknowledgements (those messages
 * are delivered again) but never makes an undelivered message look done. Losing the writes of the
 * last append interval ({@link ConsumerGroup#STATE_APPEND_INTERVAL_MS}) and the append under way has the
 * same effect: redelivery, never loss. A record with
 * another version makes the group refuse to load, so a newer format is never misread.
 *
 * <h2>First deliveries are held back</h2>
 * The record of a message's first delivery (attempts 1, no failure) is held for {@link #HOLD_MS}
 * before it is buffered for writing ({@link #holdFirstDelivery}), and the delivered end a partition
 * record carries stops at the first offset still held ({@link #deliveredEndToPersist}): most first
 * deliveries are acknowledged within that time and cost no record and no tombstone. A crash then
 * sees the held messages at or above the delivered end, never delivered, and delivers them again
 * (the attempt they were on is not counted); an acknowledged message among them comes again too.
 * The records of later deliveries at or above that delivered end (a nack, a redelivery) are dropped
 * by that restart too: those messages also start again at their first attempt. Nothing is lost. A
 * close releases every held record first (unless the state log is failing then), so a clean restart
 * sees all of them.
 *
 * <h2>Writes</h2>
 * Changes are buffered ({@link #putMessage}, {@link #deleteMessage}, {@link #putPartition},
 * {@link #putConfig}) and written by {@link #flush}: one append at a time, so writes queued while
 * an append runs are coalesced (a delivery acknowledged before its record was written costs no
 * write at all) and appends land in order. The group starts appends at most every
 * {@link ConsumerGroup#STATE_APPEND_INTERVAL_MS} while it runs, so more is coalesced.
 *
 * <p>Thread-safety: confined to the group's thread; append completions hop back to it.
 */
final class GroupStateLog {
    static final int VERSION = 1;
    /** How long the record of a first delivery is held back: most acknowledgements come sooner. */
    static final long HOLD_MS = 100;
    static final String CONFIG_KEY = "c";

    /** What replaying the log gave. */
    record Replayed(GroupConfig config, Map<Integer, long[]> partitions,
                    Map<Integer, TreeMap<Long, MessageState>> messages) {
    }

    /** A message record's content. */
    record MessageState(int attempts, long firstFailureMs, long retryAtMs, int lastFailure,
                        String deadLetterReason) {
    }

    private record Write(byte[] value, PendingMessage owner) {
    }

    /** The key of a message record while it is buffered: its text ({@link #messageKey}) is built only if written. */
    private record MessageSlot(int partition, long offset) {
        byte[] keyBytes() {
            return messageKey(partition, offset).getBytes(StandardCharsets.UTF_8);
        }
    }

    private final Log log;
    private final int maxRecordsPerAppend;
    private final LinkedHashMap<MessageSlot, Write> messageWrites = new LinkedHashMap<>();
    private final LinkedHashMap<String, Write> otherWrites = new LinkedHashMap<>();
    private boolean appending;
    private Throwable lastFailure;
    /** First deliveries whose record is held back, by delivery id: oldest first. */
    private final SequenceWindow<PendingMessage> held = new SequenceWindow<>();
    /** The same, per partition by offset (fresh messages go out in offset order): the first caps the delivered end. */
    private final List<SequenceWindow<PendingMessage>> heldByPartition = new ArrayList<>();

    private GroupStateLog(Log log, int maxRecordsPerAppend) {
        this.log = log;
        this.maxRecordsPerAppend = maxRecordsPerAppend;
    }

    /** The log configuration of a group's state: compacted, GROUP durability, small buffers. */
    static LogConfig logConfig(int segmentBytes) {
        return LogConfig.builder()
                .cleanupPolicy(CleanupPolicy.COMPACT)
                .durability(DurabilityMode.GROUP)
                .segmentBytesMax(segmentBytes)
                .segmentAgeMsMax(3_600_000)
                .compactionLagMs(10_000)
                .tombstoneRetentionMs(3_600_000)
                .writeBufferBytes(64 * 1024)
                .maxBatchBytes(Math.min(segmentBytes, 4 * 1024 * 1024))
                .maxPendingBytes(16L * 1024 * 1024)
                .maxPendingAppends(1024)
                // One log per group: keep its zeros ahead of the data small (its records are small too).
                .preallocateBytes(16 * 1024)
                .build();
    }

    static GroupStateLog open(Path dir, int segmentBytes, int maxRecordsPerAppend, LogEnvironment env) {
        return new GroupStateLog(Log.open(dir, logConfig(segmentBytes), env), maxRecordsPerAppend);
    }

    /** Reads the whole log: the latest value of each key. */
    Replayed replay() {
        Map<String, byte[]> latest = new HashMap<>();
        long offset = log.logStartOffset();
        long end = log.highWatermark();
        while (offset < end) {
            ReadResult r = log.read(offset, 1024 * 1024, 10_000);
            for (StoredRecord rec : r.records()) {
                String key = new String(rec.key(), StandardCharsets.UTF_8);
                if (rec.isTombstone()) {
                    latest.remove(key);
                } else {
                    latest.put(key, rec.value());
                }
            }
            if (r.nextOffset() <= offset) {
                break;
            }
            offset = r.nextOffset();
        }
        GroupConfig config = null;
        Map<Integer, long[]> partitions = new HashMap<>();
        Map<Integer, TreeMap<Long, MessageState>> messages = new HashMap<>();
        for (Map.Entry<String, byte[]> e : latest.entrySet()) {
            String key = e.getKey();
            ByteBuffer b = ByteBuffer.wrap(e.getValue());
            int version = b.get() & 0xFF;
            if (version != VERSION) {
                throw new IllegalStateException("group state record '" + key + "' in " + log.dir() + " has version "
                        + version + "; this broker reads version " + VERSION);
            }
            if (key.equals(CONFIG_KEY)) {
                config = decodeConfig(b);
            } else if (key.startsWith("p/")) {
                partitions.put(Integer.parseInt(key.substring(2)), new long[] {b.getLong(), b.getLong()});
            } else if (key.startsWith("m/")) {
                int slash = key.indexOf('/', 2);
                int partition = Integer.parseInt(key.substring(2, slash));
                long offsetOf = Long.parseLong(key.substring(slash + 1));
                int attempts = b.getInt();
                long firstFailure = b.getLong();
                long retryAt = b.getLong();
                int lastFailure = b.get() & 0xFF;
                byte[] reason = new byte[b.getShort() & 0xFFFF];
                b.get(reason);
                messages.computeIfAbsent(partition, p -> new TreeMap<>()).put(offsetOf, new MessageState(attempts,
                        firstFailure, retryAt, lastFailure,
                        reason.length == 0 ? null : new String(reason, StandardCharsets.UTF_8)));
            } else {
                throw new IllegalStateException("unknown group state key '" + key + "' in " + log.dir());
            }
        }
        return new Replayed(config, partitions, messages);
    }

    // ---- buffered changes ----

    void putConfig(GroupConfig c) {
        byte[] dlq = c.deadLetterTopic() == null ? new byte[0] : c.deadLetterTopic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(43 + dlq.length);
        b.put((byte) VERSION).putLong(c.ackTimeoutMs()).putInt(c.maxAttempts()).putLong(c.backoffInitialMs())
                .putDouble(c.backoffMultiplier()).putLong(c.backoffMaxMs()).putInt(c.prefetch())
                .putShort((short) dlq.length).put(dlq);
        otherWrites.put(CONFIG_KEY, new Write(b.array(), null));
    }

    private static GroupConfig decodeConfig(ByteBuffer b) {
        long ackTimeout = b.getLong();
        int maxAttempts = b.getInt();
        long initial = b.getLong();
        double multiplier = b.getDouble();
        long max = b.getLong();
        int prefetch = b.getInt();
        int n = b.getShort() & 0xFFFF;
        String dlq = null;
        if (n > 0) {
            byte[] bytes = new byte[n];
            b.get(bytes);
            dlq = new String(bytes, StandardCharsets.UTF_8);
        }
        return new GroupConfig(ackTimeout, maxAttempts, initial, multiplier, max, dlq, prefetch);
    }

    void putPartition(int partition, long committed, long deliveredEnd) {
        ByteBuffer b = ByteBuffer.allocate(17);
        b.put((byte) VERSION).putLong(committed).putLong(deliveredEnd);
        otherWrites.put("p/" + partition, new Write(b.array(), null));
    }

    /**
     * Holds back the record of {@code m}'s first delivery (see the class comment). Only for a message
     * delivered for the first time at or above its partition's delivered end, so that a partition's
     * held offsets come in increasing order.
     */
    void holdFirstDelivery(PendingMessage m, long now) {
        while (heldByPartition.size() <= m.partition) {
            heldByPartition.add(new SequenceWindow<>());
        }
        held.add(m.deliveryId, m);
        heldByPartition.get(m.partition).add(m.offset, m);
        m.heldKey = m.deliveryId;
        m.heldAtMs = now;
    }

    /** The delivered end to write for {@code partition}: {@code deliveredEnd}, or the first held offset below it. */
    long deliveredEndToPersist(int partition, long deliveredEnd) {
        if (partition >= heldByPartition.size() || heldByPartition.get(partition).isEmpty()) {
            return deliveredEnd;
        }
        return Math.min(deliveredEnd, heldByPartition.get(partition).firstKey());
    }

    /** Buffers the held records due at {@code now} (all of them if {@code all}) for writing. */
    void releaseHeld(long now, boolean all) {
        while (!held.isEmpty()) {
            long age = now - held.first().heldAtMs;
            if (!all && age >= 0 && age < HOLD_MS) {
                break; // a negative age: the wall clock stepped back; release rather than wait out the step
            }
            putMessage(held.first());
        }
    }

    /** When the oldest held record is due, or {@link Long#MAX_VALUE}. */
    long nextReleaseMs() {
        return held.isEmpty() ? Long.MAX_VALUE : held.first().heldAtMs + HOLD_MS;
    }

    private void unhold(PendingMessage m) {
        if (m.heldAtMs < 0) {
            return;
        }
        held.remove(m.heldKey);
        heldByPartition.get(m.partition).remove(m.offset);
        m.heldAtMs = -1;
    }

    void putMessage(PendingMessage m) {
        unhold(m);
        byte[] reason = m.state == PendingMessage.State.DEAD_LETTERING && m.deadLetterReason != null
                ? m.deadLetterReason.getBytes(StandardCharsets.UTF_8) : new byte[0];
        ByteBuffer b = ByteBuffer.allocate(24 + reason.length);
        b.put((byte) VERSION).putInt(m.attempts).putLong(m.firstFailureMs).putLong(m.retryAtMs)
                .put((byte) m.lastFailure.code).putShort((short) reason.length).put(reason);
        messageWrites.put(new MessageSlot(m.partition, m.offset), new Write(b.array(), m));
    }

    /** Forgets a message's record: a tombstone, or nothing if its record was never handed to the log. */
    void deleteMessage(PendingMessage m) {
        unhold(m);
        if (m.persisted) {
            deleteMessage(m.partition, m.offset, true);
            return;
        }
        // Never handed to the log: drop this message's own buffered record, and nothing else — a tombstone
        // buffered for an older record of the same offset (one a restart found stale) must still be written.
        MessageSlot key = new MessageSlot(m.partition, m.offset);
        Write w = messageWrites.get(key);
        if (w != null && w.owner() == m) {
            messageWrites.remove(key);
        }
    }

    /** Forgets the record of {@code partition}@{@code offset}; {@code persisted}: whether one may be in the log. */
    void deleteMessage(int partition, long offset, boolean persisted) {
        MessageSlot key = new MessageSlot(partition, offset);
        if (!persisted) {
            messageWrites.remove(key);
        } else {
            messageWrites.put(key, new Write(null, null));
        }
    }

    static String messageKey(int partition, long offset) {
        return "m/" + partition + "/" + offset;
    }

    boolean hasPendingWrites() {
        return !messageWrites.isEmpty() || !otherWrites.isEmpty();
    }

    /** Whether {@link #flush} would start an append now: writes are buffered and none is running. */
    boolean appendDue() {
        return !appending && hasPendingWrites();
    }

    /** Whether more is buffered than one append takes. */
    boolean backlogged() {
        return messageWrites.size() + otherWrites.size() > maxRecordsPerAppend;
    }

    boolean isIdle() {
        return !appending && !hasPendingWrites() && held.isEmpty();
    }

    /**
     * Writes what is buffered, unless an append is already running (then its completion writes the
     * rest). {@code back} runs completions on the group's thread; {@code onFailure} is told of each
     * failed append (the writes are kept and retried by the next flush).
     */
    void flush(Executor back, Runnable afterAppend, java.util.function.Consumer<Throwable> onFailure) {
        if (appending || !hasPendingWrites()) {
            return;
        }
        List<Record> records = new ArrayList<>(Math.min(maxRecordsPerAppend,
                messageWrites.size() + otherWrites.size()));
        List<Map.Entry<MessageSlot, Write>> takenMessages = new ArrayList<>();
        List<Map.Entry<String, Write>> takenOthers = new ArrayList<>();
        take(messageWrites, MessageSlot::keyBytes, records, takenMessages);
        // Partition records only go with (or after) every message record they cover.
        if (messageWrites.isEmpty()) {
            take(otherWrites, k -> k.getBytes(StandardCharsets.UTF_8), records, takenOthers);
        }
        for (Map.Entry<MessageSlot, Write> e : takenMessages) {
            if (e.getValue().owner() != null) {
                e.getValue().owner().persisted = true;
            }
        }
        appending = true;
        log.append(records).whenComplete((r, err) -> back.execute(() -> {
            appending = false;
            if (err != null) {
                // Keep the writes, unless newer ones for the same key came meanwhile.
                requeue(messageWrites, takenMessages);
                requeue(otherWrites, takenOthers);
                lastFailure = err;
                onFailure.accept(err);
                return;
            }
            lastFailure = null;
            afterAppend.run();
        }));
    }

    /** Whether the last append failed (the next flush retries). */
    boolean failing() {
        return lastFailure != null;
    }

    private <K> void take(LinkedHashMap<K, Write> from, Function<K, byte[]> keyBytes, List<Record> records,
                          List<Map.Entry<K, Write>> taken) {
        Iterator<Map.Entry<K, Write>> it = from.entrySet().iterator();
        while (it.hasNext() && records.size() < maxRecordsPerAppend) {
            Map.Entry<K, Write> e = it.next();
            records.add(new Record(keyBytes.apply(e.getKey()), e.getValue().value(), List.of(), Record.NO_TIMESTAMP,
                    null));
            taken.add(Map.entry(e.getKey(), e.getValue()));
            it.remove();
        }
    }

    /** Puts failed writes back in front of the newer ones, keeping a newer value for the same key. */
    private static <K> void requeue(LinkedHashMap<K, Write> pending, List<Map.Entry<K, Write>> taken) {
        if (taken.isEmpty()) {
            return;
        }
        LinkedHashMap<K, Write> failed = new LinkedHashMap<>();
        for (Map.Entry<K, Write> e : taken) {
            failed.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<K, Write> e : pending.entrySet()) {
            failed.remove(e.getKey());
        }
        failed.putAll(pending);
        pending.clear();
        pending.putAll(failed);
    }

    /** Forgets the buffered writes (a simulated crash, for tests). */
    void dropBufferedWrites() {
        messageWrites.clear();
        otherWrites.clear();
        for (PendingMessage m : held.values()) {
            m.heldAtMs = -1;
        }
        held.clear();
        heldByPartition.forEach(SequenceWindow::clear);
    }

    /** Blocks until the log is closed (call on the group's thread, never from a log callback). */
    void close() {
        log.close();
    }

    /** Closes the log and removes its files. */
    void delete() {
        log.delete();
    }

    Path dir() {
        return log.dir();
    }

    /** Removes a group's directory (its log already deleted or never opened), and its topic's if empty. */
    static void removeDirectory(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            try (Stream<Path> rest = Files.list(dir.getParent())) {
                if (rest.findAny().isEmpty()) {
                    Files.deleteIfExists(dir.getParent());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + dir + " failed", e);
        }
    }

    /** The log, for tests and maintenance. */
    Log log() {
        return log;
    }
}
