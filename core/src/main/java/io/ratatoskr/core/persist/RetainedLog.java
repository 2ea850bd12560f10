package io.ratatoskr.core.persist;

import io.ratatoskr.core.durable.MessageEnvelope;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.retain.RetainedJournal;
import io.ratatoskr.core.retain.RetainedStore;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The retained messages on disk: a compacted {@link Log} in {@code <data>/retained} with one record
 * per topic. Version 1:
 *
 * <table>
 * <caption>Retained message record</caption>
 * <tr><th>part</th><th>content</th></tr>
 * <tr><td>key</td><td>the MQTT topic name, UTF-8</td></tr>
 * <tr><td>value</td><td>a {@link MessageEnvelope} (version 1) of the message, retain flag set; its
 *     id is {@code (0, 0)}. A null value (tombstone) means the topic's retained message was cleared</td></tr>
 * <tr><td>headers</td><td>the MQTT 5 user properties, in order</td></tr>
 * <tr><td>timestamp</td><td>when the broker received the message: its expiry interval counts from
 *     here, across restarts</td></tr>
 * </table>
 *
 * <p>At start the latest record per topic is loaded into the {@link RetainedStore}; an expired
 * message is cleared rather than loaded; a record that does not decode is logged and skipped. A torn
 * tail after a crash is cut by the log's recovery: a change whose write completed (the publisher was
 * acknowledged) is never lost.
 *
 * <p>Thread-safety: thread-safe. The store calls {@link #stored}/{@link #cleared} under its write
 * lock, so the log's order of changes to a topic is the store's.
 */
public final class RetainedLog implements RetainedJournal, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetainedLog.class);
    private static final UUID NO_ID = new UUID(0, 0);

    private final Log journal;

    private RetainedLog(Log journal) {
        this.journal = journal;
    }

    /**
     * Opens (recovering if needed) the log in {@code dir}, loads it into {@code store} and attaches
     * itself to the store, which writes every later change to it.
     */
    public static RetainedLog open(Path dir, LogConfig config, LogEnvironment env, RetainedStore store) {
        RetainedLog retained = new RetainedLog(Log.open(dir, config, env));
        try {
            retained.load(store, env.clock());
        } catch (RuntimeException e) {
            retained.close();
            throw e;
        }
        store.journalTo(retained);
        return retained;
    }

    private void load(RetainedStore store, Clock clock) {
        long started = System.nanoTime();
        Map<String, StoredRecord> latest = new HashMap<>();
        StateLogs.readAll(journal, r -> {
            if (r.key() == null) {
                log.warn("{}: record without a key at offset {} skipped", journal.dir(), r.offset());
                return;
            }
            String topic = new String(r.key(), StandardCharsets.UTF_8);
            if (r.isTombstone()) {
                latest.remove(topic);
            } else {
                latest.put(topic, r);
            }
        });
        long now = clock.millis();
        int loaded = 0;
        List<Record> expired = new ArrayList<>();
        for (Map.Entry<String, StoredRecord> e : latest.entrySet()) {
            Message m;
            try {
                m = MessageEnvelope.fromRecord("retained", 0, e.getValue()).message();
            } catch (RuntimeException ex) {
                log.warn("{}: retained message of '{}' at offset {} does not decode; skipped: {}", journal.dir(),
                        e.getKey(), e.getValue().offset(), ex.toString());
                continue;
            }
            if (m.isExpired(now)) {
                expired.add(Record.of(e.getValue().key(), null));
                continue;
            }
            store.retain(m.withRetain(true));
            loaded++;
        }
        if (!expired.isEmpty()) {
            journal.append(expired);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        log.atInfo().addKeyValue("event", "recovered").addKeyValue("retainedMessages", loaded)
                .addKeyValue("durationMs", ms)
                .log("{}: {} retained messages loaded ({} expired while the broker was down) in {} ms", journal.dir(),
                        loaded, expired.size(), ms);
    }

    @Override
    public CompletableFuture<?> stored(Message message) {
        Record r = MessageEnvelope.toRecord(message, NO_ID, message.topic().getBytes(StandardCharsets.UTF_8), null);
        return append(r);
    }

    @Override
    public CompletableFuture<?> cleared(String topic) {
        return append(Record.of(topic.getBytes(StandardCharsets.UTF_8), null));
    }

    private CompletableFuture<?> append(Record r) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        journal.append(List.of(r)).whenComplete((result, e) -> {
            if (e == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(StateLogs.refusal("retained message", e));
            }
        });
        return done;
    }

    /** The underlying log, for status and tests. */
    public Log log() {
        return journal;
    }

    /** Closes the log cleanly (what was written is flushed). */
    @Override
    public void close() {
        journal.close();
    }
}
