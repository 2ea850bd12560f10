package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.MessageEnvelope;
import io.ratatoskr.core.durable.Partition;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.Utf8Strings;
import io.ratatoskr.log.ReadBuffer;
import io.ratatoskr.log.ReadProgress;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.RecordView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a consumer group has read from its topic and not finished with: a cursor per partition,
 * the messages due for redelivery, the retry timers, and the bounds on all of it
 * ({@link GroupsConfig#maxPendingMessages()}, {@link GroupsConfig#maxPendingBytes()}). It reads
 * partitions in offset order, in batches, only when asked for the next ready message and only
 * while there is room.
 *
 * <p>Thread-safety: confined to the group's thread, except {@link #lag()}, which reads a volatile
 * view (for gauges).
 */
final class PendingWindow {
    private static final Logger log = LoggerFactory.getLogger(PendingWindow.class);
    private static final int MAX_MESSAGE_READ_BYTES = 64 * 1024 * 1024;

    /** A retry (or a dead-letter append retry) due at {@code dueMs}; stale if the generation moved on. */
    private record Timer(long dueMs, PendingMessage message, int generation) {
        static final Comparator<Timer> ORDER = Comparator.comparingLong(Timer::dueMs);
    }

    private final GroupId id;
    private final GroupsConfig limits;
    private final List<PartitionCursor> cursors = new ArrayList<>();
    private volatile PartitionCursor[] cursorView = new PartitionCursor[0];
    private final TreeSet<PendingMessage> redeliver = new TreeSet<>(PendingMessage.ORDER);
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(Timer.ORDER);
    private int count;
    private long bytes;
    private int waiting;
    private int partitionTurn;
    private boolean readFailing;
    /** Where this group's reads load file ranges; reused, so a read allocates nothing of the size of its data. */
    private final ReadBuffer readBuffer = new ReadBuffer();
    /** Topic names and client ids of the messages read, decoded once while they repeat. */
    private final Utf8Strings strings = new Utf8Strings();

    PendingWindow(GroupId id, GroupsConfig limits) {
        this.id = id;
        this.limits = limits;
    }

    // ---- partitions ----

    PartitionCursor addCursor(Partition p, long committed, long deliveredEnd, Runnable onNewData) {
        PartitionCursor c = new PartitionCursor(cursors.size(), p, committed, deliveredEnd);
        cursors.add(c);
        c.watch = p.watch(onNewData);
        cursorView = cursors.toArray(new PartitionCursor[0]);
        return c;
    }

    List<PartitionCursor> cursors() {
        return cursors;
    }

    PartitionCursor cursor(int partition) {
        return cursors.get(partition);
    }

    /** Any thread: messages not yet done over all partitions (end offset minus committed offset). */
    long lag() {
        long lag = 0;
        for (PartitionCursor c : cursorView) {
            lag += Math.max(0, c.partition.endOffset() - c.committed);
        }
        return lag;
    }

    /** Each partition's committed offset, end, lag and pending messages, for describe. */
    List<GroupInfo.PartitionInfo> partitionInfos() {
        List<GroupInfo.PartitionInfo> out = new ArrayList<>(cursors.size());
        for (PartitionCursor c : cursors) {
            long end = c.partition.endOffset();
            out.add(new GroupInfo.PartitionInfo(c.id, c.committed, end, Math.max(0, end - c.committed),
                    c.window.size()));
        }
        return out;
    }

    /** The offset {@code position} stands for in {@code p}, clamped to what the partition keeps. */
    static long resolve(StartPosition position, Partition p) {
        long start = p.startOffset();
        long end = p.endOffset();
        return switch (position) {
            case StartPosition.Earliest e -> start;
            case StartPosition.Latest l -> end;
            case StartPosition.AtOffset o -> Math.max(start, Math.min(end, o.offset()));
            case StartPosition.AtTime t -> Math.max(start, p.offsetForTimestamp(t.timestampMs()));
        };
    }

    // ---- membership of the window ----

    /** What {@link #restore} leaves for the group to act on. */
    record Restored(List<PendingMessage> interrupted, List<PendingMessage> deadLettering) {
    }

    /**
     * Rebuilds the cursors and pending messages from the state log after a (re)start: offsets from
     * the partition records (moved up to what the partition still keeps), and each message record
     * in {@code [committed, delivered end)} whose message is still there — waiting for its retry
     * time, or ready. Records that no longer matter get tombstones in {@code state}. Returns the
     * messages that were in flight when the broker stopped (the caller counts that failed
     * attempt) and those that were on their way to the dead-letter topic.
     */
    Restored restore(GroupStateLog.Replayed replayed, List<Partition> partitions, long now, GroupStateLog state,
                     Runnable onNewData) {
        List<PendingMessage> interrupted = new ArrayList<>();
        List<PendingMessage> deadLettering = new ArrayList<>();
        for (int i = 0; i < partitions.size(); i++) {
            Partition p = partitions.get(i);
            long[] saved = replayed.partitions().get(i);
            long committed = saved == null ? p.startOffset() : Math.max(saved[0], p.startOffset());
            if (committed > p.endOffset()) {
                // The partition is shorter than the group remembers (truncated, or the topic was
                // recreated): go on from its end rather than skip what comes next.
                log.warn("group {}: committed offset {} of partition {} is past its end {}; resuming at the end",
                        id, committed, i, p.endOffset());
                committed = p.endOffset();
                saved = null;
            }
            long deliveredEnd = saved == null ? committed : saved[1];
            PartitionCursor c = addCursor(p, committed, deliveredEnd, onNewData);
            c.dirty = saved == null || saved[0] != committed;
            Map<Long, GroupStateLog.MessageState> records = replayed.messages().getOrDefault(i, new TreeMap<>());
            for (Map.Entry<Long, GroupStateLog.MessageState> r : records.entrySet()) {
                long offset = r.getKey();
                DurableMessage m = offset >= committed && offset < c.deliveredEnd ? readOne(p, offset) : null;
                if (m == null) {
                    state.deleteMessage(i, offset, true); // done, or no longer in the topic
                    continue;
                }
                GroupStateLog.MessageState s = r.getValue();
                PendingMessage e = new PendingMessage(i, offset, m);
                e.persisted = true;
                e.fresh = false;
                e.attempts = s.attempts();
                e.firstFailureMs = s.firstFailureMs();
                e.retryAtMs = s.retryAtMs();
                e.lastFailure = PendingMessage.Failure.of(s.lastFailure());
                c.window.add(offset, e);
                count++;
                bytes += e.bytes;
                if (s.deadLetterReason() != null) {
                    e.state = PendingMessage.State.DEAD_LETTERING;
                    e.deadLetterReason = s.deadLetterReason();
                    deadLettering.add(e); // the verdict stands: finish moving it
                } else if (e.retryAtMs > now) {
                    waitUntil(e, e.retryAtMs);
                } else if (e.retryAtMs < 0 && e.attempts > 0) {
                    interrupted.add(e); // in flight when the broker stopped
                } else {
                    ready(e);
                }
            }
            c.advanceCommitted();
        }
        replayed.messages().forEach((p, ms) -> {
            if (p >= partitions.size()) {
                ms.keySet().forEach(o -> state.deleteMessage(p, o, true));
            }
        });
        return new Restored(interrupted, deadLettering);
    }

    /** The message is done: out of the window, and the committed offset moves past it if it can. */
    void remove(PendingMessage e) {
        PartitionCursor c = cursors.get(e.partition);
        if (e.state == PendingMessage.State.WAITING) {
            waiting--;
        }
        c.window.remove(e.offset);
        count--;
        bytes -= e.bytes;
        c.advanceCommitted();
    }

    /** Forgets everything (a seek): returns what was pending. */
    List<PendingMessage> clear() {
        List<PendingMessage> all = new ArrayList<>(count);
        for (PartitionCursor c : cursors) {
            all.addAll(c.window.values());
            c.window.clear();
            c.fresh.clear();
        }
        redeliver.clear();
        timers.clear();
        count = 0;
        bytes = 0;
        waiting = 0;
        return all;
    }

    int size() {
        return count;
    }

    int waiting() {
        return waiting;
    }

    // ---- ready, waiting, timers ----

    /** Due for (re)delivery now. */
    void ready(PendingMessage e) {
        e.state = PendingMessage.State.READY;
        redeliver.add(e);
    }

    /** Waits until {@code dueMs}, then becomes ready. */
    void waitUntil(PendingMessage e, long dueMs) {
        e.state = PendingMessage.State.WAITING;
        e.retryAtMs = dueMs;
        waiting++;
        timers.add(new Timer(dueMs, e, e.generation));
    }

    /** Wakes {@code e} (in whatever state) at {@code dueMs}: {@link #dueTimers} returns it then. */
    void wakeAt(PendingMessage e, long dueMs) {
        timers.add(new Timer(dueMs, e, e.generation));
    }

    /** The earliest timer, or {@link Long#MAX_VALUE}. */
    long nextTimerMs() {
        Timer t = timers.peek();
        return t == null ? Long.MAX_VALUE : t.dueMs();
    }

    /**
     * Runs the timers due at {@code now}: waiting messages become ready; the others (dead-letter
     * retries) are returned for the caller to act on.
     */
    List<PendingMessage> dueTimers(long now) {
        List<PendingMessage> other = List.of();
        Timer t;
        while ((t = timers.peek()) != null && t.dueMs() <= now) {
            timers.poll();
            PendingMessage e = t.message();
            if (e.generation != t.generation()) {
                continue;
            }
            if (e.state == PendingMessage.State.WAITING) {
                waiting--;
                ready(e);
            } else {
                if (other.isEmpty()) {
                    other = new ArrayList<>();
                }
                other.add(e);
            }
        }
        return other;
    }

    /**
     * The next message to deliver: redeliveries first (oldest offset first), then fresh messages,
     * partitions taken in turn, read from the log as needed. Null when there is none (or no room
     * to read more).
     */
    PendingMessage nextReady() {
        PendingMessage e = redeliver.pollFirst();
        if (e != null) {
            return e;
        }
        int n = cursors.size();
        for (int i = 0; i < n; i++) {
            PartitionCursor c = cursors.get((partitionTurn + i) % n);
            if (c.fresh.isEmpty()) {
                fill(c);
            }
            if (!c.fresh.isEmpty()) {
                partitionTurn = (partitionTurn + i + 1) % n;
                return c.fresh.poll();
            }
        }
        return null;
    }

    /** Reads the next batch of {@code c}'s partition into the window, as far as the bounds allow. */
    private void fill(PartitionCursor c) {
        int room = limits.maxPendingMessages() - count;
        if (room <= 0 || bytes >= limits.maxPendingBytes() || c.readPosition >= c.partition.endOffset()) {
            return;
        }
        int maxRecords = Math.min(room, limits.readBatchMessages());
        ReadProgress r;
        long[] recordBytes = {0};
        long[] lastVisited = {-1};
        try {
            // Each record is decoded straight from the bytes loaded from the file (one copy of the payload).
            r = c.partition.read(c.readPosition, maxRecords, readBytes(c, maxRecords), readBuffer, record -> {
                recordBytes[0] += record.sizeInMemory();
                lastVisited[0] = record.offset();
                DurableMessage m = decode(c.partition, record);
                if (m != null) {
                    PendingMessage e = new PendingMessage(c.id, record.offset(), m);
                    c.window.add(e.offset, e);
                    c.fresh.add(e);
                    count++;
                    bytes += e.bytes;
                }
            });
            readFailing = false;
        } catch (RuntimeException e) {
            if (!readFailing) {
                log.warn("group {}: reading {} at {} failed (retried on the next tick): {}", id, c.partition,
                        c.readPosition, e.toString());
            }
            readFailing = true;
            // Records visited before the failure are in the window: the retry starts after them.
            c.readPosition = Math.max(c.readPosition, lastVisited[0] + 1);
            return;
        }
        if (r.records() > 0) {
            c.bytesPerRecord = (int) Math.min(Integer.MAX_VALUE, recordBytes[0] / r.records());
        }
        c.readPosition = Math.max(c.readPosition, r.nextOffset());
        c.advanceCommitted();
    }

    /** Slack over the estimate, and the least a read asks for: a batch header, varints, a record that grew. */
    private static final int READ_SLACK_BYTES = 16 * 1024;

    /**
     * The bytes to ask the log for when reading up to {@code maxRecords} records of {@code c}: the read
     * loads whole batches up to that many bytes from the file and decodes at most {@code maxRecords} of
     * them, so asking for the configured byte limit when the record limit is reached much earlier reads
     * and copies bytes only to drop them (1 KiB messages: 1 MiB read for 256 records). The estimate comes
     * from the partition's last read; a read always returns one batch at least, so a low estimate only
     * costs an extra read.
     */
    private int readBytes(PartitionCursor c, int maxRecords) {
        if (c.bytesPerRecord <= 0) {
            return limits.readBatchBytes();
        }
        long wanted = (long) c.bytesPerRecord * maxRecords * 5 / 4 + READ_SLACK_BYTES;
        return (int) Math.min(limits.readBatchBytes(), wanted);
    }

    /** The message at exactly {@code offset}, or null if it is gone (retention, compaction, TTL). */
    private DurableMessage readOne(Partition p, long offset) {
        ReadResult r = p.read(offset, 1, MAX_MESSAGE_READ_BYTES);
        if (r.records().isEmpty() || r.records().get(0).offset() != offset) {
            return null;
        }
        return decode(p, RecordView.of(r.records().get(0)));
    }

    private DurableMessage decode(Partition p, RecordView record) {
        try {
            return MessageEnvelope.fromRecord(p.topic(), p.id(), record, strings);
        } catch (RuntimeException e) {
            log.error("group {}: the record at {}/{}@{} cannot be read and is skipped: {}", id, p.topic(), p.id(),
                    record.offset(), e.toString());
            return null;
        }
    }
}
