package io.ratatoskr.mqtt.server;

import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.mqtt.codec.ReasonCode;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The PUBACKs, PUBRECs and PUBCOMPs one connection owes its client, in the order the PUBLISH and
 * PUBREL packets arrived. An acknowledgement that waits for writes — a durable topic's append, the
 * retained store, the session journal — leaves only once they are durable (PRODUCT.md, Principle 1);
 * acknowledgements leave in arrival order even when a later write finishes first, and one that could
 * go at once waits behind earlier pending ones. (MQTT 5.0 §4.6 asks a receiving client for PUBACKs
 * and PUBRECs in the order the PUBLISH packets arrived [MQTT-4.6.0-2], [MQTT-4.6.0-3]; the broker
 * keeps the same order, which publishers rely on.) A connection whose publishes touch no store pays
 * nothing: with nothing pending, an acknowledgement is written at once.
 *
 * <p>QoS 2: once the message is stored, the session remembers its packet identifier until PUBREL
 * (so a repeat is not delivered twice, [MQTT-4.3.3-10]); a persistent session journals it, and the
 * PUBREC also waits for that write. Until its PUBREC leaves, a QoS 2 message queued here answers its
 * re-sent copies ({@link #repeatIfPending}) with its own outcome. A PUBCOMP waits for the journal
 * write of the release: a crash must not leave an identifier the client may reuse looking unreleased.
 *
 * <p>A refused write is answered, in its turn, with the error's reason code and message (MQTT 5:
 * PUBACK/PUBREC with a reason code of 0x80 or more ends the exchange, §4.3.2, §4.3.3); MQTT 3.1.1
 * has no negative acknowledgement, so the connection closes without one and the client sends the
 * message again. Both hold whichever write failed: a store's, or the journal's of a QoS 2 identifier
 * (which is then forgotten). A refused QoS 0 message has nobody to tell and is counted as dropped.
 * A failed write of a release closes the connection without PUBCOMP; the client sends PUBREL again.
 *
 * <p>Writes that complete later (a durable topic's append, a journal write) hand their outcomes to
 * the loop in bursts: the first completion schedules one task, which settles every completion that
 * has arrived by the time it runs, in completion order, and flushes the acknowledgements it wrote
 * once. A log writer completes a whole batch's receipts at once, so the PUBACKs of a read burst
 * usually cost one hop and one flush rather than one of each per message. Each one still leaves only
 * after its own write, and in arrival order.
 *
 * <p>Thread-safety: confined to the connection's event loop, but for {@link #completed}, which write
 * completions call on any thread: it only adds to a concurrent queue and schedules the settling task.
 */
final class PendingAcks {

    /** What the connection does for the queue. All calls come on its event loop. */
    interface Sender {
        /** Writes (without flushing) a PUBACK (QoS 1) or PUBREC (QoS 2). */
        void sendAck(int packetId, int qos, int v5ReasonCode, String reason);

        /** Writes (without flushing) a PUBCOMP. */
        void sendPubComp(int packetId, int v5ReasonCode);

        /** 3.1.1: the message with {@code packetId} was refused; close without acknowledging it. */
        void refuseWithoutAck(int packetId, RatatoskrException refusal);

        /**
         * A QoS 2 message was stored: remember its identifier until PUBREL.
         *
         * @return the journal write of the identifier, which the PUBREC waits for; null if none
         */
        CompletableFuture<?> storedQos2(int packetId);

        /** The identifier remembered by {@link #storedQos2} could not be kept: forget it. */
        void forgetQos2(int packetId);

        /** The write a PUBCOMP waited for failed: close without it. */
        void releaseFailed(int packetId, RatatoskrException failure);

        boolean isV5();

        /** Whether acknowledgements can still be sent (the connection is not closing). */
        boolean isOpen();

        /**
         * Acknowledgements were written: flush them if {@code flush} (otherwise the read in progress
         * flushes when it ends), and resume reading if {@code pending} allows.
         */
        void acksSent(int pending, boolean flush);
    }

    private enum Kind { PUBACK, PUBREC, PUBCOMP }

    /** One acknowledgement owed. */
    private static final class Ack {
        final int packetId;
        final Kind kind;
        /** A QoS 2 message whose identifier the session remembers once stored. */
        final boolean markReceived;
        /** A repeat of a QoS 2 PUBLISH still queued here: it gets the same answer. */
        final Ack original;
        /** The session remembers the identifier: a refusal must make it forget. */
        boolean marked;
        boolean ready;
        int reasonCode;
        String reason;
        RatatoskrException refusal;

        Ack(int packetId, Kind kind, boolean markReceived, Ack original) {
            this.packetId = packetId;
            this.kind = kind;
            this.markReceived = markReceived;
            this.original = original;
        }

        Ack outcome() {
            return original != null ? original : this;
        }

        void complete(int code, String text, RatatoskrException why) {
            reasonCode = code;
            reason = text;
            refusal = why;
            ready = true;
        }
    }

    /** A write finished (on some other thread) whose acknowledgement the loop has not settled yet. */
    private record Completion(Ack ack, int success, CompletableFuture<?> write, Executor loop) {}

    private final ArrayDeque<Ack> queue = new ArrayDeque<>();
    private final Sender sender;
    private final BrokerMetrics metrics;
    /** Completions waiting for the loop; filled on any thread, emptied on the loop. */
    private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
    /** Whether a task that settles {@link #completions} is scheduled and has not started taking them yet. */
    private final AtomicBoolean settling = new AtomicBoolean();
    /** On the loop, while settling a burst of completions: acknowledgements were written and need a flush. */
    private boolean batching;
    private boolean sentInBatch;

    PendingAcks(Sender sender, BrokerMetrics metrics) {
        this.sender = sender;
        this.metrics = metrics;
    }

    /** Acknowledges now, or right after the acknowledgements still pending. QoS 0: nothing. */
    void now(int packetId, int qos, int v5ReasonCode, String reason) {
        if (qos == 0) {
            return;
        }
        if (queue.isEmpty()) {
            sender.sendAck(packetId, qos, v5ReasonCode, reason);
        } else {
            Ack a = new Ack(packetId, kind(qos), false, null);
            a.complete(v5ReasonCode, reason, null);
            queue.add(a);
        }
    }

    /**
     * Acknowledges with {@code success} once {@code stored} completes — a QoS 2 message also once
     * the session has remembered (and journaled) its identifier — or refuses if a write fails;
     * {@code loop} is the connection's event loop, where the answer is settled.
     */
    void whenStored(int packetId, int qos, int success, CompletableFuture<?> stored, Executor loop) {
        Ack ack = qos == 0 ? null : add(new Ack(packetId, kind(qos), qos == 2, null));
        settleWhenDone(ack, success, stored, loop, true);
    }

    /**
     * A QoS 2 PUBLISH re-sent with an identifier the session remembers: PUBREC once {@code journaled}
     * (the session's latest journal write of inbound identifiers; null: none) is done; if it fails,
     * the identifier is forgotten and the message refused.
     */
    void repeatWhenWritten(int packetId, CompletableFuture<?> journaled, Executor loop) {
        Ack ack = add(new Ack(packetId, Kind.PUBREC, false, null));
        ack.marked = true;
        settleWhenDone(ack, ReasonCode.SUCCESS, journaled, loop, true);
    }

    /** PUBCOMP once {@code released} (the journal write of the release; null: none) is done. */
    void pubComp(int packetId, int v5ReasonCode, CompletableFuture<?> released, Executor loop) {
        if (queue.isEmpty() && (released == null || released.isDone() && !released.isCompletedExceptionally())) {
            sender.sendPubComp(packetId, v5ReasonCode);
            return;
        }
        settleWhenDone(add(new Ack(packetId, Kind.PUBCOMP, false, null)), v5ReasonCode, released, loop, true);
    }

    /** A store refused the message at once (before routing). */
    void refused(int packetId, int qos, RatatoskrException refusal) {
        refuse(qos == 0 ? null : add(new Ack(packetId, kind(qos), false, null)), refusal, true);
    }

    /**
     * If a QoS 2 PUBLISH with {@code packetId} is still queued here — being stored, or stored with
     * its PUBREC waiting for the journal or behind earlier answers — queues the same answer for its
     * re-sent copy and returns true: it is stored once.
     */
    boolean repeatIfPending(int packetId) {
        Ack first = queuedQos2(packetId);
        if (first != null) {
            add(new Ack(packetId, Kind.PUBREC, false, first));
        }
        return first != null;
    }

    /** Whether a QoS 2 PUBLISH with {@code packetId} is queued here (its PUBREC not sent yet). */
    boolean isStoring(int packetId) {
        return queuedQos2(packetId) != null;
    }

    private Ack queuedQos2(int packetId) {
        for (Ack a : queue) {
            if (a.markReceived && a.packetId == packetId) {
                return a;
            }
        }
        return null;
    }

    /**
     * QoS 2 messages queued here, not refused, whose identifiers the session does not count yet
     * (still being stored). They count against the receive maximum.
     */
    int pendingQos2() {
        int n = 0;
        for (Ack a : queue) {
            if (a.markReceived && !a.marked && a.refusal == null) {
                n++;
            }
        }
        return n;
    }

    int size() {
        return queue.size();
    }

    /** Forgets everything owed: the connection is closing. */
    void clear() {
        queue.clear();
        completions.clear();
    }

    private static Kind kind(int qos) {
        return qos == 1 ? Kind.PUBACK : Kind.PUBREC;
    }

    private Ack add(Ack a) {
        queue.add(a);
        return a;
    }

    /** Settles {@code ack} when {@code write} (null: none) is done: inline if it is already. */
    private void settleWhenDone(Ack ack, int success, CompletableFuture<?> write, Executor loop, boolean inline) {
        if (write == null || write.isDone()) {
            settle(ack, success, write, loop, inline);
        } else {
            write.whenComplete((v, e) -> completed(new Completion(ack, success, write, loop)));
        }
    }

    /**
     * Any thread: {@code c}'s write is done. Queues it for the loop; the first completion of a burst
     * schedules the task that settles them all.
     */
    private void completed(Completion c) {
        completions.add(c);
        if (settling.compareAndSet(false, true)) {
            c.loop().execute(this::settleCompleted);
        }
    }

    /** On the loop: settles every completion queued so far, in completion order, then flushes once. */
    private void settleCompleted() {
        // Cleared before taking: a completion added from now on schedules a task of its own (which may find
        // nothing left to do), so none is stranded.
        settling.set(false);
        batching = true;
        sentInBatch = false;
        try {
            Completion c;
            while ((c = completions.poll()) != null) {
                settle(c.ack(), c.success(), c.write(), c.loop(), false);
            }
        } finally {
            batching = false;
        }
        if (sentInBatch) {
            sender.acksSent(queue.size(), true);
        }
    }

    private void settle(Ack ack, int success, CompletableFuture<?> write, Executor loop, boolean inline) {
        RatatoskrException failure = failure(write);
        if (failure != null) {
            refuse(ack, failure, inline);
            return;
        }
        if (ack == null) {
            return;
        }
        if (ack.markReceived && !ack.marked) {
            ack.marked = true;
            CompletableFuture<?> journaled = sender.storedQos2(ack.packetId);
            if (journaled != null) {
                settleWhenDone(ack, success, journaled, loop, inline);
                return;
            }
        }
        ack.complete(success, null, null);
        drain(inline);
    }

    private void refuse(Ack ack, RatatoskrException refusal, boolean inline) {
        if (ack != null && ack.kind == Kind.PUBCOMP) {
            ack.complete(ReasonCode.UNSPECIFIED_ERROR, null, refusal);
            drain(inline);
            return;
        }
        String tag = refusal.code().code();
        metrics.publishRefused(BrokerMetrics.Protocol.MQTT, tag);
        if (ack == null) {
            metrics.qos0Dropped(tag);
            return;
        }
        if (ack.marked) {
            ack.marked = false;
            sender.forgetQos2(ack.packetId);
        }
        ack.complete(pubAckCode(refusal), refusal.getMessage(), refusal);
        drain(inline);
    }

    /** Sends the ready acknowledgements at the head, in order, up to the first still pending. */
    private void drain(boolean inline) {
        boolean sent = false;
        while (sender.isOpen() && !queue.isEmpty()) {
            Ack head = queue.peek();
            Ack outcome = head.outcome();
            if (!outcome.ready) {
                break;
            }
            queue.poll();
            if (outcome.refusal != null && (head.kind == Kind.PUBCOMP || !sender.isV5())) {
                queue.clear();
                if (head.kind == Kind.PUBCOMP) {
                    sender.releaseFailed(head.packetId, outcome.refusal);
                } else {
                    sender.refuseWithoutAck(head.packetId, outcome.refusal);
                }
                return;
            }
            if (head.kind == Kind.PUBCOMP) {
                sender.sendPubComp(head.packetId, outcome.reasonCode);
            } else {
                sender.sendAck(head.packetId, head.kind == Kind.PUBACK ? 1 : 2, outcome.reasonCode, outcome.reason);
            }
            sent = true;
        }
        if (sent && batching) {
            sentInBatch = true; // flushed once the burst is settled
        } else if (sent) {
            sender.acksSent(queue.size(), !inline);
        }
    }

    /** The failure of a completed write as a refusal; null if it succeeded (or there is none). */
    private static RatatoskrException failure(CompletableFuture<?> write) {
        if (write == null || !write.isCompletedExceptionally()) {
            return null;
        }
        try {
            write.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            Throwable t = e.getCause() == null ? e : e.getCause();
            return t instanceof RatatoskrException r ? r
                    : new RatatoskrException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(t), t);
        }
    }

    /** The PUBACK/PUBREC reason code of a refusal: one those packets may carry (§3.4.2.1). */
    static int pubAckCode(RatatoskrException refusal) {
        int rc = refusal.code().mqttReasonCode();
        return switch (rc) {
            case ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, ReasonCode.NOT_AUTHORIZED, ReasonCode.TOPIC_NAME_INVALID,
                 ReasonCode.PACKET_IDENTIFIER_IN_USE, ReasonCode.QUOTA_EXCEEDED, ReasonCode.PAYLOAD_FORMAT_INVALID -> rc;
            default -> ReasonCode.UNSPECIFIED_ERROR;
        };
    }
}
