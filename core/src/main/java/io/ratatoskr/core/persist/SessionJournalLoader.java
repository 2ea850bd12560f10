package io.ratatoskr.core.persist;

import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.persist.SessionRecords.Decoded;
import io.ratatoskr.core.persist.SessionRecords.EntryValue;
import io.ratatoskr.core.persist.SessionRecords.InboundValue;
import io.ratatoskr.core.persist.SessionRecords.MessageValue;
import io.ratatoskr.core.persist.SessionRecords.SessionValue;
import io.ratatoskr.core.persist.SessionRecords.SubscriptionValue;
import io.ratatoskr.core.persist.SessionRecords.WillValue;
import io.ratatoskr.core.session.Delivery;
import io.ratatoskr.core.session.JournalEntry;
import io.ratatoskr.core.session.OutboundState;
import io.ratatoskr.core.session.RestoredSession;
import io.ratatoskr.core.session.StoredMessage;
import io.ratatoskr.core.session.Will;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.StoredRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Reads the session journal at start into {@link RestoredSession}s: the latest record per key, each
 * decoded; entries joined to their messages, in message order (in-flight first, as they were sent
 * before the queued ones). What belongs to no session (a crash between writes can leave an entry
 * whose session or message is gone) is deleted; a record that does not decode is logged and
 * skipped, never fatal.
 *
 * <p>Thread-safety: used by one thread, once.
 */
final class SessionJournalLoader {
    private static final Logger log = LoggerFactory.getLogger(SessionJournalLoader.class);

    /** What was read: the sessions, and the first message identifier never used. */
    record Loaded(List<RestoredSession> sessions, long nextMessageId) {
    }

    private final Map<ByteBuffer, StoredRecord> latest = new HashMap<>();
    private final Map<String, Parts> clients = new LinkedHashMap<>();
    private final Map<Long, Message> messages = new HashMap<>();
    private final Map<Long, StoredMessage> held = new HashMap<>();
    private final List<byte[]> garbage = new ArrayList<>();
    private long maxMessageId = -1;
    private int undecodable;

    private SessionJournalLoader() {}

    static Loaded load(Log journal) {
        long started = System.nanoTime();
        SessionJournalLoader loader = new SessionJournalLoader();
        StateLogs.readAll(journal, loader::scan);
        List<RestoredSession> sessions = loader.assemble();
        if (!loader.garbage.isEmpty()) {
            journal.append(SessionRecords.tombstones(loader.garbage));
        }
        int messages = loader.held.size();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.atInfo().addKeyValue("event", "recovered").addKeyValue("sessions", sessions.size())
                .addKeyValue("storedMessages", messages).addKeyValue("durationMs", ms)
                .log("{}: {} persistent sessions with {} stored messages read in {} ms ({} orphaned records removed, "
                        + "{} unreadable skipped)", journal.dir(), sessions.size(), messages, ms, loader.garbage.size(),
                        loader.undecodable);
        return new Loaded(sessions, loader.maxMessageId + 1);
    }

    private void scan(StoredRecord r) {
        byte[] key = r.key();
        if (key == null) {
            undecodable++;
            log.warn("session journal record without a key at offset {} skipped", r.offset());
            return;
        }
        int kind = SessionRecords.kind(key);
        if ((kind == SessionRecords.MESSAGE || kind == SessionRecords.ENTRY) && key.length >= 8) {
            // Identifiers are never reused, even those of messages long gone.
            maxMessageId = Math.max(maxMessageId, ByteBuffer.wrap(key, key.length - 8, 8).getLong());
        }
        if (r.isTombstone()) {
            latest.remove(ByteBuffer.wrap(key));
        } else {
            latest.put(ByteBuffer.wrap(key), r);
        }
    }

    private List<RestoredSession> assemble() {
        for (StoredRecord r : latest.values()) {
            Decoded d;
            try {
                d = SessionRecords.decode(r);
            } catch (IllegalArgumentException e) {
                undecodable++;
                log.warn("session journal record at offset {} skipped: {}", r.offset(), e.getMessage());
                continue;
            }
            switch (d) {
                case MessageValue m -> messages.put(m.messageId(), m.message());
                case SessionValue s -> parts(s.clientId()).session = s;
                case WillValue w -> parts(w.clientId()).will = w;
                case SubscriptionValue s -> parts(s.clientId()).subscriptions.put(s.filter(), s.options());
                case EntryValue e -> parts(e.clientId()).entries.add(e);
                case InboundValue i -> parts(i.clientId()).inbound.add(i.packetId());
            }
        }
        List<RestoredSession> out = new ArrayList<>(clients.size());
        for (Map.Entry<String, Parts> e : clients.entrySet()) {
            Parts p = e.getValue();
            if (p.session == null) {
                orphan(e.getKey(), p);
            } else {
                out.add(restore(e.getKey(), p));
            }
        }
        for (Map.Entry<Long, Message> m : messages.entrySet()) {
            if (!held.containsKey(m.getKey())) {
                garbage.add(SessionRecords.messageKey(m.getKey()));
            }
        }
        return out;
    }

    private Parts parts(String clientId) {
        return clients.computeIfAbsent(clientId, id -> new Parts());
    }

    private RestoredSession restore(String clientId, Parts p) {
        SessionValue s = p.session;
        Will will = p.will == null ? null : new Will(p.will.message(), s.willDelaySeconds());
        p.entries.sort(Comparator.comparingLong(EntryValue::messageId));
        List<RestoredSession.Outbound> inflight = new ArrayList<>();
        List<Delivery> queued = new ArrayList<>();
        for (EntryValue e : p.entries) {
            Message m = messages.get(e.messageId());
            if (m == null) {
                // Released by its last holder, whose tombstone of the message reached the journal first.
                garbage.add(SessionRecords.entryKey(clientId, e.messageId()));
                continue;
            }
            StoredMessage stored = held.computeIfAbsent(e.messageId(), id -> new StoredMessage(id, m));
            Delivery d = Delivery.journaled(m, e.qos(), e.retain(), e.subscriptionIds(), null,
                    new JournalEntry(stored));
            if (e.state() != OutboundState.QUEUED && e.packetId() > 0) {
                inflight.add(new RestoredSession.Outbound(d, e.packetId(), e.state()));
            } else {
                queued.add(d);
            }
        }
        int[] inbound = p.inbound.stream().mapToInt(Integer::intValue).toArray();
        return new RestoredSession(clientId, s.expirySeconds(), s.connected() ? -1 : s.atMillis(), will,
                p.subscriptions, inflight, queued, inbound, s.owner());
    }

    /** Records of a client without a session record: left behind by a crash as the session ended. */
    private void orphan(String clientId, Parts p) {
        if (p.will != null) {
            garbage.add(SessionRecords.willKey(clientId));
        }
        for (String filter : p.subscriptions.keySet()) {
            garbage.add(SessionRecords.subscriptionKey(clientId, filter));
        }
        for (EntryValue e : p.entries) {
            garbage.add(SessionRecords.entryKey(clientId, e.messageId()));
        }
        for (int packetId : p.inbound) {
            garbage.add(SessionRecords.inboundKey(clientId, packetId));
        }
    }

    /** What the journal holds for one client identifier. */
    private static final class Parts {
        SessionValue session;
        WillValue will;
        final Map<String, SubscriptionOptions> subscriptions = new HashMap<>();
        final List<EntryValue> entries = new ArrayList<>();
        final TreeSet<Integer> inbound = new TreeSet<>();
    }
}
