package io.ratatoskr.core.session;

import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.topic.SubscriptionOptions;

import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where persistent sessions — those kept after their connection ends: a Session Expiry Interval
 * above 0, or MQTT 3.1.1 clean session 0 — write their state so that it survives a restart and a
 * crash: the session itself with its expiry and will, its subscriptions, the QoS 1/2 messages
 * queued or in flight to it with their packet identifiers and states, and the inbound QoS 2 packet
 * identifiers not yet released. Sessions that end with their connection are never written.
 *
 * <p>Writes made on a session's loop are batched: they go to the journal when the loop has finished
 * its current work, in the order they were made, and before the session moves to another loop.
 * Writes that other threads depend on go at once. Every method returns at once; none blocks.
 *
 * <p>Implementations are thread-safe. {@link #NONE} keeps nothing.
 */
public interface SessionJournal {

    /** Keeps nothing: every session lives in memory only. */
    SessionJournal NONE = new SessionJournal() {
        private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public StoredMessage newMessage(Message message) {
            throw new IllegalStateException("sessions are not persisted");
        }

        @Override
        public CompletableFuture<?> storeNow(StoredMessage message, List<Session> targets,
                                             List<Delivery> deliveries) {
            return DONE;
        }

        @Override
        public void store(Session session, Delivery delivery, boolean withMessage) {
        }

        @Override
        public void session(Session session, long expirySeconds, long disconnectedAtMillis, Will will) {
        }

        @Override
        public void subscription(Session session, String filter, SubscriptionOptions options) {
        }

        @Override
        public void outbound(Session session, Delivery delivery, int packetId, OutboundState state) {
        }

        @Override
        public void released(Session session, Delivery delivery) {
        }

        @Override
        public CompletableFuture<?> inboundQos2(Session session, int packetId, boolean unreleased) {
            return DONE;
        }

        @Override
        public void forget(Session session, Collection<String> filters, Collection<Delivery> deliveries,
                           BitSet inboundQos2) {
        }

        @Override
        public CompletableFuture<?> flush() {
            return DONE;
        }
    };

    /** Whether sessions are persisted; when false the other methods do nothing. */
    boolean enabled();

    /** Any thread. A new message to store for persistent sessions: hold it with {@link JournalEntry}s. */
    StoredMessage newMessage(Message message);

    /**
     * Any thread, now: writes {@code message} once and an entry for each delivery in
     * {@code deliveries} that holds it ({@code targets.get(i)} receives {@code deliveries.get(i)};
     * the others are skipped), before anything is offered to those sessions.
     *
     * @return the write, which the publisher's acknowledgement waits for; it may have failed
     *         already (journal overloaded or failed), and the message must then be refused
     */
    CompletableFuture<?> storeNow(StoredMessage message, List<Session> targets, List<Delivery> deliveries);

    /**
     * On the session's loop: writes an entry for {@code delivery} (which holds a journal entry),
     * and its message too if {@code withMessage} (a message not yet stored, such as a retained
     * message sent on subscribe).
     */
    void store(Session session, Delivery delivery, boolean withMessage);

    /**
     * On the session's loop, now: the session's expiry, whether it is connected
     * ({@code disconnectedAtMillis} -1) or since when it is not, and its will (the connection's, or
     * the one waiting for its delay; null for none).
     */
    void session(Session session, long expirySeconds, long disconnectedAtMillis, Will will);

    /** On the session's loop: a subscription was added or changed, or removed ({@code options} null). */
    void subscription(Session session, String filter, SubscriptionOptions options);

    /** On the session's loop: a stored delivery was sent with {@code packetId}, or its flow moved on. */
    void outbound(Session session, Delivery delivery, int packetId, OutboundState state);

    /**
     * On the session's loop (or, for a delivery the session never took in, on the thread that
     * offered it): the session is done with a stored delivery. Releasing twice does nothing.
     */
    void released(Session session, Delivery delivery);

    /**
     * On the session's loop: an inbound QoS 2 packet identifier was received ({@code unreleased}
     * true) or released by PUBREL.
     *
     * @return the write; PUBREC, and PUBCOMP, must wait for it (a crash must neither deliver the
     *         message twice nor take a reused identifier for a repeat)
     */
    CompletableFuture<?> inboundQos2(Session session, int packetId, boolean unreleased);

    /**
     * On the session's loop, now: forgets everything stored for the session — it ended, or it is no
     * longer persistent. Releases the given deliveries' entries.
     */
    void forget(Session session, Collection<String> filters, Collection<Delivery> deliveries, BitSet inboundQos2);

    /**
     * Sends the calling thread's batched writes to the journal now: called before a session moves
     * to another loop, so that its writes stay in order.
     *
     * @return the write of what was batched
     */
    CompletableFuture<?> flush();
}
