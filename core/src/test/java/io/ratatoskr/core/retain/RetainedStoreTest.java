package io.ratatoskr.core.retain;

import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetainedStoreTest {

    private static Message msg(String topic, String payload) {
        return new Message(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true, MessageProperties.EMPTY, "p", 0);
    }

    private static List<String> topics(RetainedStore store, String filter, long now) {
        List<String> out = new ArrayList<>();
        store.match(filter, now, m -> out.add(m.topic()));
        return out;
    }

    @Test
    void retainingReplacesAndEmptyPayloadClears() {
        RetainedStore store = new RetainedStore();
        store.retain(msg("a/b", "one"));
        store.retain(msg("a/b", "two"));
        assertThat(new String(store.get("a/b").payload(), StandardCharsets.UTF_8)).isEqualTo("two");
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.payloadBytes()).isEqualTo(3);
        store.retain(msg("a/b", ""));
        assertThat(store.get("a/b")).isNull();
        assertThat(store.size()).isZero();
        assertThat(store.payloadBytes()).isZero();
    }

    @Test
    void storedMessagesCarryTheRetainFlag() {
        RetainedStore store = new RetainedStore();
        Message m = new Message("t", new byte[] {1}, 0, false, MessageProperties.EMPTY, "p", 0);
        store.retain(m);
        assertThat(store.get("t").retain()).isTrue();
    }

    @Test
    void wildcardFiltersFindMatchingRetainedMessages() {
        RetainedStore store = new RetainedStore();
        for (String t : List.of("sport", "sport/tennis", "sport/tennis/p1", "sport/golf", "news", "$SYS/uptime", "/x")) {
            store.retain(msg(t, "v"));
        }
        assertThat(topics(store, "sport/#", 0)).containsExactlyInAnyOrder(
                "sport", "sport/tennis", "sport/tennis/p1", "sport/golf");
        assertThat(topics(store, "sport/+", 0)).containsExactlyInAnyOrder("sport/tennis", "sport/golf");
        assertThat(topics(store, "+", 0)).containsExactlyInAnyOrder("sport", "news");
        assertThat(topics(store, "#", 0)).doesNotContain("$SYS/uptime").contains("/x", "news");
        assertThat(topics(store, "$SYS/#", 0)).containsExactly("$SYS/uptime");
        assertThat(topics(store, "+/x", 0)).containsExactly("/x");
        assertThat(topics(store, "sport/tennis/p1", 0)).containsExactly("sport/tennis/p1");
    }

    @Test
    void expiredRetainedMessagesAreNotReturnedAndAreRemoved() {
        RetainedStore store = new RetainedStore();
        MessageProperties expiring = new MessageProperties(-1, 10, null, null, null, List.of());
        store.retain(new Message("t/1", new byte[] {1}, 0, true, expiring, "p", 1_000));
        store.retain(msg("t/2", "v"));
        assertThat(topics(store, "t/+", 5_000)).containsExactlyInAnyOrder("t/1", "t/2");
        assertThat(topics(store, "t/+", 11_000)).containsExactly("t/2");
        assertThat(store.get("t/1")).isNull();
        assertThat(store.size()).isEqualTo(1);
    }
}
