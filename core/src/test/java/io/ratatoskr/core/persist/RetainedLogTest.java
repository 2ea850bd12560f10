package io.ratatoskr.core.persist;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.retain.RetainedStore;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.Record;
import io.ratatoskr.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Retained messages written to their log and read back by a new store, as at a restart. */
class RetainedLogTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final LogConfig config = StateLogs.logConfig(PersistenceConfig.DEFAULTS, 1 << 20);

    private RetainedStore reopen(RetainedLog[] holder) {
        if (holder[0] != null) {
            holder[0].close();
        }
        RetainedStore store = new RetainedStore();
        holder[0] = RetainedLog.open(dir, config, LogEnvironment.system().withClock(clock), store);
        return store;
    }

    private Message message(String topic, String payload, long expirySeconds) {
        MessageProperties p = new MessageProperties(1, expirySeconds, "text/plain", null, null,
                List.of(new Header("k", "v")));
        return new Message(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true, p, "pub", clock.millis());
    }

    @Test
    void retainedMessagesClearingsAndExpirySurviveAReopen() {
        RetainedLog[] log = new RetainedLog[1];
        try {
            RetainedStore store = reopen(log);
            store.retain(message("a/kept", "old", -1)).join();
            store.retain(message("a/kept", "new", -1)).join();
            store.retain(message("a/cleared", "x", -1)).join();
            store.retain(message("a/cleared", "", -1)).join();
            store.retain(message("a/expires", "soon", 10)).join();
            clock.advanceMs(4_000);

            store = reopen(log);
            assertThat(new String(store.get("a/kept").payload(), StandardCharsets.UTF_8)).isEqualTo("new");
            assertThat(store.get("a/kept").properties().userProperties()).containsExactly(new Header("k", "v"));
            assertThat(store.get("a/kept").retain()).isTrue();
            assertThat(store.get("a/cleared")).isNull();
            assertThat(store.get("a/expires").remainingExpirySeconds(clock.millis()))
                    .as("the expiry counts from when it was first received").isEqualTo(6);
            clock.advanceMs(10_000);

            store = reopen(log);
            assertThat(store.get("a/expires")).isNull();
            assertThat(store.size()).isEqualTo(1);
        } finally {
            log[0].close();
        }
    }

    @Test
    void anUndecodableRecordIsSkipped() {
        try (Log raw = Log.open(dir, config)) {
            raw.append(List.of(Record.of("bad".getBytes(StandardCharsets.UTF_8), new byte[] {42, 0}))).join();
        }
        RetainedLog[] log = new RetainedLog[1];
        try {
            RetainedStore store = reopen(log);
            assertThat(store.size()).isZero();
            store.retain(message("good", "g", -1)).join();
            store = reopen(log);
            assertThat(store.get("good")).isNotNull();
        } finally {
            log[0].close();
        }
    }
}
