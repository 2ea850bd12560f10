package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.Partition;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.TopicDirectory.DurableTopic;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.log.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One consumer group of one durable topic: queue semantics over the topic's partitions (PRODUCT.md,
 * Concepts: consumer groups). Each message goes to one member at a time; ack finishes it, nack
 * brings it back after a delay or the exponential backoff, reject and the last failed attempt move
 * it to the dead-letter topic, an ack timeout or a departing member gives it to another member.
 *
 * <h2>Dispatch</h2>
 * Messages are read from each partition in offset order into a bounded window
 * ({@link GroupsConfig#maxPendingMessages()}, {@link GroupsConfig#maxPendingBytes()}) only while a
 * member has room under its prefetch. Messages due for redelivery go first (oldest offset first),
 * then fresh ones, partitions taken in turn; members are taken in turn too, and a redelivery avoids
 * the member that failed it when another one has room. A member that acknowledges in order so sees
 * each partition's fresh messages in order. Expired messages (the topic's TTL, the MQTT message
 * expiry) are skipped, as done. The committed offset of a partition is its first message not done.
 *
 * <h2>Threading</h2>
 * Everything is confined to the group's {@link SerialExecutor} (tasks run one at a time on the
 * shared group pool). Public entry points — {@link GroupMember}'s methods, join, configure,
 * describe, seek, delete, close — post a task and return a future. Log callbacks (new data from
 * {@link Partition#watch}, append completions) and timers only post tasks; nothing blocks in them.
 * The group's own blocking work — reading partitions, opening and closing its state log, creating
 * the dead-letter topic — runs on its executor, never on a network or log thread.
 *
 * <h2>Persistence</h2>
 * {@link GroupStateLog} (formats there). A message record is written when a delivery starts
 * (attempts), changes on failure (first failure, retry time), and is tombstoned when the message is
 * done; the partition record carries the committed offset and the delivered end. After a restart
 * the group resumes at the committed offset; a delivery that was in flight counts as a failed
 * attempt ({@code broker restart}) and goes out again at once; retry times are kept.
 */
final class ConsumerGroup {
    private static final Logger log = LoggerFactory.getLogger(ConsumerGroup.class);
    private static final long DEAD_LETTER_RETRY_MAX_MS = 30_000;
    private static final long STATE_RETRY_MS = 1_000;
    /**
     * The least time between the starts of two state-log appends while the group runs: what changes
     * meanwhile goes into the next one (a partition record moved 50 times is written once), so a
     * drain costs at most 100 appends and fsyncs a second rather than one per ack step. A crash
     * forgets at most this much more (acknowledgements: those messages come again). A close writes
     * at once.
     */
    static final long STATE_APPEND_INTERVAL_MS = 10;
    private static final int MAX_REASON_CHARS = 1024;

    private final GroupId id;
    private final Path dir;
    private final GroupEnvironment env;
    private final SerialExecutor executor;
    private final AtomicInteger memberCount = new AtomicInteger();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Runnable wakeTask = () -> {
        wakePending.set(false);
        dispatch();
    };

    private final PendingWindow window;
    /** Read by gauges on other threads. */
    private volatile int inFlightCount;

    // Everything below is confined to the executor.
    private GroupStateLog state;
    private boolean loaded;
    private boolean ended;
    private boolean closing;
    private ErrorCode endCode = ErrorCode.UNAVAILABLE;
    private String endReason;
    private GroupConfig config = GroupConfig.DEFAULTS;
    private DurableTopic topic;
    private boolean started;
    private final List<GroupMember> members = new ArrayList<>();
    private int memberTurn;
    /** Deliveries awaiting an answer, in delivery order (so deadlines come in order too). */
    private final SequenceWindow<PendingMessage> inFlight = new SequenceWindow<>();
    private long nextDeliveryId = 1;
    /** Appends to the dead-letter topic not yet completed: a close waits for them. */
    private int deadLetterAppends;
    private long deadLetteredSinceStart;
    private final GroupClock clock;
    private long stateRetryAtMs;
    private boolean stateFailing;
    /** When the last state append started; MIN_VALUE: none yet. */
    private long lastStateAppendMs = Long.MIN_VALUE;
    private GroupMetrics metrics;
    private CompletableFuture<Void> closed;

    ConsumerGroup(GroupId id, Path dir, GroupEnvironment env) {
        this.id = id;
        this.dir = dir;
        this.env = env;
        this.executor = new SerialExecutor(env.scheduler(), "group " + id);
        this.window = new PendingWindow(id, env.config());
        this.clock = new GroupClock(env.clock(), env.scheduler(), executor, env.config().tickMs());
    }

    GroupId id() {
        return id;
    }

    // ---------------------------------------------------------------------------------------
    // Entry points (any thread)

    /** Loads the group's state now (at broker start), rather than on first use. */
    void preload() {
        executor.execute(() -> {
            if (ensureLoaded()) {
                dispatch();
            }
        });
    }

    /**
     * @param latestEnds the partitions' end offsets when the join was asked, which a {@code latest}
     *                   start of a new group stands for; null otherwise
     */
    GroupMember join(MemberOptions options, GroupSink sink, long[] latestEnds) {
        int max = env.config().maxMembersPerGroup();
        if (memberCount.incrementAndGet() > max) {
            memberCount.decrementAndGet();
            throw ErrorCode.GROUP_LIMIT_REACHED.exception(
                    "consumer group " + id + " has its maximum of " + max + " members");
        }
        GroupMember member = new GroupMember(this, options.name(), options.prefetch(), sink);
        executor.execute(() -> {
            if (!ensureLoaded()) {
                memberCount.decrementAndGet();
                member.left = true;
                sink.ended(endCode, endReason);
                return;
            }
            if (!started) {
                start(options.start(), latestEnds);
            }
            member.effectivePrefetch = options.effectivePrefetch(config.prefetch());
            members.add(member);
            log.debug("group {}: {} joined (prefetch {})", id, member.name(), member.effectivePrefetch);
            dispatch();
        });
        return member;
    }

    CompletableFuture<Void> ack(GroupMember m, long deliveryId) {
        return submit(() -> {
            PendingMessage e = take(m, deliveryId);
            done(e);
            metrics.acked.increment();
            return null;
        });
    }

    /**
     * Acknowledges several deliveries in one task (one dispatch and one state flush for all): each as
     * {@link #ack}; an identifier that is no longer outstanding (its ack timeout passed, the member
     * left) is skipped, the others are still acknowledged.
     *
     * @return the number of deliveries acknowledged
     */
    CompletableFuture<Integer> ackAll(GroupMember m, long[] deliveryIds) {
        return submit(() -> {
            int acked = 0;
            for (long id : deliveryIds) {
                PendingMessage e = inFlight.get(id);
                if (e == null || e.owner != m) {
                    continue; // as a single ack's DELIVERY_NOT_FOUND, which the adapters ignore
                }
                untrack(e);
                done(e);
                metrics.acked.increment();
                acked++;
            }
            return acked;
        });
    }

    CompletableFuture<Void> nack(GroupMember m, long deliveryId, long delayMs) {
        return submit(() -> {
            PendingMessage e = take(m, deliveryId);
            metrics.nacked.increment();
            long delay = delayMs < 0 ? config.backoffMs(e.attempts) : Math.min(delayMs, env.config().maxNackDelayMs());
            fail(e, PendingMessage.Failure.NACK, delay);
            return null;
        });
    }

    CompletableFuture<Void> reject(GroupMember m, long deliveryId, String reason) {
        return submit(() -> {
            PendingMessage e = take(m, deliveryId);
            metrics.rejected.increment();
            if (e.firstFailureMs < 0) {
                e.firstFailureMs = clock.now();
            }
            String why = reason == null || reason.isBlank() ? "rejected by the consumer" : reason;
            deadLetter(e, why.length() > MAX_REASON_CHARS ? why.substring(0, MAX_REASON_CHARS) : why);
            return null;
        });
    }

    CompletableFuture<Void> release(GroupMember m, long deliveryId) {
        return submit(() -> {
            giveBack(take(m, deliveryId));
            return null;
        });
    }

    CompletableFuture<Void> leave(GroupMember m, List<Long> attempted) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        executor.execute(() -> {
            if (!m.left) {
                m.left = true;
                memberCount.decrementAndGet();
                members.remove(m);
                Set<Long> counted = attempted == null ? null : new HashSet<>(attempted);
                for (PendingMessage e : m.inFlight.values()) {
                    long deliveryId = e.deliveryId;
                    untrack(e);
                    if (counted == null || counted.contains(deliveryId)) {
                        fail(e, PendingMessage.Failure.MEMBER_LEFT, 0);
                    } else {
                        giveBack(e);
                    }
                }
                log.debug("group {}: {} left", id, m.name());
                if (!ended) {
                    dispatch();
                }
            }
            f.complete(null);
        });
        return f;
    }

    CompletableFuture<GroupConfig> configure(GroupConfig c) {
        return submit(() -> {
            if (c.deadLetterTopicFor(id.topic()).equals(id.topic())) {
                throw ErrorCode.INVALID_ARGUMENT.exception(
                        "the dead-letter topic of a group on '" + id.topic() + "' must be another topic");
            }
            config = c;
            state.putConfig(c);
            return c;
        });
    }

    CompletableFuture<GroupInfo> describe() {
        return submit(this::info);
    }

    CompletableFuture<Void> seek(StartPosition position) {
        return submit(() -> {
            resetTo(position);
            return null;
        });
    }

    /** Ends the group and removes its state. */
    CompletableFuture<Boolean> delete() {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        executor.execute(() -> {
            if (ensureLoaded()) {
                endNow(ErrorCode.GROUP_NOT_FOUND, "consumer group " + id + " was deleted", true);
            } else {
                // It could not load (its topic is gone, say): its files go all the same.
                try {
                    GroupStateLog.removeDirectory(dir);
                } catch (RuntimeException e) {
                    log.warn("group {}: removing {} failed: {}", id, dir, e.toString());
                }
            }
            f.complete(true);
        });
        return f;
    }

    /** Writes what is buffered, closes the state log and tells members the group ended. */
    CompletableFuture<Void> close() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        executor.execute(() -> {
            if (ended || state == null) {
                endNow(ErrorCode.UNAVAILABLE, "the broker is shutting down", false);
                f.complete(null);
                return;
            }
            closing = true;
            closed = f;
            clock.stop();
            afterChange(); // releases the held first-delivery records, and the partition records they allow
            finishClose();
        });
        return f;
    }

    /**
     * For tests: stops as a killed process would — buffered state writes are lost, appends already
     * handed to the logs land or not, nothing is waited for.
     */
    CompletableFuture<Void> crash() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        executor.execute(() -> {
            if (state != null) {
                state.dropBufferedWrites();
            }
            endNow(ErrorCode.UNAVAILABLE, "crashed", false);
            f.complete(null);
        });
        return f;
    }

    private void finishClose() {
        if (deadLetterAppends > 0) {
            return; // deadLetterAppended comes back here
        }
        if (state.isIdle() || stateFailing) {
            endNow(ErrorCode.UNAVAILABLE, "the broker is shutting down", false);
            closed.complete(null);
        } else {
            flushState();
        }
    }

    /** Runs {@code action} on the group's thread once loaded, then dispatches. */
    private <T> CompletableFuture<T> submit(Supplier<T> action) {
        CompletableFuture<T> f = new CompletableFuture<>();
        executor.execute(() -> {
            if (!ensureLoaded()) {
                f.completeExceptionally(ErrorCode.UNAVAILABLE.exception(endReason));
                return;
            }
            try {
                f.complete(action.get());
            } catch (RatatoskrException e) {
                f.completeExceptionally(e);
            } catch (RuntimeException e) {
                log.error("group {}: request failed", id, e);
                f.completeExceptionally(new RatatoskrException(ErrorCode.INTERNAL,
                        ErrorCode.INTERNAL.format(e.toString()), e));
            }
            if (!ended) {
                dispatch();
            }
        });
        return f;
    }

    /** Called on a partition's thread when new data is durable: coalesced into one dispatch task. */
    private void wake() {
        if (wakePending.compareAndSet(false, true)) {
            executor.execute(wakeTask);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Loading and starting

    private boolean ensureLoaded() {
        if (!loaded && !ended) {
            loaded = true;
            try {
                load();
            } catch (RuntimeException e) {
                log.error("group {}: cannot load its state from {}", id, dir, e);
                endNow(ErrorCode.STATE_STORE_FAILED, "consumer group " + id + " cannot load its state: " + e.getMessage(),
                        false);
            }
        }
        return !ended;
    }

    private void load() {
        Optional<DurableTopic> found = env.topics().find(id.topic());
        if (found.isEmpty() || found.get().isDeleted()) {
            // Kept on disk: only a deletion seen while the group runs (or a delete) removes state.
            endNow(ErrorCode.TOPIC_NOT_FOUND, "durable topic '" + id.topic() + "' does not exist", false);
            return;
        }
        topic = found.get();
        state = GroupStateLog.open(dir, env.config().stateSegmentBytes(), env.config().stateFlushMaxRecords(),
                env.logEnv());
        metrics = new GroupMetrics(env.registry(), id.topic(), id.group(), () -> inFlightCount, window::lag,
                memberCount::get);
        GroupStateLog.Replayed replayed = state.replay();
        if (replayed.config() != null) {
            config = replayed.config();
        }
        if (!replayed.partitions().isEmpty()) {
            restore(replayed);
        } else {
            replayed.messages().forEach((p, ms) -> ms.keySet().forEach(o -> state.deleteMessage(p, o, true)));
        }
        clock.startTicking(this::onTick);
        log.debug("group {}: loaded ({} partitions, {} pending)", id, window.cursors().size(), window.size());
    }

    private void restore(GroupStateLog.Replayed replayed) {
        started = true;
        PendingWindow.Restored r = window.restore(replayed, topic.partitions(), clock.now(), state,
                this::wake);
        for (PendingMessage e : r.interrupted()) {
            fail(e, PendingMessage.Failure.RESTART, 0);
        }
        for (PendingMessage e : r.deadLettering()) {
            appendDeadLetter(e);
        }
    }

    /** The group's first member arrived: position every partition as {@code position} says. */
    private void start(StartPosition position, long[] latestEnds) {
        started = true;
        for (Partition p : topic.partitions()) {
            long offset = latestEnds != null && p.id() < latestEnds.length
                    ? Math.max(p.startOffset(), Math.min(p.endOffset(), latestEnds[p.id()]))
                    : PendingWindow.resolve(position, p);
            window.addCursor(p, offset, offset, this::wake).dirty = true;
        }
    }

    /** Partitions added to the topic since: the group reads them from their start. */
    private void syncPartitions() {
        List<Partition> partitions = topic.partitions();
        for (int i = window.cursors().size(); i < partitions.size(); i++) {
            Partition p = partitions.get(i);
            window.addCursor(p, p.startOffset(), p.startOffset(), this::wake).dirty = true;
        }
    }

    private void resetTo(StartPosition position) {
        for (PendingMessage e : window.clear()) {
            if (e.owner != null) {
                untrack(e);
            }
            state.deleteMessage(e);
            e.state = PendingMessage.State.DONE;
            e.generation++;
        }
        if (!started) {
            start(position, null);
            return;
        }
        for (PartitionCursor c : window.cursors()) {
            long offset = PendingWindow.resolve(position, c.partition);
            c.committed = offset;
            c.deliveredEnd = offset;
            c.readPosition = offset;
            c.dirty = true;
        }
        log.info("group {}: moved to {}", id, position);
    }

    // ---------------------------------------------------------------------------------------
    // Dispatch

    private void dispatch() {
        if (ended || !loaded || closing) {
            return;
        }
        if (started) {
            try {
                handOut(clock.now());
            } finally {
                flushSinks(); // also after a failed pass: what was handed over goes out
            }
        }
        afterChange();
    }

    /** Hands ready messages to members with room, in turn, until one or the other runs out. */
    private void handOut(long now) {
        while (true) {
            GroupMember first = memberWithRoom(null);
            if (first == null) {
                return;
            }
            PendingMessage e = window.nextReady();
            if (e == null) {
                return;
            }
            if (isExpired(e.message, now)) {
                metrics.expired.increment();
                done(e);
                continue;
            }
            GroupMember target = first;
            if (e.lastOwner == first) {
                GroupMember other = memberWithRoom(first);
                if (other != null) {
                    target = other;
                }
            }
            send(target, e, now);
        }
    }

    /** Ends a dispatch pass: each member handed deliveries in it hears {@link GroupSink#flush} once. */
    private void flushSinks() {
        for (int i = 0; i < members.size(); i++) {
            GroupMember m = members.get(i);
            if (m.handedOver) {
                m.handedOver = false;
                try {
                    m.sink.flush();
                } catch (RuntimeException ex) {
                    log.warn("group {}: member {} failed to flush its deliveries: {}", id, m.name(), ex.toString());
                }
            }
        }
    }

    /** The next member, in turn, with room under its prefetch, other than {@code not}; null if none. */
    private GroupMember memberWithRoom(GroupMember not) {
        int n = members.size();
        for (int i = 0; i < n; i++) {
            GroupMember m = members.get((memberTurn + i) % n);
            if (m != not && m.inFlight.size() < m.effectivePrefetch) {
                memberTurn = (memberTurn + i + 1) % n;
                return m;
            }
        }
        return null;
    }

    private boolean isExpired(DurableMessage m, long now) {
        long ttl = topic.config().defaultTtlMs();
        return (ttl > 0 && now - m.timestampMs() >= ttl) || m.message().isExpired(now);
    }

    private void send(GroupMember member, PendingMessage e, long now) {
        PartitionCursor c = window.cursor(e.partition);
        boolean first = e.offset >= c.deliveredEnd;
        if (first) {
            c.deliveredEnd = e.offset + 1; // afterChange writes the partition record once the held record allows
        }
        e.fresh = false;
        e.attempts++;
        e.state = PendingMessage.State.IN_FLIGHT;
        e.owner = member;
        e.deliveryId = nextDeliveryId++;
        e.deadlineMs = now + config.ackTimeoutMs();
        e.retryAtMs = -1;
        e.generation++;
        inFlight.add(e.deliveryId, e);
        member.inFlight.add(e.deliveryId, e);
        if (first && e.attempts == 1 && e.firstFailureMs < 0 && !e.persisted) {
            state.holdFirstDelivery(e, now); // most are acknowledged before it is due: no record at all
        } else {
            state.putMessage(e);
        }
        metrics.delivered.increment();
        try {
            GroupDelivery delivery = new GroupDelivery(e.deliveryId, id.group(), e.message, e.attempts, e.deadlineMs);
            env.tracing().get().groupDelivered(delivery, member.name());
            member.handedOver = true;
            member.sink.deliver(delivery);
        } catch (RuntimeException ex) {
            // The delivery stays in flight and times out like any unanswered one.
            log.warn("group {}: member {} refused a delivery: {}", id, member.name(), ex.toString());
        }
    }

    // ---------------------------------------------------------------------------------------
    // Outcomes

    /** The in-flight delivery {@code deliveryId} of {@code m}, taken back from the member. */
    private PendingMessage take(GroupMember m, long deliveryId) {
        PendingMessage e = inFlight.get(deliveryId);
        if (e == null || e.owner != m) {
            throw ErrorCode.DELIVERY_NOT_FOUND.exception(deliveryId);
        }
        untrack(e);
        return e;
    }

    private void untrack(PendingMessage e) {
        inFlight.remove(e.deliveryId);
        e.owner.inFlight.remove(e.deliveryId);
        e.lastOwner = e.owner;
        e.owner = null;
        e.generation++;
    }

    /** The message is finished with: forget it and move the committed offset. */
    private void done(PendingMessage e) {
        window.remove(e);
        state.deleteMessage(e);
        e.state = PendingMessage.State.DONE;
        e.generation++;
    }

    /** Back to the group without counting the attempt: it never reached the consumer. */
    private void giveBack(PendingMessage e) {
        e.attempts = Math.max(0, e.attempts - 1);
        e.retryAtMs = clock.now();
        window.ready(e);
        state.putMessage(e);
    }

    /** A delivery failed: retry after {@code delayMs}, or dead-letter it after the last attempt. */
    private void fail(PendingMessage e, PendingMessage.Failure why, long delayMs) {
        long now = clock.now();
        if (e.firstFailureMs < 0) {
            e.firstFailureMs = now;
        }
        e.lastFailure = why;
        if (e.attempts >= config.maxAttempts()) {
            deadLetter(e, "max attempts (" + config.maxAttempts() + ") reached; last failure: " + why.text);
            return;
        }
        metrics.redelivered(why);
        if (delayMs <= 0) {
            e.retryAtMs = now;
            window.ready(e);
        } else {
            window.waitUntil(e, now + delayMs);
        }
        state.putMessage(e);
    }

    private void deadLetter(PendingMessage e, String reason) {
        e.state = PendingMessage.State.DEAD_LETTERING;
        e.generation++;
        e.deadLetterReason = reason;
        state.putMessage(e);
        appendDeadLetter(e);
    }

    /**
     * Appends the message to the dead-letter topic (created with defaults if needed); only once
     * that append is durable is the message done. A failed append is retried with backoff.
     */
    private void appendDeadLetter(PendingMessage e) {
        int generation = e.generation;
        try {
            DurableTopic dlq = env.topics().createIfAbsent(config.deadLetterTopicFor(id.topic()), TopicConfig.DEFAULTS);
            Partition target = DeadLetterRecords.partitionFor(dlq.partitions(), e.message);
            Record record = DeadLetterRecords.record(e.message, id.group(), e.attempts, e.firstFailureMs,
                    e.deadLetterReason, clock.now());
            deadLetterAppends++;
            target.append(List.of(record)).whenComplete((r, err) -> executor.execute(() -> {
                deadLetterAppends--;
                deadLetterAppended(e, generation, err);
            }));
        } catch (RuntimeException ex) {
            deadLetterAppended(e, generation, ex);
        }
    }

    private void deadLetterAppended(PendingMessage e, int generation, Throwable err) {
        if (ended || e.generation != generation || e.state != PendingMessage.State.DEAD_LETTERING) {
            // The group was moved (a seek) or ended meanwhile. A close waiting for this append goes on.
            if (closing && !ended) {
                finishClose();
            }
            return;
        }
        if (err == null) {
            done(e);
            metrics.deadLettered.increment();
            deadLetteredSinceStart++;
            if (closing) {
                afterChange();
                finishClose();
            } else {
                dispatch();
            }
            return;
        }
        if (closing) {
            finishClose(); // the message stays pending: the next start moves it
            return;
        }
        e.deadLetterFailures++;
        long delay = Math.min(DEAD_LETTER_RETRY_MAX_MS, 1000L << Math.min(5, e.deadLetterFailures - 1));
        log.warn("group {}: moving {}/{}@{} to the dead-letter topic failed (retry in {} ms): {}", id, id.topic(),
                e.partition, e.offset, delay, err.toString());
        window.wakeAt(e, clock.now() + delay);
        afterChange();
    }

    // ---------------------------------------------------------------------------------------
    // Time

    private void onTick() {
        if (ended || closing) {
            return;
        }
        if (topic.isDeleted()) {
            endNow(ErrorCode.TOPIC_NOT_FOUND, "durable topic '" + id.topic() + "' was deleted", true);
            return;
        }
        if (started) {
            syncPartitions();
        }
        runTimers(true);
        dispatch();
    }

    private void onWakeup() {
        clock.wokeUp();
        if (ended || closing) {
            return;
        }
        runTimers(false);
        dispatch();
    }

    /** Times out overdue deliveries and runs due retries; {@code full}: check every delivery, not just the oldest. */
    private void runTimers(boolean full) {
        long now = clock.now();
        if (full) {
            for (PendingMessage e : inFlight.values()) {
                if (e.deadlineMs <= now) {
                    timedOut(e);
                }
            }
        } else {
            // Deadlines mostly follow delivery order: the oldest overdue ones are at the front.
            while (!inFlight.isEmpty() && inFlight.first().deadlineMs <= now) {
                timedOut(inFlight.first());
            }
        }
        for (PendingMessage e : window.dueTimers(now)) {
            if (e.state == PendingMessage.State.DEAD_LETTERING) {
                appendDeadLetter(e);
            }
        }
    }

    private void timedOut(PendingMessage e) {
        log.debug("group {}: delivery {} to {} timed out", id, e.deliveryId, e.owner.name());
        untrack(e);
        fail(e, PendingMessage.Failure.TIMEOUT, 0);
    }

    /** Persists what changed and arms the next wake-up. Ends every task that changed state. */
    private void afterChange() {
        // One reading of the clock: an append stamped at `now` holds every record due by `now`.
        long now = clock.now();
        state.releaseHeld(now, closing);
        for (PartitionCursor c : window.cursors()) {
            long deliveredEnd = state.deliveredEndToPersist(c.id, c.deliveredEnd);
            if (c.dirty || deliveredEnd != c.persistedDeliveredEnd) {
                state.putPartition(c.id, c.committed, deliveredEnd);
                c.persistedDeliveredEnd = deliveredEnd;
                c.dirty = false;
            }
        }
        inFlightCount = inFlight.size();
        flushState(now);
        if (closing || ended) {
            return;
        }
        long due = Long.MAX_VALUE;
        if (!inFlight.isEmpty()) {
            due = inFlight.first().deadlineMs;
        }
        due = Math.min(due, Math.min(window.nextTimerMs(), state.nextReleaseMs()));
        clock.wakeAt(due, this::onWakeup);
    }

    private void flushState() {
        flushState(clock.now());
    }

    private void flushState(long now) {
        if (state == null) {
            return;
        }
        // A wall clock that stepped back (now below the last attempt or append) holds no write back.
        if (stateFailing && !closing && now < stateRetryAtMs && now >= stateRetryAtMs - STATE_RETRY_MS) {
            return;
        }
        if (state.appendDue()) {
            long dueMs = lastStateAppendMs + STATE_APPEND_INTERVAL_MS;
            // A backlog of more than one append's worth is written at once, so the pace never caps throughput.
            if (!closing && now < dueMs && now >= lastStateAppendMs && !state.backlogged()) {
                clock.wakeAt(dueMs, this::onWakeup);
                return;
            }
            lastStateAppendMs = now;
        }
        state.flush(executor, this::stateWritten, this::stateWriteFailed);
    }

    private void stateWritten() {
        if (stateFailing) {
            log.info("group {}: its state log takes writes again", id);
            stateFailing = false;
        }
        if (closing) {
            finishClose();
        } else if (!ended) {
            flushState();
        }
    }

    private void stateWriteFailed(Throwable err) {
        metrics.stateWriteFailures.increment();
        if (!stateFailing) {
            log.warn("group {}: writing its state failed (kept in memory, retried; a restart now would "
                    + "redeliver what was acknowledged since): {}", id, err.toString());
        }
        stateFailing = true;
        stateRetryAtMs = clock.now() + STATE_RETRY_MS;
        if (closing) {
            finishClose();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Describe and end

    private GroupInfo info() {
        List<GroupInfo.PartitionInfo> parts = window.partitionInfos();
        long lag = parts.stream().mapToLong(GroupInfo.PartitionInfo::lag).sum();
        List<GroupInfo.MemberInfo> ms = new ArrayList<>(members.size());
        for (GroupMember m : members) {
            ms.add(new GroupInfo.MemberInfo(m.name(), m.effectivePrefetch, m.inFlight.size()));
        }
        long dlqDepth = env.topics().find(config.deadLetterTopicFor(id.topic()))
                .map(t -> t.partitions().stream().mapToLong(p -> p.endOffset() - p.startOffset()).sum())
                .orElse(0L);
        return new GroupInfo(id.topic(), id.group(), config, started, ms, parts, lag, inFlight.size(), window.waiting(),
                deadLetteredSinceStart, dlqDepth);
    }

    /**
     * Ends the group: members are told why ({@code code}: GROUP_NOT_FOUND or TOPIC_NOT_FOUND when it
     * was deleted, UNAVAILABLE at shutdown, STATE_STORE_FAILED when its state cannot load);
     * {@code deleteState} removes its files.
     */
    private void endNow(ErrorCode code, String reason, boolean deleteState) {
        if (ended) {
            return;
        }
        ended = true;
        endCode = code;
        endReason = reason;
        clock.stop();
        for (PartitionCursor c : window.cursors()) {
            closeQuietly(c.watch);
        }
        List<GroupMember> told = new ArrayList<>(members);
        members.clear();
        inFlight.clear();
        inFlightCount = 0;
        for (GroupMember m : told) {
            m.left = true;
            memberCount.decrementAndGet();
            try {
                m.sink.ended(code, reason);
            } catch (RuntimeException e) {
                log.warn("group {}: telling {} that the group ended failed: {}", id, m.name(), e.toString());
            }
        }
        if (metrics != null) {
            metrics.remove();
        }
        try {
            if (state != null) {
                if (deleteState) {
                    state.delete();
                } else {
                    state.close();
                }
            }
            if (deleteState) {
                GroupStateLog.removeDirectory(dir);
            }
        } catch (RuntimeException e) {
            log.warn("group {}: closing its state log failed: {}", id, e.toString());
        }
        log.atInfo().addKeyValue("event", "group_ended").addKeyValue("topic", id.topic())
                .addKeyValue("group", id.group()).log("group {}: ended: {}", id, reason);
        env.onEnded().accept(this);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // a watch handle only removes a listener
        }
    }

    @Override
    public String toString() {
        return "ConsumerGroup[" + id + "]";
    }
}
