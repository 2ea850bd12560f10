package io.ratatoskr.mqtt.server;

import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.mqtt.codec.ReasonCode;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The PUBACKs and PUBRECs one connection owes its client, in the order the PUBLISH packets arrived.
 * A QoS 1/2 PUBLISH that a store (a durable topic) took is acknowledged only once the store's write
 * is durable (PRODUCT.md, Principle 1); acknowledgements leave in arrival order even when a later
 * write finishes first, and one that could go at once waits behind earlier pending ones. (MQTT 5.0
 * §4.6 asks a receiving client for PUBACKs and PUBRECs in the order the PUBLISH packets arrived
 * [MQTT-4.6.0-2], [MQTT-4.6.0-3]; the broker keeps the same order, which publishers rely on.)
 *
 * <p>A refused write is answered, in its turn, with the error's reason code and message (MQTT 5:
 * PUBACK/PUBREC with a reason code of 0x80 or more ends the exchange, §4.3.2, §4.3.3); MQTT 3.1.1
 * has no negative acknowledgement, so the connection closes without one and the client sends the
 * message again. A refused QoS 0 message has nobody to tell and is counted as dropped.
 *
 * <p>Thread-safety: confined to the connection's event loop; store completions hop onto it.
 */
final class PendingAcks {

    /** What the connection does for the queue. All calls come on its event loop. */
    interface Sender {
        /** Writes (without flushing) a PUBACK (QoS 1) or PUBREC (QoS 2). */
        void sendAck(int packetId, int qos, int v5ReasonCode, String reason);

        /** 3.1.1: the message with {@code packetId} was refused; close without acknowledging it. */
        void refuseWithoutAck(int packetId, RatatoskrException refusal);

        /** A QoS 2 message was stored: remember its identifier until PUBREL. */
        void storedQos2(int packetId);

        boolean isV5();

        /** Whether acknowledgements can still be sent (the connection is not closing). */
        boolean isOpen();

        /** Acknowledgements were written: flush them, and resume reading if {@code pending} allows. */
        void acksSent(int pending);
    }

    /** One acknowledgement owed. */
    private static final class Ack {
        final int packetId;
        final int qos;
        /** A QoS 2 message to remember as received once stored. */
        final boolean markReceived;
        /** A repeat of a QoS 2 PUBLISH still pending here: it gets the same answer. */
        final Ack original;
        boolean ready;
        int reasonCode;
        String reason;
        RatatoskrException refusal;

        Ack(int packetId, int qos, boolean markReceived, Ack original) {
            this.packetId = packetId;
            this.qos = qos;
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

    private final ArrayDeque<Ack> queue = new ArrayDeque<>();
    private final Sender sender;
    private final BrokerMetrics metrics;

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
            Ack a = new Ack(packetId, qos, false, null);
            a.complete(v5ReasonCode, reason, null);
            queue.add(a);
        }
    }

    /**
     * Acknowledges with {@code success} once {@code stored} completes, or refuses if it fails;
     * {@code loop} is the connection's event loop, where the answer is settled.
     */
    void whenStored(int packetId, int qos, int success, CompletableFuture<Void> stored, Executor loop) {
        Ack ack = qos == 0 ? null : add(new Ack(packetId, qos, qos == 2, null));
        if (stored.isDone()) {
            settle(ack, success, stored);
        } else {
            stored.whenComplete((v, e) -> loop.execute(() -> settle(ack, success, stored)));
        }
    }

    /** A store refused the message at once (before routing). */
    void refused(int packetId, int qos, RatatoskrException refusal) {
        refuse(qos == 0 ? null : add(new Ack(packetId, qos, false, null)), refusal);
    }

    /**
     * If a QoS 2 PUBLISH with {@code packetId} is still queued here — being stored, or stored with
     * its PUBREC waiting behind earlier answers — queues the same answer for its re-sent copy and
     * returns true: it is stored once. (The session learns that the message was received only when
     * its PUBREC leaves, so until then this queue is the only record of it.)
     */
    boolean repeatIfPending(int packetId) {
        Ack first = queuedQos2(packetId);
        if (first != null) {
            add(new Ack(packetId, 2, false, first));
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
     * QoS 2 messages queued here and not refused: being stored or stored with their PUBREC still to
     * send. They count against the receive maximum; the session counts them once the PUBREC leaves.
     */
    int pendingQos2() {
        int n = 0;
        for (Ack a : queue) {
            if (a.markReceived && a.refusal == null) {
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
    }

    private Ack add(Ack a) {
        queue.add(a);
        return a;
    }

    private void settle(Ack ack, int success, CompletableFuture<Void> stored) {
        try {
            stored.join();
        } catch (CompletionException | CancellationException e) {
            Throwable t = e.getCause() == null ? e : e.getCause();
            refuse(ack, t instanceof RatatoskrException r ? r
                    : new RatatoskrException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(t), t));
            return;
        }
        if (ack != null) {
            ack.complete(success, null, null);
            drain();
        }
    }

    private void refuse(Ack ack, RatatoskrException refusal) {
        String tag = refusal.code().code();
        metrics.publishRefused(tag);
        if (ack == null) {
            metrics.qos0Dropped(tag);
            return;
        }
        ack.complete(pubAckCode(refusal), refusal.getMessage(), refusal);
        drain();
    }

    /** Sends the ready acknowledgements at the head, in order, up to the first still pending. */
    private void drain() {
        boolean sent = false;
        while (sender.isOpen() && !queue.isEmpty()) {
            Ack head = queue.peek();
            Ack outcome = head.outcome();
            if (!outcome.ready) {
                break;
            }
            queue.poll();
            if (outcome.refusal != null && !sender.isV5()) {
                queue.clear();
                sender.refuseWithoutAck(head.packetId, outcome.refusal);
                return;
            }
            if (outcome.refusal == null && head.markReceived) {
                sender.storedQos2(head.packetId);
            }
            sender.sendAck(head.packetId, head.qos, outcome.reasonCode, outcome.reason);
            sent = true;
        }
        if (sent) {
            sender.acksSent(queue.size());
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
