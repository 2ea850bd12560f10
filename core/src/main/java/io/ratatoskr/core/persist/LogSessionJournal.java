package io.ratatoskr.core.persist;

import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.session.Delivery;
import io.ratatoskr.core.session.JournalEntry;
import io.ratatoskr.core.session.OutboundState;
import io.ratatoskr.core.session.RestoredSession;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.session.SessionJournal;
import io.ratatoskr.core.session.StoredMessage;
import io.ratatoskr.core.session.Will;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The session journal on a compacted {@link Log} in {@code <data>/sessions}; the record formats are
 * specified in {@link SessionRecords}.
 *
 * <p>What is written when:
 * <ul>
 * <li>the router, before offering a QoS 1/2 message to persistent sessions, writes the message once
 *     and a queued entry per session, at once: the publisher's PUBACK/PUBREC waits for it;</li>
 * <li>a session writes itself, its will and expiry at once when a client connects (so that its record
 *     precedes every entry routed to it) and, batched, when the connection ends;</li>
 * <li>batched on the session's loop: subscriptions, an entry's packet identifier and state when it
 *     is sent and when PUBREC arrives, its tombstone when the client acknowledges it or it is dropped
 *     (with the message's tombstone when no session holds it any more), inbound QoS 2 identifiers
 *     (PUBREC and PUBCOMP wait for those writes);</li>
 * <li>at once, tombstones for everything of a session that ends.</li>
 * </ul>
 * QoS 0 messages are never written: a crash loses those queued for offline sessions.
 *
 * <p>Thread-safety: thread-safe (see {@link BatchedAppender}).
 */
public final class LogSessionJournal implements SessionJournal, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogSessionJournal.class);

    private final Log journal;
    private final BatchedAppender appender;
    private final AtomicLong nextMessageId;
    private final List<RestoredSession> restored;
    private final AtomicBoolean failing = new AtomicBoolean();

    private LogSessionJournal(Log journal, SessionJournalLoader.Loaded loaded) {
        this.journal = journal;
        this.appender = new BatchedAppender(journal, this::failed);
        this.nextMessageId = new AtomicLong(loaded.nextMessageId());
        this.restored = loaded.sessions();
    }

    /** Opens (recovering if needed) the journal in {@code dir} and reads the sessions it keeps. */
    public static LogSessionJournal open(Path dir, LogConfig config, LogEnvironment env) {
        Log log = Log.open(dir, config, env);
        try {
            return new LogSessionJournal(log, SessionJournalLoader.load(log));
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** The sessions read at open, for {@link io.ratatoskr.core.broker.Broker#restore}. */
    public List<RestoredSession> restored() {
        return restored;
    }

    /** The underlying log, for status and tests. */
    public Log log() {
        return journal;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public StoredMessage newMessage(Message message) {
        return new StoredMessage(nextMessageId.getAndIncrement(), message);
    }

    @Override
    public CompletableFuture<?> storeNow(StoredMessage message, List<Session> targets, List<Delivery> deliveries) {
        List<Record> records = new ArrayList<>(2);
        records.add(SessionRecords.message(message.id(), message.message()));
        for (int i = 0; i < deliveries.size(); i++) {
            Delivery d = deliveries.get(i);
            if (d.journal() != null && d.journal().message() == message) {
                records.add(entry(targets.get(i), d, 0, OutboundState.QUEUED));
            }
        }
        return appender.now(records);
    }

    @Override
    public void store(Session session, Delivery delivery, boolean withMessage) {
        StoredMessage m = delivery.journal().message();
        if (withMessage) {
            appender.later(SessionRecords.message(m.id(), m.message()), session.loop());
        }
        appender.later(entry(session, delivery, 0, OutboundState.QUEUED), session.loop());
    }

    @Override
    public void session(Session session, long expirySeconds, long disconnectedAtMillis, Will will) {
        String id = session.clientId();
        appender.now(List.of(
                SessionRecords.session(id, expirySeconds, disconnectedAtMillis, will == null ? 0 : will.delaySeconds(),
                        session.owner()),
                will == null ? SessionRecords.tombstone(SessionRecords.willKey(id))
                        : SessionRecords.will(id, will.message())));
    }

    @Override
    public void subscription(Session session, String filter, SubscriptionOptions options) {
        String id = session.clientId();
        appender.later(options == null ? SessionRecords.tombstone(SessionRecords.subscriptionKey(id, filter))
                : SessionRecords.subscription(id, filter, options), session.loop());
    }

    @Override
    public void outbound(Session session, Delivery delivery, int packetId, OutboundState state) {
        appender.later(entry(session, delivery, packetId, state), session.loop());
    }

    @Override
    public void released(Session session, Delivery delivery) {
        JournalEntry.Release r = delivery.journal().release();
        if (r == JournalEntry.Release.ALREADY) {
            return;
        }
        long id = delivery.journal().message().id();
        appender.later(SessionRecords.tombstone(SessionRecords.entryKey(session.clientId(), id)), session.loop());
        if (r.lastHolder()) {
            appender.later(SessionRecords.tombstone(SessionRecords.messageKey(id)), session.loop());
        }
    }

    @Override
    public CompletableFuture<?> inboundQos2(Session session, int packetId, boolean unreleased) {
        String id = session.clientId();
        return appender.later(unreleased ? SessionRecords.inbound(id, packetId)
                : SessionRecords.tombstone(SessionRecords.inboundKey(id, packetId)), session.loop());
    }

    @Override
    public void forget(Session session, Collection<String> filters, Collection<Delivery> deliveries,
                       BitSet inboundQos2) {
        String id = session.clientId();
        List<Record> records = new ArrayList<>();
        records.add(SessionRecords.tombstone(SessionRecords.sessionKey(id)));
        records.add(SessionRecords.tombstone(SessionRecords.willKey(id)));
        for (String filter : filters) {
            records.add(SessionRecords.tombstone(SessionRecords.subscriptionKey(id, filter)));
        }
        for (Delivery d : deliveries) {
            JournalEntry.Release r = d.journal().release();
            if (r != JournalEntry.Release.ALREADY) {
                long messageId = d.journal().message().id();
                records.add(SessionRecords.tombstone(SessionRecords.entryKey(id, messageId)));
                if (r.lastHolder()) {
                    records.add(SessionRecords.tombstone(SessionRecords.messageKey(messageId)));
                }
            }
        }
        if (inboundQos2 != null) {
            for (int p = inboundQos2.nextSetBit(0); p >= 0; p = inboundQos2.nextSetBit(p + 1)) {
                records.add(SessionRecords.tombstone(SessionRecords.inboundKey(id, p)));
            }
        }
        appender.now(records);
    }

    @Override
    public CompletableFuture<?> flush() {
        return appender.flush();
    }

    private static Record entry(Session session, Delivery d, int packetId, OutboundState state) {
        return SessionRecords.entry(session.clientId(), d.journal().message().id(), state, d.qos(), d.retain(),
                packetId, d.subscriptionIds());
    }

    private RuntimeException failed(Throwable e) {
        RuntimeException refusal = StateLogs.refusal("session", e);
        if (failing.compareAndSet(false, true)) {
            log.error("{}: a session journal write failed ({}); persistent sessions may lose what changed since",
                    journal.dir(), refusal.getMessage());
        }
        return refusal;
    }

    /** Sends the calling thread's batch, then closes the log cleanly. */
    @Override
    public void close() {
        appender.flush();
        journal.close();
    }
}
