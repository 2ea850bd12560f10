package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.topic.SubscriptionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The state the broker keeps for one client identifier (MQTT 5.0 §4.1): its subscriptions, the
 * messages queued for it, the outbound QoS 1/2 messages in flight with their packet identifiers,
 * the inbound QoS 2 packet identifiers awaiting PUBREL, its will and its expiry.
 *
 * <h2>Threading</h2>
 * A session is an actor. Its state is confined to one {@link SessionLoop}, its owner: the loop of
 * the connection it is attached to, or of the last one. Other threads talk to it only through
 * {@link #tell} and {@link #offer}, which put a task in the session's mailbox; the mailbox is
 * drained on the owner loop, in order. When a client reconnects on another loop, ownership moves
 * there with the connect task, and a drain that finds itself on the wrong loop continues on the
 * right one, so per-publisher message order survives a takeover.
 *
 * <p>Methods marked "on the loop" must be called on the owner loop by the attached connection
 * (which runs there); {@link #isAttached} tells a connection whether it still is attached.
 *
 * <h2>Outbound flow (MQTT 5.0 §4.3, §4.4, §4.9)</h2>
 * A QoS 1/2 delivery gets a packet identifier and an in-flight entry when it is sent, as long as
 * fewer than {@code window} (the client's Receive Maximum, capped by our own) are unacknowledged;
 * otherwise it waits in the queue. On reconnect with a kept session, in-flight PUBLISH packets are
 * re-sent with DUP set and their original identifiers, PUBRELs re-sent, in the original order
 * [MQTT-4.4.0-1], [MQTT-4.6.0-1].
 *
 * <h2>Persistence</h2>
 * A session kept after its connection ends (expiry above 0) is <em>persistent</em>: it writes its
 * state to the host's {@link SessionJournal} as it changes — itself, its will and expiry on connect
 * and disconnect, subscriptions, the state of each QoS 1/2 delivery (the router stores the message
 * before offering it), inbound QoS 2 identifiers — and forgets it all when it ends. At start the
 * broker recreates persistent sessions with {@link #restore} and {@link #resumeAfterRestart}.
 *
 * <h2>Deliveries with an {@link DeliveryAck}</h2>
 * Consumer-group deliveries carry an ack callback and are bounded by their sender (the member's
 * prefetch), so neither the mailbox bound nor the overflow policy applies to them. They share the
 * packet identifiers and the in-flight window with other deliveries, but they are never kept for
 * an absent client: when the connection goes (or is taken over) or the session ends, they are
 * handed back ({@link DeliveryAck#released}), and a PUBACK tells the sender the client's answer.
 * Nor does the session journal store them (they hold no {@link JournalEntry}): the consumer group
 * keeps them and redelivers them after a restart, so a restored session never holds one.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final int DRAIN_BATCH = 512;
    /**
     * Payload bytes queued at which a session whose client is taking messages counts as congested (its publishers
     * are held back), alongside half the queue's message limit; decongested again at half of it. With large
     * payloads the message mark alone would let tens of MiB — hundreds of milliseconds of delivery — wait in
     * the queue before publishers are held back (500 messages of 64 KiB are 32 MiB).
     */
    static final long QUEUE_HIGH_BYTES = 4L << 20;
    private static final long QUEUE_LOW_BYTES = QUEUE_HIGH_BYTES / 2;

    private static final class Inflight {
        final Delivery delivery;
        final int packetId;
        OutboundState state;
        boolean sent;

        Inflight(Delivery delivery, int packetId, OutboundState state) {
            this.delivery = delivery;
            this.packetId = packetId;
            this.state = state;
        }
    }

    private final String clientId;
    private final SessionHost host;
    private final SessionConfig config;
    private final SessionJournal journal;
    private final int mailboxLimit;

    private final int mailboxHigh;
    private final int mailboxLow;
    private final int queueHigh;
    private final int queueLow;
    /** A live client's bounds (see {@link #overMailboxBound}, {@link #makeRoom}): never reached under back-pressure. */
    private final int mailboxHardLimit;
    private final int queueHardLimit;
    private final long slowSubscriberTimeoutMillis;
    /** When a connected client's full queue last made the log say so (clock millis); owner loop. */
    private long lastOverflowLogMillis = Long.MIN_VALUE;

    private volatile SessionLoop loop;
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    /** Publishers held back by this session, woken first-in first-out (the longest waiting first). */
    private final ConcurrentLinkedQueue<Runnable> decongestionWaiters = new ConcurrentLinkedQueue<>();
    /** The queue's size as of the last task, for other threads deciding on back-pressure. */
    private volatile int queuedApprox;
    /** The payload bytes in the queue as of the last task ({@link #queuedBytes}), for other threads. */
    private volatile long queuedBytesApprox;
    /** The in-flight window's size as of the last task, for the in-flight gauge. */
    private volatile int inflightApprox;
    /** When the connected client last took a message or acknowledged one (clock millis). */
    private volatile long lastProgressMillis;
    private final AtomicInteger mailboxSize = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Whether the session writes its state to the journal; written on the owner loop. */
    private volatile boolean persistent;

    // Everything below is confined to the owner loop, except the volatile flags read elsewhere.
    private SessionLink link;
    /**
     * Who the session belongs to; null until the first connect, or for a session restored from a
     * journal written before owners were recorded (the next connection that resumes it adopts it).
     */
    private SessionOwner owner;
    private volatile boolean connected;
    private volatile boolean ended;
    private boolean fresh = true;
    private boolean wroteSinceFlush;
    private long expirySeconds;
    private long disconnectedAtMillis = -1;
    private CompletableFuture<?> lastInboundWrite;
    private Will will;
    private Will pendingWill;
    private SessionLoop.Cancellable willTimer;
    private SessionLoop.Cancellable expiryTimer;
    private int expiryGeneration;
    private final Map<String, SubscriptionOptions> subscriptions = new HashMap<>(4);
    private ArrayDeque<Delivery> queue;
    /** Deliveries with an ack callback in {@link #queue} (not subject to the overflow policy). */
    private int ackedQueued;
    /** Payload bytes of the deliveries in {@link #queue}. */
    private long queuedBytes;
    private LinkedHashMap<Integer, Inflight> inflight;
    private int sentUnacked;
    private int unsent;
    private int window = 1;
    private int nextPacketId = 1;
    private BitSet inboundQos2;
    private int inboundQos2Count;

    public Session(String clientId, SessionHost host, SessionLoop loop) {
        this.clientId = clientId;
        this.host = host;
        this.config = host.sessionConfig();
        this.journal = host.journal();
        this.loop = loop;
        // A mailbox only buffers hand-offs between loops; beyond this many pending deliveries the
        // owner cannot keep up and new ones are refused (counted), keeping memory bounded.
        this.mailboxLimit = Math.max(1024, config.maxQueuedMessages() * 2);
        this.mailboxHigh = Math.max(64, mailboxLimit / 4);
        this.mailboxLow = mailboxHigh / 2;
        this.queueHigh = Math.max(1, config.maxQueuedMessages() / 2);
        this.queueLow = queueHigh / 2;
        this.mailboxHardLimit = mailboxLimit * 4;
        this.queueHardLimit = config.maxQueuedMessages() + mailboxHardLimit;
        this.slowSubscriberTimeoutMillis = config.slowSubscriberTimeoutMs();
    }

    public String clientId() {
        return clientId;
    }

    /** On the loop. Who the session belongs to; null when not known (see {@link #connect}). */
    public SessionOwner owner() {
        return owner;
    }

    /** Any thread. Whether a connection is attached. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * Any thread. Whether the session is kept in the journal: the router then stores QoS 1/2
     * messages for it before offering them.
     */
    public boolean isPersistent() {
        return persistent;
    }

    /**
     * On the loop. The journal write of the latest inbound QoS 2 change ({@link #inboundQos2Received},
     * {@link #inboundPubRel}): PUBREC and PUBCOMP wait for it. Null when the session is not persistent.
     */
    public CompletableFuture<?> inboundWrite() {
        return persistent ? lastInboundWrite : null;
    }

    /** Any thread. Whether the session has ended; an ended session takes no more deliveries. */
    public boolean isEnded() {
        return ended;
    }

    /** Any thread. The loop that currently owns the session. */
    public SessionLoop loop() {
        return loop;
    }

    // ---------------------------------------------------------------------------------------
    // Mailbox

    /** Any thread. Runs {@code task} on the owner loop, after the tasks told before it. */
    public void tell(Runnable task) {
        mailbox.offer(task);
        mailboxSize.incrementAndGet();
        if (drainScheduled.compareAndSet(false, true)) {
            // From another loop's read burst the drain goes over with that burst's other hand-offs to
            // this loop: one wake-up per burst, not per session (LoopHandOffs); the mailbox keeps the order.
            LoopHandOffs.execute(loop, drainTask);
        }
    }

    /**
     * Any thread. Hands a delivery to the session.
     *
     * @return true if the session is congested: the publisher should pause until
     *         {@link #whenDecongested} calls back (see {@link #isCongested})
     */
    public boolean offer(Delivery delivery) {
        // A delivery with an ack callback is bounded by its sender's window (a member's prefetch).
        if (delivery.ack() == null && overMailboxBound(delivery)) {
            drop(delivery, DropReason.MAILBOX_FULL);
            return true;
        }
        tell(() -> deliver(delivery));
        return isCongested();
    }

    // ---------------------------------------------------------------------------------------
    // Back-pressure: when publishers hold back for this session, and when it drops instead

    /**
     * Any thread. Whether publishers should hold back: messages reach the session faster than its
     * loop takes them in, or its client is alive ({@link #isTakingMessages}) yet its queue is half
     * full or holds {@link #QUEUE_HIGH_BYTES} of payload. A client that takes nothing for the
     * slow-subscriber timeout — gone, or stuck — does not
     * hold publishers back: its queue fills and the overflow policy applies, so one stuck
     * subscriber cannot stall a topic. Back-pressure rather than drops is what keeps a fast
     * publisher from overrunning subscribers that keep up, however slowly. While publishers wait for
     * {@link #whenDecongested}, the session counts as congested until it is decongested, so that every
     * publisher waits its turn.
     */
    public boolean isCongested() {
        if (mailboxSize.get() > mailboxHigh) {
            return true;
        }
        if ((queuedApprox >= queueHigh || queuedBytesApprox >= QUEUE_HIGH_BYTES) && isTakingMessages()) {
            return true;
        }
        // Publishers already wait: a newcomer waits behind them until the session is decongested, or
        // the ones still running would keep it between the marks and those waiting would starve.
        return !decongestionWaiters.isEmpty() && !isDecongested();
    }

    /**
     * Any thread. Whether a publisher held back by this session may go on: its mailbox and queue are
     * below half the marks of {@link #isCongested}, or its client is not there or has stalled.
     */
    public boolean isDecongested() {
        return mailboxSize.get() <= mailboxLow
                && ((queuedApprox <= queueLow && queuedBytesApprox <= QUEUE_LOW_BYTES) || !isTakingMessages());
    }

    /**
     * Any thread. Whether a client is connected and has taken or acknowledged a message within the
     * slow-subscriber timeout ({@link SessionConfig#slowSubscriberTimeoutMs}).
     */
    public boolean isTakingMessages() {
        return connected && host.clock().millis() - lastProgressMillis < slowSubscriberTimeoutMillis;
    }

    /** Any thread. Whether a client is connected but has taken nothing for the slow-subscriber timeout. */
    public boolean isStalled() {
        return connected && host.clock().millis() - lastProgressMillis >= slowSubscriberTimeoutMillis;
    }

    /**
     * Any thread. Milliseconds until a connected client that takes nothing more counts as stalled
     * (0 if it does already); the slow-subscriber timeout when none is connected.
     */
    public long millisUntilStalled() {
        if (!connected) {
            return slowSubscriberTimeoutMillis;
        }
        return Math.max(0, lastProgressMillis + slowSubscriberTimeoutMillis - host.clock().millis());
    }

    /**
     * Any thread. Runs {@code resume} once (on this session's loop) when the session is
     * {@link #isDecongested decongested} — its client caught up or left — soon if it already is. A session
     * whose client stalls wakes nobody: a caller must also check {@link #isDecongested} on a timer.
     */
    public void whenDecongested(Runnable resume) {
        decongestionWaiters.add(resume);
        if (isDecongested()) {
            tell(this::releaseWaitersIfDecongested);
        }
    }

    private void releaseWaitersIfDecongested() {
        if (decongestionWaiters.isEmpty() || !isDecongested()) {
            return;
        }
        Runnable r;
        while ((r = decongestionWaiters.poll()) != null) {
            r.run();
        }
    }

    /**
     * Past the mailbox bound a delivery is refused ({@code mailbox_full}) — except a QoS 1/2 one for a
     * client that is taking messages: its publishers were told the session is congested (above a
     * quarter of the bound) and stop reading, so each gets at most the message it was routing past the
     * mark; refusing it would lose a message its publisher has been (or is about to be) acknowledged.
     * A hard bound four times larger still holds for senders without back-pressure.
     */
    private boolean overMailboxBound(Delivery d) {
        int size = mailboxSize.get();
        if (size < mailboxLimit) {
            return false;
        }
        return d.qos() == 0 || size >= mailboxHardLimit || !isTakingMessages();
    }

    /**
     * On the loop. The queue is full ({@code maxQueuedMessages}) and {@code d} arrives: whether it is
     * queued. For a client that is taking messages, a QoS 1/2 delivery is queued past the limit (its
     * publishers are held back, so the excess is bounded by what was in the mailbox) and only QoS 0
     * deliveries make room. Otherwise — offline, or stalled past the slow-subscriber timeout — the
     * overflow policy applies to every delivery, counted as {@code queue_full}.
     */
    private boolean makeRoom(Delivery d) {
        boolean live = isTakingMessages();
        if (live && d.qos() > 0 && queue.size() - ackedQueued < queueHardLimit) {
            return true;
        }
        if (connected && !live) {
            logStalledOverflow();
        }
        if (config.overflowPolicy() == OverflowPolicy.DROP_NEWEST) {
            drop(d, DropReason.QUEUE_FULL);
            return false;
        }
        Delivery oldest = removeOldestUnacked(live);
        if (oldest == null) {
            drop(d, DropReason.QUEUE_FULL);
            return false;
        }
        drop(oldest, DropReason.QUEUE_FULL);
        return true;
    }

    private void logStalledOverflow() {
        long now = host.clock().millis();
        if (lastOverflowLogMillis == Long.MIN_VALUE || now - lastOverflowLogMillis >= 60_000) {
            lastOverflowLogMillis = now; // one line a minute per session at most; the metric counts each
            log.atWarn().addKeyValue("event", "slow_subscriber").addKeyValue("client", clientId)
                    .log("session {}: connected but took nothing for {} ms; its queue of {} is full and the "
                            + "overflow policy {} applies (counted as queue_full)", clientId,
                            now - lastProgressMillis, config.maxQueuedMessages(), config.overflowPolicy());
        }
    }

    private void drain() {
        SessionLoop owner = loop;
        if (!owner.inLoop()) {
            owner.execute(drainTask);
            return;
        }
        int n = 0;
        Runnable task;
        while ((task = mailbox.poll()) != null) {
            mailboxSize.decrementAndGet();
            try {
                task.run();
            } catch (RuntimeException | AssertionError e) {
                log.error("session {}: a session task failed; the session goes on", clientId, e);
            }
            if (loop != owner) {
                // Ownership moved (takeover from another loop): go on there, in order.
                flushIfNeeded();
                loop.execute(drainTask);
                return;
            }
            if (++n == DRAIN_BATCH) {
                flushIfNeeded();
                owner.execute(drainTask);
                return;
            }
        }
        drainScheduled.set(false);
        if (!mailbox.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            owner.execute(drainTask);
        }
        flushIfNeeded();
        afterPump();
    }

    private void flushIfNeeded() {
        if (wroteSinceFlush && link != null) {
            wroteSinceFlush = false;
            link.flush();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Connect, takeover, detach, end

    /**
     * On the loop (as a mailbox task). Attaches a new connection: takes the session over from a
     * connection still attached, applies Clean Start, and then attaches on the new connection's
     * loop, where {@code callback} runs (to send CONNACK) before anything is sent to the client.
     * A request whose {@link ConnectRequest#owner()} is not the session's {@link #owner()} changes
     * nothing: {@code callback} gets a {@link ConnectResult#notOwner()} result. A session whose owner
     * is not known (restored from an older journal) is adopted by the first connection.
     */
    public void connect(ConnectRequest request, SessionLink newLink, SessionLoop newLoop,
                        Consumer<ConnectResult> callback) {
        if (ended) {
            host.reconnect(request, newLink, newLoop, callback);
            return;
        }
        if (owner != null && !owner.equals(request.owner())) {
            // Someone else's session: no takeover, no resume and no Clean Start (that would discard the
            // owner's queued messages). Nothing here changes; the connection is told on its own loop.
            ConnectResult refused = ConnectResult.notOwner(this);
            if (newLoop.inLoop()) {
                callback.accept(refused);
            } else {
                newLoop.execute(() -> callback.accept(refused));
            }
            return;
        }
        if (owner == null && !fresh) {
            log.info("session {}: restored without a recorded owner; now owned by {}", clientId,
                    request.owner().describe());
        }
        owner = request.owner();
        SessionLink old = link;
        boolean wasConnected = connected;
        Will oldWill = will;
        link = newLink;
        connected = false;
        will = null;
        if (old != null) {
            releaseAcked();
            resetInflightForResend();
            releaseWaitersIfDecongested(); // the old client is gone: publishers it held back go on
            old.takenOver();
            log.debug("session {}: taken over from {} by {}", clientId, old.describe(), newLink.describe());
        }
        // The taken-over connection ended without DISCONNECT: its will goes out now if it has no
        // delay or if this session ends here; a delayed will is cancelled by the new connection
        // [MQTT-3.1.3-9].
        boolean sessionEnds = request.cleanStart() || (wasConnected && expirySeconds == 0);
        if (oldWill != null && (oldWill.delaySeconds() == 0 || sessionEnds)) {
            host.publishWill(this, oldWill);
        }
        if (pendingWill != null) {
            if (sessionEnds) {
                host.publishWill(this, pendingWill);
            }
            cancelWillTimer();
        }
        cancelExpiryTimer();
        boolean present = !fresh && !sessionEnds;
        if (!present) {
            clearState();
        }
        fresh = false;
        expirySeconds = request.expirySeconds();
        will = request.will();
        window = Math.min(config.maxInflight(), request.receiveMaximum());
        disconnectedAtMillis = -1;
        persist(expirySeconds > 0);
        if (newLoop.inLoop()) {
            loop = newLoop;
            attach(newLink, present, callback);
        } else {
            // What this loop batched for the session reaches the journal before the new loop writes.
            journal.flush();
            loop = newLoop;
            newLoop.execute(() -> attach(newLink, present, callback));
        }
    }

    /** On the loop, at connect: starts, goes on with, or stops keeping the session in the journal. */
    private void persist(boolean keep) {
        boolean want = keep && journal.enabled();
        if (persistent && !want) {
            // Kept until now, but this connection's session ends with it (expiry 0): forget it now.
            journal.forget(this, subscriptions.keySet(), journaled(), inboundQos2);
        }
        boolean was = persistent;
        persistent = want;
        if (want) {
            journal.session(this, expirySeconds, -1, will);
            if (!was) {
                subscriptions.forEach((filter, options) -> journal.subscription(this, filter, options));
            }
        }
    }

    private void attach(SessionLink newLink, boolean present, Consumer<ConnectResult> callback) {
        if (link != newLink || ended) {
            // Taken over again before this attach ran: that connection has been told to close.
            return;
        }
        connected = true;
        lastProgressMillis = host.clock().millis();
        callback.accept(new ConnectResult(this, present));
        if (link != newLink || !connected) {
            return;
        }
        pump();
        flushIfNeeded();
    }

    /** On the loop. Whether {@code l} is the attached connection. */
    public boolean isAttached(SessionLink l) {
        return link == l && connected;
    }

    /**
     * Any thread. The connection ended. Runs on the owner loop, after earlier tasks; does nothing
     * if {@code l} is no longer the attached connection (it was taken over).
     *
     * @param newExpirySeconds the Session Expiry Interval from a v5 DISCONNECT, or -1 to keep it
     */
    public void detach(SessionLink l, DisconnectKind kind, long newExpirySeconds) {
        tell(() -> detachNow(l, kind, newExpirySeconds));
    }

    /**
     * On the loop, by the attached connection: as {@link #detach}, but now rather than after the tasks
     * already in the mailbox. A connection that received DISCONNECT uses it, so that a connect for the
     * same client identifier that is already waiting in the mailbox (a client reconnecting at once)
     * finds the will settled as the DISCONNECT said [MQTT-3.1.2-10]; through the mailbox it would find
     * the old connection still attached, take it over, and publish the will.
     */
    public void detachAtOnce(SessionLink l, DisconnectKind kind, long newExpirySeconds) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("session " + clientId + ": detachAtOnce called off its loop");
        }
        detachNow(l, kind, newExpirySeconds);
        releaseWaitersIfDecongested(); // publishers held back by this client go on now
    }

    private void detachNow(SessionLink l, DisconnectKind kind, long newExpirySeconds) {
        if (link != l || ended) {
            return;
        }
        link = null;
        connected = false;
        wroteSinceFlush = false;
        if (newExpirySeconds >= 0) {
            expirySeconds = Math.min(newExpirySeconds, config.maxSessionExpirySeconds());
        }
        Will w = will;
        will = null;
        releaseAcked();
        resetInflightForResend();
        if (w != null && kind != DisconnectKind.NORMAL) {
            if (w.delaySeconds() == 0 || expirySeconds == 0) {
                host.publishWill(this, w);
            } else {
                pendingWill = w;
                SessionLoop owner = loop;
                willTimer = owner.schedule(() -> tell(this::firePendingWill), w.delaySeconds(), TimeUnit.SECONDS);
            }
        }
        if (expirySeconds == 0) {
            end();
            return;
        }
        redistributeShared();
        disconnectedAtMillis = host.clock().millis();
        if (persistent) {
            journal.session(this, expirySeconds, disconnectedAtMillis, pendingWill);
        }
        scheduleExpiry(expirySeconds * 1000L);
    }

    private void scheduleExpiry(long delayMillis) {
        if (expirySeconds != SessionConfig.NEVER_EXPIRES) {
            int generation = ++expiryGeneration;
            expiryTimer = loop.schedule(() -> tell(() -> {
                if (generation == expiryGeneration && !connected) {
                    log.debug("session {}: expired", clientId);
                    end();
                }
            }), delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void firePendingWill() {
        willTimer = null;
        Will w = pendingWill;
        pendingWill = null;
        if (w != null && !connected && !ended) {
            host.publishWill(this, w);
            if (persistent) {
                journal.session(this, expirySeconds, disconnectedAtMillis, null);
            }
        }
    }

    /** On the loop. Ends the session now: publishes a pending will and forgets everything. */
    public void end() {
        if (ended) {
            return;
        }
        if (pendingWill != null) {
            host.publishWill(this, pendingWill);
            pendingWill = null;
        }
        cancelWillTimer();
        cancelExpiryTimer();
        clearState();
        persistent = false;
        ended = true;
        connected = false;
        link = null;
        host.sessionEnded(this);
    }

    private void clearState() {
        // Messages routed here through a shared subscription go to another member rather than
        // being lost with the session (§4.8.2: "If the Client's Session terminates before the
        // Client reconnects, the Server SHOULD send the Application Message to another Client").
        redistributeShared();
        if (persistent) {
            journal.forget(this, subscriptions.keySet(), journaled(), inboundQos2);
        }
        releaseAcked();
        if (!subscriptions.isEmpty()) {
            host.removeSubscriptions(this, List.copyOf(subscriptions.keySet()));
            subscriptions.clear();
        }
        int dropped = (queue == null ? 0 : queue.size()) + (inflight == null ? 0 : inflight.size());
        for (int i = 0; i < dropped; i++) {
            host.dropped(DropReason.SESSION_ENDED);
        }
        queue = null;
        ackedQueued = 0;
        queuedBytes = 0;
        inflight = null;
        sentUnacked = 0;
        unsent = 0;
        inboundQos2 = null;
        inboundQos2Count = 0;
    }

    private void cancelWillTimer() {
        if (willTimer != null) {
            willTimer.cancel();
            willTimer = null;
        }
        pendingWill = null;
    }

    private void cancelExpiryTimer() {
        expiryGeneration++;
        if (expiryTimer != null) {
            expiryTimer.cancel();
            expiryTimer = null;
        }
    }

    private void resetInflightForResend() {
        sentUnacked = 0;
        if (inflight == null) {
            unsent = 0;
            return;
        }
        for (Inflight e : inflight.values()) {
            e.sent = false;
        }
        unsent = inflight.size();
    }

    /** Hands every delivery with an ack callback back to its sender: the client is gone. */
    private void releaseAcked() {
        if (queue != null && ackedQueued > 0) {
            Iterator<Delivery> it = queue.iterator();
            while (it.hasNext()) {
                Delivery d = it.next();
                if (d.ack() != null) {
                    it.remove();
                    ackedQueued--;
                    queuedBytes -= payloadBytes(d);
                    d.ack().released(false);
                }
            }
        }
        if (inflight != null) {
            Iterator<Inflight> it = inflight.values().iterator();
            while (it.hasNext()) {
                Inflight e = it.next();
                if (e.delivery.ack() != null) {
                    it.remove();
                    if (e.sent) {
                        sentUnacked--;
                    } else {
                        unsent--;
                    }
                    e.delivery.ack().released(e.sent);
                }
            }
        }
    }

    /**
     * Shared-subscription messages of a departed member go to another member that is connected
     * (MQTT 5.0 §4.8.2 allows this as soon as the connection is lost). A QoS 2 message whose PUBREC
     * arrived stays: the client has it.
     */
    private void redistributeShared() {
        if (queue != null) {
            Iterator<Delivery> it = queue.iterator();
            while (it.hasNext()) {
                Delivery d = it.next();
                if (d.group() != null && host.redistribute(this, d)) {
                    it.remove();
                    queuedBytes -= payloadBytes(d);
                    release(d);
                }
            }
        }
        if (inflight != null) {
            Iterator<Inflight> it = inflight.values().iterator();
            while (it.hasNext()) {
                Inflight e = it.next();
                if (e.delivery.group() != null && e.state != OutboundState.AWAIT_PUBCOMP
                        && host.redistribute(this, e.delivery)) {
                    it.remove();
                    unsent--;
                    release(e.delivery);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Restart

    /**
     * On the loop, before anything else reaches the session (the broker tells it first): takes the
     * state the journal kept. The session is disconnected and present; its timers start with
     * {@link #resumeAfterRestart}. In-flight messages are re-sent with DUP when the client
     * reconnects [MQTT-4.4.0-1].
     */
    public void restore(RestoredSession r) {
        fresh = false;
        owner = r.owner();
        persistent = journal.enabled();
        expirySeconds = r.expirySeconds();
        disconnectedAtMillis = r.disconnectedAtMillis();
        pendingWill = r.will();
        subscriptions.putAll(r.subscriptions());
        if (!r.inflight().isEmpty()) {
            inflight = new LinkedHashMap<>(Math.max(16, r.inflight().size() * 2));
            for (RestoredSession.Outbound o : r.inflight()) {
                Inflight previous = inflight.put(o.packetId(), new Inflight(o.delivery(), o.packetId(), o.state()));
                if (previous != null) {
                    log.warn("session {}: two stored in-flight messages with packet identifier {}; keeping the later",
                            clientId, o.packetId());
                    release(previous.delivery);
                }
                nextPacketId = o.packetId() == 65_535 ? 1 : o.packetId() + 1;
            }
            unsent = inflight.size();
        }
        if (!r.queued().isEmpty()) {
            queue = new ArrayDeque<>(r.queued());
            for (Delivery d : queue) {
                queuedBytes += payloadBytes(d);
            }
        }
        for (int packetId : r.inboundQos2()) {
            if (inboundQos2 == null) {
                inboundQos2 = new BitSet();
            }
            if (!inboundQos2.get(packetId)) {
                inboundQos2.set(packetId);
                inboundQos2Count++;
            }
        }
        queuedApprox = queuedCount();
        queuedBytesApprox = queuedBytes;
        inflightApprox = inflightCount();
    }

    /**
     * On the loop, once every restored session is back in the broker: starts the expiry and will
     * timers from when the connection ended — for a session that was connected when the broker
     * stopped, now: its connection ended abnormally, so its will is due after its delay (MQTT 5.0
     * §3.1.2.5) unless the client reconnects first. A session whose expiry passed while the broker
     * was down ends now, publishing its will.
     */
    public void resumeAfterRestart() {
        if (ended || connected) {
            return;
        }
        long now = host.clock().millis();
        if (disconnectedAtMillis < 0) {
            disconnectedAtMillis = now;
            if (persistent) {
                journal.session(this, expirySeconds, now, pendingWill);
            }
        }
        long expiresAt = expirySeconds == SessionConfig.NEVER_EXPIRES ? Long.MAX_VALUE
                : disconnectedAtMillis + expirySeconds * 1000L;
        if (expiresAt <= now) {
            log.debug("session {}: expired while the broker was down", clientId);
            end();
            return;
        }
        if (pendingWill != null) {
            long due = disconnectedAtMillis + pendingWill.delaySeconds() * 1000L;
            if (due <= now) {
                firePendingWill();
            } else {
                willTimer = loop.schedule(() -> tell(this::firePendingWill), due - now, TimeUnit.MILLISECONDS);
            }
        }
        scheduleExpiry(expiresAt - now);
    }

    // ---------------------------------------------------------------------------------------
    // Subscriptions bookkeeping (the table itself is the broker's)

    /** On the loop. Records a subscription; returns the options it replaced, or null. */
    public SubscriptionOptions putSubscription(String filter, SubscriptionOptions options) {
        if (persistent) {
            journal.subscription(this, filter, options);
        }
        return subscriptions.put(filter, options);
    }

    /** On the loop. Forgets a subscription; returns whether it existed. */
    public boolean removeSubscription(String filter) {
        boolean existed = subscriptions.remove(filter) != null;
        if (existed && persistent) {
            journal.subscription(this, filter, null);
        }
        return existed;
    }

    /** On the loop. How many topic filters the session is subscribed to. */
    public int subscriptionCount() {
        return subscriptions.size();
    }

    /** On the loop. Whether the session holds a subscription to exactly {@code filter}. */
    public boolean isSubscribed(String filter) {
        return subscriptions.containsKey(filter);
    }

    /** On the loop. A copy of the subscriptions. */
    public Map<String, SubscriptionOptions> subscriptions() {
        return Map.copyOf(subscriptions);
    }

    // ---------------------------------------------------------------------------------------
    // Outbound messages

    private void deliver(Delivery d) {
        if (d.ack() != null && (ended || !connected || !d.ack().isWanted())) {
            d.ack().released(false); // never queued for an absent client or receiver
            return;
        }
        if (ended) {
            drop(d, DropReason.SESSION_ENDED);
            return;
        }
        if (d.message().isExpired(host.clock().millis())) {
            drop(d, DropReason.EXPIRED);
            return;
        }
        boolean idle = connected && (queue == null || queue.isEmpty()) && unsent == 0 && link.isWritable();
        if (d.qos() == 0) {
            if (idle) {
                send0(d);
            } else if (connected || config.queueQos0WhenOffline()) {
                enqueue(d);
            } else {
                host.dropped(DropReason.OFFLINE_QOS0);
            }
            return;
        }
        if (idle && sentUnacked < window) {
            sendNew(d);
        } else {
            enqueue(d);
        }
    }

    private void enqueue(Delivery d) {
        if (queue == null) {
            queue = new ArrayDeque<>(8);
        }
        if (d.ack() != null) {
            ackedQueued++;
        } else if (queue.size() - ackedQueued >= config.maxQueuedMessages() && !makeRoom(d)) {
            return;
        }
        queue.add(d);
        queuedBytes += payloadBytes(d);
    }

    private static int payloadBytes(Delivery d) {
        return d.message().payload().length;
    }

    /**
     * DROP_OLDEST: the oldest queued delivery without an ack callback goes (only a QoS 0 one if
     * {@code qos0Only}); null if there is none.
     */
    private Delivery removeOldestUnacked(boolean qos0Only) {
        Iterator<Delivery> it = queue.iterator();
        while (it.hasNext()) {
            Delivery d = it.next();
            if (d.ack() == null && (!qos0Only || d.qos() == 0)) {
                it.remove();
                queuedBytes -= payloadBytes(d);
                return d;
            }
        }
        return null;
    }

    /** Takes the head of the queue. */
    private Delivery pollQueue() {
        Delivery d = queue.poll();
        if (d != null) {
            queuedBytes -= payloadBytes(d);
            if (d.ack() != null) {
                ackedQueued--;
            }
        }
        return d;
    }

    /**
     * Counts a delivery not made and lets go of its journal entry, or hands it back to the sender
     * waiting for its outcome.
     */
    private void drop(Delivery d, DropReason reason) {
        if (d.ack() == null) {
            host.dropped(reason);
            release(d);
        } else if (reason == DropReason.TOO_LARGE) {
            d.ack().undeliverable("the message is larger than the client's Maximum Packet Size");
        } else {
            d.ack().released(false);
        }
    }

    private void release(Delivery d) {
        if (d.journal() != null) {
            journal.released(this, d);
        }
    }

    /** The deliveries the session holds in the journal (never one with an ack callback). */
    private List<Delivery> journaled() {
        List<Delivery> out = new ArrayList<>();
        if (queue != null) {
            for (Delivery d : queue) {
                if (d.journal() != null) {
                    out.add(d);
                }
            }
        }
        if (inflight != null) {
            for (Inflight e : inflight.values()) {
                if (e.delivery.journal() != null) {
                    out.add(e.delivery);
                }
            }
        }
        return out;
    }

    private void send0(Delivery d) {
        long now = host.clock().millis();
        if (!link.sendPublish(d, 0, false, d.message().remainingExpirySeconds(now))) {
            drop(d, DropReason.TOO_LARGE);
        } else if (d.ack() != null) {
            d.ack().acknowledged(0, null, List.of()); // QoS 0: nothing comes back
        }
        wroteSinceFlush = true;
        progressAt(now);
    }

    private void sendNew(Delivery d) {
        if (inflight == null) {
            inflight = new LinkedHashMap<>(16);
        }
        int id = allocatePacketId();
        Inflight e = new Inflight(d, id, d.qos() == 1 ? OutboundState.AWAIT_PUBACK : OutboundState.AWAIT_PUBREC);
        long now = host.clock().millis();
        wroteSinceFlush = true;
        if (!link.sendPublish(d, id, false, d.message().remainingExpirySeconds(now))) {
            drop(d, DropReason.TOO_LARGE);
            return;
        }
        e.sent = true;
        inflight.put(id, e);
        if (d.journal() != null) {
            journal.outbound(this, d, id, e.state);
        }
        sentUnacked++;
        progressAt(now);
    }

    private int allocatePacketId() {
        // At most 65,535 are in flight (window <= Receive Maximum <= 65,535), so a free one exists.
        for (int i = 0; i < 65_535; i++) {
            int id = nextPacketId;
            nextPacketId = id == 65_535 ? 1 : id + 1;
            if (!inflight.containsKey(id)) {
                return id;
            }
        }
        throw new IllegalStateException("session " + clientId + ": no free packet identifier");
    }

    /** Sends what the window, the queue and the connection's buffer allow. */
    private void pump() {
        if (!connected) {
            return;
        }
        long now = host.clock().millis();
        if (unsent > 0) {
            Iterator<Inflight> it = inflight.values().iterator();
            while (it.hasNext() && unsent > 0) {
                Inflight e = it.next();
                if (e.sent) {
                    continue;
                }
                if (sentUnacked >= window || !link.isWritable()) {
                    return;
                }
                wroteSinceFlush = true;
                unsent--;
                if (e.state == OutboundState.AWAIT_PUBCOMP) {
                    link.sendPubRel(e.packetId);
                } else if (!link.sendPublish(e.delivery, e.packetId, true,
                        e.delivery.message().remainingExpirySeconds(now))) {
                    drop(e.delivery, DropReason.TOO_LARGE);
                    it.remove();
                    continue;
                }
                e.sent = true;
                sentUnacked++;
            }
        }
        if (queue == null) {
            return;
        }
        while (!queue.isEmpty() && link.isWritable()) {
            Delivery d = queue.peek();
            if (d.message().isExpired(now)) {
                pollQueue();
                drop(d, DropReason.EXPIRED);
                continue;
            }
            if (d.qos() == 0) {
                pollQueue();
                send0(d);
                continue;
            }
            if (sentUnacked >= window) {
                return;
            }
            pollQueue();
            sendNew(d);
        }
    }

    /** On the loop. The connection can take writes again. */
    public void onWritable() {
        progressAt(host.clock().millis());
        pump();
        afterPump();
    }

    /** On the loop. PUBACK for an outbound QoS 1 message; unknown identifiers are ignored. */
    public void onPubAck(int packetId) {
        onPubAck(packetId, 0, null, List.of());
    }

    /**
     * On the loop. PUBACK with its reason code, reason string and user properties (MQTT 5), which
     * the delivery's {@link DeliveryAck} hears; unknown identifiers are ignored.
     */
    public void onPubAck(int packetId, int reasonCode, String reasonString, List<Header> userProperties) {
        Inflight e = inflight == null ? null : inflight.get(packetId);
        if (e == null || e.state != OutboundState.AWAIT_PUBACK) {
            log.debug("session {}: PUBACK for unknown packet identifier {}", clientId, packetId);
            return;
        }
        complete(e, reasonCode, reasonString, userProperties);
    }

    /**
     * On the loop. PUBREC for an outbound QoS 2 message: answers PUBREL, or ends the flow when the
     * client refused it (reason code >= 0x80, §4.3.3).
     *
     * @return false if the identifier is unknown (MQTT 5: PUBREL with 0x92 is due)
     */
    public boolean onPubRec(int packetId, int reasonCode) {
        Inflight e = inflight == null ? null : inflight.get(packetId);
        if (e == null || e.state == OutboundState.AWAIT_PUBACK) {
            return false;
        }
        if (reasonCode >= 0x80) {
            complete(e, reasonCode, null, List.of());
            return true;
        }
        e.state = OutboundState.AWAIT_PUBCOMP;
        if (e.delivery.journal() != null) {
            journal.outbound(this, e.delivery, packetId, e.state);
        }
        link.sendPubRel(packetId);
        wroteSinceFlush = true;
        return true;
    }

    /** On the loop. PUBCOMP for an outbound QoS 2 message; unknown identifiers are ignored. */
    public void onPubComp(int packetId) {
        Inflight e = inflight == null ? null : inflight.get(packetId);
        if (e == null || e.state != OutboundState.AWAIT_PUBCOMP) {
            log.debug("session {}: PUBCOMP for unknown packet identifier {}", clientId, packetId);
            return;
        }
        complete(e, 0, null, List.of());
    }

    private void complete(Inflight e, int reasonCode, String reasonString, List<Header> userProperties) {
        inflight.remove(e.packetId);
        release(e.delivery);
        if (e.sent) {
            sentUnacked--;
        } else {
            unsent--;
        }
        if (e.delivery.ack() != null) {
            e.delivery.ack().acknowledged(reasonCode, reasonString, userProperties);
        }
        progressAt(host.clock().millis());
        pump();
        afterPump();
    }

    /** Publishes the queue's size to other threads and lets held-back publishers go if it shrank enough. */
    private void afterPump() {
        // Written only when changed: a volatile store is a fence, and at a steady rate these rarely change.
        int queued = queue == null ? 0 : queue.size();
        if (queuedApprox != queued) {
            queuedApprox = queued;
        }
        if (queuedBytesApprox != queuedBytes) {
            queuedBytesApprox = queuedBytes;
        }
        int inflightNow = inflight == null ? 0 : inflight.size();
        if (inflightApprox != inflightNow) {
            inflightApprox = inflightNow;
        }
        releaseWaitersIfDecongested();
    }

    /** On the loop. The client took or acknowledged a message at {@code nowMillis}. */
    private void progressAt(long nowMillis) {
        if (lastProgressMillis != nowMillis) { // a volatile store per message would be a fence per message
            lastProgressMillis = nowMillis;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Inbound QoS 2 (method B of §4.3.3: deliver on PUBLISH, remember the identifier until PUBREL)

    /**
     * On the loop. A QoS 2 PUBLISH arrived.
     *
     * @return true if it is new and must be routed; false if it repeats one not yet released,
     *         which must not be delivered again [MQTT-4.3.3-10]
     */
    public boolean inboundQos2Received(int packetId) {
        if (inboundQos2 == null) {
            inboundQos2 = new BitSet();
        }
        if (inboundQos2.get(packetId)) {
            return false;
        }
        inboundQos2.set(packetId);
        inboundQos2Count++;
        if (persistent) {
            lastInboundWrite = journal.inboundQos2(this, packetId, true);
        }
        return true;
    }

    /** On the loop. PUBREL arrived. @return false if the identifier is unknown (MQTT 5: PUBCOMP 0x92) */
    public boolean inboundPubRel(int packetId) {
        if (inboundQos2 == null || !inboundQos2.get(packetId)) {
            return false;
        }
        inboundQos2.clear(packetId);
        inboundQos2Count--;
        if (persistent) {
            lastInboundWrite = journal.inboundQos2(this, packetId, false);
        }
        return true;
    }

    /** On the loop. Whether an inbound QoS 2 message with this identifier awaits its PUBREL. */
    public boolean isInboundQos2Unreleased(int packetId) {
        return inboundQos2 != null && inboundQos2.get(packetId);
    }

    /** On the loop. Inbound QoS 2 messages received and not yet released. */
    public int inboundQos2Pending() {
        return inboundQos2Count;
    }

    /** Any thread. Messages queued beyond the in-flight window, as of the session's last task. */
    public int queuedApprox() {
        return queuedApprox;
    }

    /** Any thread. Outbound QoS 1/2 messages in flight, as of the session's last task. */
    public int inflightApprox() {
        return inflightApprox;
    }

    /** On the loop. The session's state now, for the admin API. */
    public SessionSnapshot snapshot() {
        return new SessionSnapshot(clientId, connected, persistent, expirySeconds,
                connected ? -1 : disconnectedAtMillis, subscriptions, queuedCount(), inflightCount());
    }

    /**
     * Any thread. {@link #snapshot()} taken on the owner loop, after the tasks told before; callers wait
     * for it with a bound (a loop that is stuck never answers).
     */
    public CompletableFuture<SessionSnapshot> snapshotLater() {
        CompletableFuture<SessionSnapshot> f = new CompletableFuture<>();
        tell(() -> f.complete(snapshot()));
        return f;
    }

    /**
     * Any thread. Ends the session on its loop as an administrator asked (its pending will is
     * published, its state and journal entries forgotten), unless it ended already. The connection
     * attached, if any, should be closed first: it then finds the session ended.
     */
    public void discard() {
        tell(() -> {
            if (!ended) {
                log.info("session {}: discarded by an administrator", clientId);
                end();
            }
        });
    }

    /** On the loop. Messages waiting beyond the in-flight window. */
    public int queuedCount() {
        return queue == null ? 0 : queue.size();
    }

    /** On the loop. Outbound QoS 1/2 messages with a packet identifier. */
    public int inflightCount() {
        return inflight == null ? 0 : inflight.size();
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
