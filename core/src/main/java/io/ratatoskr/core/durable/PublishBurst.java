package io.ratatoskr.core.durable;

import io.ratatoskr.core.session.SessionLoop;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * The durable messages a loop thread has taken in its current work (one read burst of one or more
 * connections), gathered per partition and appended when the loop has finished that work: one log
 * append per partition per burst instead of one per message — one batch to encode, queue, write and
 * (in FSYNC and GROUP mode) fsync, one future to complete.
 *
 * <p>What it keeps: the records a thread adds for a partition reach it in the order added, as one
 * append (split only by the log's batch limit, {@link LocalTopic#appendChunks}); every message's
 * receipt completes from the append that holds it, so a publisher is acknowledged only once its
 * message is as durable as the topic's mode promises — never earlier than without gathering. A burst
 * holding {@value #FLUSH_BYTES} bytes or more for a partition goes at once (memory stays bounded). When
 * the loop refuses the flush task (it is shutting down) the burst goes at once, on the caller.
 *
 * <p>Thread-safety: each thread has its own burst ({@link ThreadLocal}), touched only by that thread: the
 * flush runs on the loop that gathered, which {@link #add} checks is the calling thread.
 */
final class PublishBurst {
    /** Gathered bytes (estimated) after which a partition's share is appended at once. */
    static final long FLUSH_BYTES = 256 * 1024;

    private static final ThreadLocal<PublishBurst> BURSTS = ThreadLocal.withInitial(PublishBurst::new);

    /** Per partition, in the order first touched. */
    private final Map<LogPartition, Gathered> byPartition = new IdentityHashMap<>();
    private final List<Gathered> order = new ArrayList<>();
    private final Runnable flushTask = this::flush;
    private boolean scheduled;

    /** One partition's share of the burst. */
    private static final class Gathered {
        final LocalTopic topic;
        final LogPartition partition;
        List<LocalTopic.Pending> pending = new ArrayList<>();
        long bytes;

        Gathered(LocalTopic topic, LogPartition partition) {
            this.topic = topic;
            this.partition = partition;
        }
    }

    private PublishBurst() {
    }

    /**
     * Appends {@code pending} to {@code partition} when {@code loop} has finished its current work,
     * with whatever else the calling thread gathers for that partition until then; at once when the
     * caller is not on {@code loop}.
     */
    static void add(LocalTopic topic, LogPartition partition, List<LocalTopic.Pending> pending, SessionLoop loop) {
        if (!loop.inLoop()) {
            topic.appendChunks(partition, pending);
            return;
        }
        BURSTS.get().gather(topic, partition, pending, loop);
    }

    private void gather(LocalTopic topic, LogPartition partition, List<LocalTopic.Pending> pending,
                        SessionLoop loop) {
        Gathered g = byPartition.get(partition);
        if (g == null) {
            g = new Gathered(topic, partition);
            byPartition.put(partition, g);
            order.add(g);
        }
        for (LocalTopic.Pending p : pending) {
            g.pending.add(p);
            g.bytes += LocalTopic.estimatedBytes(p.record());
        }
        if (g.bytes >= FLUSH_BYTES) {
            send(g);
        }
        if (!scheduled) {
            scheduled = true;
            try {
                loop.execute(flushTask);
            } catch (RejectedExecutionException e) {
                flush();
            }
        }
    }

    /** Appends every partition's share, in the order the partitions were first touched. */
    private void flush() {
        scheduled = false;
        // Taken out first: completing a failed append may run code that gathers again on this thread.
        List<Gathered> sending = new ArrayList<>(order);
        order.clear();
        byPartition.clear();
        for (Gathered g : sending) {
            send(g);
        }
    }

    private static void send(Gathered g) {
        if (g.pending.isEmpty()) {
            return;
        }
        List<LocalTopic.Pending> out = g.pending;
        g.pending = new ArrayList<>();
        g.bytes = 0;
        g.topic.appendChunks(g.partition, out);
    }
}
