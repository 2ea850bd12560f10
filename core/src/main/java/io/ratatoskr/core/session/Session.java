package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.topic.SubscriptionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <h2>Deliveries with an {@link DeliveryAck}</h2>
 * Consumer-group deliveries carry an ack callback and are bounded by their sender (the member's
 * prefetch), so neither the mailbox bound nor the overflow policy applies to them. They share the
 * packet identifiers and the in-flight window with other deliveries, but they are never kept for
 * an absent client: when the connection goes (or is taken over) or the session ends, they are
 * handed back ({@link DeliveryAck#released}), and a PUBACK tells the sender the client's answer.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final int DRAIN_BATCH = 512;
    private static final long PROGRESS_WINDOW_MILLIS = 1000;

    private enum State { AWAIT_PUBACK, AWAIT_PUBREC, AWAIT_PUBCOMP }

    private static final class Inflight {
        final Delivery delivery;
        final int packetId;
        State state;
        boolean sent;

        Inflight(Delivery delivery, int packetId, State state) {
            this.delivery = delivery;
            this.packetId = packetId;
            this.state = state;
        }
    }

    private final String clientId;
    private final SessionHost host;
    private final SessionConfig config;
    private final int mailboxLimit;

    private final int mailboxHigh;
    private final int mailboxLow;
    private final int queueHigh;
    private final int queueLow;

    private volatile SessionLoop loop;
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> decongestionWaiters = new ConcurrentLinkedQueue<>();
    /** The queue's size as of the last task, for other threads deciding on back-pressure. */
    private volatile int queuedApprox;
    /** When the connected client last took a message or acknowledged one (clock millis). */
    private volatile long lastProgressMillis;
    private final AtomicInteger mailboxSize = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;

    // Everything below is confined to the owner loop, except the volatile flags read elsewhere.
    private SessionLink link;
    private volatile boolean connected;
    private volatile boolean ended;
    private boolean fresh = true;
    private boolean wroteSinceFlush;
    private long expirySeconds;
    private Will will;
    private Will pendingWill;
    private SessionLoop.Cancellable willTimer;
    private SessionLoop.Cancellable expiryTimer;
    private int expiryGeneration;
    private final Map<String, SubscriptionOptions> subscriptions = new HashMap<>(4);
    private ArrayDeque<Delivery> queue;
    /** Deliveries with an ack callback in {@link #queue} (not subject to the overflow policy). */
    private int ackedQueued;
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
        this.loop = loop;
        // A mailbox only buffers hand-offs between loops; beyond this many pending deliveries the
        // owner cannot keep up and new ones are refused (counted), keeping memory bounded.
        this.mailboxLimit = Math.max(1024, config.maxQueuedMessages() * 2);
        this.mailboxHigh = Math.max(64, mailboxLimit / 4);
        this.mailboxLow = mailboxHigh / 2;
        this.queueHigh = Math.max(1, config.maxQueuedMessages() / 2);
        this.queueLow = queueHigh / 2;
    }

    public String clientId() {
        return clientId;
    }

    /** Any thread. Whether a connection is attached. */
    public boolean isConnected() {
        return connected;
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
            loop.execute(drainTask);
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
        if (delivery.ack() == null && mailboxSize.get() >= mailboxLimit) {
            host.dropped(DropReason.MAILBOX_FULL);
            return true;
        }
        tell(() -> deliver(delivery));
        return isCongested();
    }

    /**
     * Any thread. Whether publishers should hold back: messages reach the session faster than its
     * loop takes them in, or its client is taking messages (it made progress within the last
     * second) yet its queue is half full. A client that takes nothing — gone, or stuck — does not
     * hold publishers back: its queue fills and the overflow policy applies, so one stuck
     * subscriber cannot stall a topic. Back-pressure rather than drops is what keeps a fast
     * publisher from overrunning subscribers that keep up.
     */
    public boolean isCongested() {
        if (mailboxSize.get() > mailboxHigh) {
            return true;
        }
        return connected && queuedApprox >= queueHigh
                && host.clock().millis() - lastProgressMillis < PROGRESS_WINDOW_MILLIS;
    }

    private boolean isDecongested() {
        return mailboxSize.get() <= mailboxLow
                && (!connected || queuedApprox <= queueLow
                        || host.clock().millis() - lastProgressMillis >= PROGRESS_WINDOW_MILLIS);
    }

    /**
     * Any thread. Runs {@code resume} (on this session's loop) once the session is no longer
     * congested; at once if it already is not.
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
     */
    public void connect(ConnectRequest request, SessionLink newLink, SessionLoop newLoop,
                        Consumer<ConnectResult> callback) {
        if (ended) {
            host.reconnect(request, newLink, newLoop, callback);
            return;
        }
        SessionLink old = link;
        boolean wasConnected = connected;
        Will oldWill = will;
        link = newLink;
        connected = false;
        will = null;
        if (old != null) {
            releaseAcked();
            resetInflightForResend();
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
        if (newLoop.inLoop()) {
            loop = newLoop;
            attach(newLink, present, callback);
        } else {
            loop = newLoop;
            newLoop.execute(() -> attach(newLink, present, callback));
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
        if (expirySeconds != SessionConfig.NEVER_EXPIRES) {
            int generation = ++expiryGeneration;
            expiryTimer = loop.schedule(() -> tell(() -> {
                if (generation == expiryGeneration && !connected) {
                    log.debug("session {}: expired", clientId);
                    end();
                }
            }), expirySeconds, TimeUnit.SECONDS);
        }
    }

    private void firePendingWill() {
        willTimer = null;
        Will w = pendingWill;
        pendingWill = null;
        if (w != null && !connected && !ended) {
            host.publishWill(this, w);
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
                }
            }
        }
        if (inflight != null) {
            Iterator<Inflight> it = inflight.values().iterator();
            while (it.hasNext()) {
                Inflight e = it.next();
                if (e.delivery.group() != null && e.state != State.AWAIT_PUBCOMP
                        && host.redistribute(this, e.delivery)) {
                    it.remove();
                    unsent--;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Subscriptions bookkeeping (the table itself is the broker's)

    /** On the loop. Records a subscription; returns the options it replaced, or null. */
    public SubscriptionOptions putSubscription(String filter, SubscriptionOptions options) {
        return subscriptions.put(filter, options);
    }

    /** On the loop. Forgets a subscription; returns whether it existed. */
    public boolean removeSubscription(String filter) {
        return subscriptions.remove(filter) != null;
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
            host.dropped(DropReason.SESSION_ENDED);
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
        } else if (queue.size() - ackedQueued >= config.maxQueuedMessages()) {
            host.dropped(DropReason.QUEUE_FULL);
            if (config.overflowPolicy() == OverflowPolicy.DROP_NEWEST) {
                return;
            }
            removeOldestUnacked();
        }
        queue.add(d);
    }

    /** DROP_OLDEST: the oldest queued delivery without an ack callback goes. */
    private void removeOldestUnacked() {
        Iterator<Delivery> it = queue.iterator();
        while (it.hasNext()) {
            if (it.next().ack() == null) {
                it.remove();
                return;
            }
        }
    }

    /** Takes the head of the queue. */
    private Delivery pollQueue() {
        Delivery d = queue.poll();
        if (d != null && d.ack() != null) {
            ackedQueued--;
        }
        return d;
    }

    /** Counts a delivery not made, or hands it back to the sender waiting for its outcome. */
    private void drop(Delivery d, DropReason reason) {
        if (d.ack() == null) {
            host.dropped(reason);
        } else if (reason == DropReason.TOO_LARGE) {
            d.ack().undeliverable("the message is larger than the client's Maximum Packet Size");
        } else {
            d.ack().released(false);
        }
    }

    private void send0(Delivery d) {
        long now = host.clock().millis();
        if (!link.sendPublish(d, 0, false, d.message().remainingExpirySeconds(now))) {
            drop(d, DropReason.TOO_LARGE);
        } else if (d.ack() != null) {
            d.ack().acknowledged(0, null, List.of()); // QoS 0: nothing comes back
        }
        wroteSinceFlush = true;
        lastProgressMillis = now;
    }

    private void sendNew(Delivery d) {
        if (inflight == null) {
            inflight = new LinkedHashMap<>(16);
        }
        int id = allocatePacketId();
        Inflight e = new Inflight(d, id, d.qos() == 1 ? State.AWAIT_PUBACK : State.AWAIT_PUBREC);
        long now = host.clock().millis();
        wroteSinceFlush = true;
        if (!link.sendPublish(d, id, false, d.message().remainingExpirySeconds(now))) {
            drop(d, DropReason.TOO_LARGE);
            return;
        }
        e.sent = true;
        inflight.put(id, e);
        sentUnacked++;
        lastProgressMillis = now;
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
                if (e.state == State.AWAIT_PUBCOMP) {
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
        lastProgressMillis = host.clock().millis();
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
        if (e == null || e.state != State.AWAIT_PUBACK) {
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
        if (e == null || e.state == State.AWAIT_PUBACK) {
            return false;
        }
        if (reasonCode >= 0x80) {
            complete(e, reasonCode, null, List.of());
            return true;
        }
        e.state = State.AWAIT_PUBCOMP;
        link.sendPubRel(packetId);
        wroteSinceFlush = true;
        return true;
    }

    /** On the loop. PUBCOMP for an outbound QoS 2 message; unknown identifiers are ignored. */
    public void onPubComp(int packetId) {
        Inflight e = inflight == null ? null : inflight.get(packetId);
        if (e == null || e.state != State.AWAIT_PUBCOMP) {
            log.debug("session {}: PUBCOMP for unknown packet identifier {}", clientId, packetId);
            return;
        }
        complete(e, 0, null, List.of());
    }

    private void complete(Inflight e, int reasonCode, String reasonString, List<Header> userProperties) {
        inflight.remove(e.packetId);
        if (e.sent) {
            sentUnacked--;
        } else {
            unsent--;
        }
        if (e.delivery.ack() != null) {
            e.delivery.ack().acknowledged(reasonCode, reasonString, userProperties);
        }
        lastProgressMillis = host.clock().millis();
        pump();
        afterPump();
    }

    /** Publishes the queue's size to other threads and lets held-back publishers go if it shrank enough. */
    private void afterPump() {
        queuedApprox = queue == null ? 0 : queue.size();
        releaseWaitersIfDecongested();
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
        return true;
    }

    /** On the loop. PUBREL arrived. @return false if the identifier is unknown (MQTT 5: PUBCOMP 0x92) */
    public boolean inboundPubRel(int packetId) {
        if (inboundQos2 == null || !inboundQos2.get(packetId)) {
            return false;
        }
        inboundQos2.clear(packetId);
        inboundQos2Count--;
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
