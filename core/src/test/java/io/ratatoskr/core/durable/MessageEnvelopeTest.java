package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;
import io.ratatoskr.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageEnvelopeTest {

    @Test
    void everyMessageFieldSurvivesTheEnvelope() {
        long seed = Seeds.seed("MessageEnvelopeTest", 20261123L);
        Random random = new Random(seed);
        for (int i = 0; i < 500; i++) {
            Message m = randomMessage(random);
            UUID id = new UUID(random.nextLong(), random.nextLong());
            byte[] key = random.nextBoolean() ? null : bytes(random, random.nextInt(20));
            Record r = MessageEnvelope.toRecord(m, id, key, null);
            StoredRecord stored = new StoredRecord(42 + i, r.timestampMs(), r.key(), r.storedValue(), r.headers(), null);
            DurableMessage back = MessageEnvelope.fromRecord("orders", 3, stored);
            assertThat(back.message()).as("seed %d, message %d", seed, i).isEqualTo(m);
            assertThat(back.id()).isEqualTo(id);
            assertThat(back.key()).isEqualTo(key);
            assertThat(back.offset()).isEqualTo(42 + i);
            assertThat(back.partition()).isEqualTo(3);
        }
    }

    @Test
    void anUnknownEnvelopeVersionIsRefusedNotMisread() {
        Message m = new Message("a/b", new byte[] {1}, 1, false, MessageProperties.EMPTY, "c", 1000);
        Record r = MessageEnvelope.toRecord(m, UUID.randomUUID(), null, null);
        byte[] value = r.storedValue().clone();
        value[0] = 2;
        StoredRecord stored = new StoredRecord(0, 1000, null, value, List.of(), null);
        assertThatThrownBy(() -> MessageEnvelope.fromRecord("t", 0, stored))
                .hasMessageContaining("version 2");
    }

    @Test
    void messageIdsAreTimeOrderedVersion7() {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
        MessageIds ids = new MessageIds(clock, new Random(Seeds.seed("MessageEnvelopeTest", 20261123L)));
        UUID previous = ids.next();
        for (int i = 0; i < 10_000; i++) {
            UUID next = ids.next();
            assertThat(next.version()).isEqualTo(7);
            assertThat(next.variant()).isEqualTo(2);
            assertThat(Long.compareUnsigned(next.getMostSignificantBits(), previous.getMostSignificantBits()))
                    .isPositive();
            previous = next;
        }
        assertThat(MessageIds.millisOf(previous)).isGreaterThanOrEqualTo(1_700_000_000_000L);
    }

    private static Message randomMessage(Random r) {
        List<Header> user = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            user.add(new Header("k" + r.nextInt(9), "välue" + r.nextInt(99)));
        }
        MessageProperties p = new MessageProperties(r.nextInt(3) - 1, r.nextBoolean() ? -1 : r.nextInt(100_000),
                r.nextBoolean() ? null : "text/plain", r.nextBoolean() ? null : "reply/" + r.nextInt(9),
                r.nextBoolean() ? null : bytes(r, r.nextInt(10)), user);
        return new Message("sensors/" + r.nextInt(100) + "/ü", bytes(r, r.nextInt(300)), r.nextInt(3), r.nextBoolean(),
                p, r.nextBoolean() ? null : "client-" + r.nextInt(9), r.nextLong(0, 1L << 42));
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
