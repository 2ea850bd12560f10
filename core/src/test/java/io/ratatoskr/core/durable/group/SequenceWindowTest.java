package io.ratatoskr.core.durable.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.testkit.Seeds;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The window behind a partition's pending messages (its first key is the committed offset) and the
 * deliveries in flight: it must agree with an ordered map through any mix of reads forward and
 * acknowledgements in any order.
 */
class SequenceWindowTest {

    @Test
    void agreesWithAnOrderedMapThroughRandomReadsAndAcknowledgements() {
        SplittableRandom random = Seeds.random("SequenceWindowTest", 20_261_124L);
        SequenceWindow<PendingMessage> window = new SequenceWindow<>();
        TreeMap<Long, PendingMessage> model = new TreeMap<>();
        long next = 0;
        for (int step = 0; step < 200_000; step++) {
            int op = random.nextInt(100);
            if (op < 45) {
                next += random.nextInt(8) == 0 ? 1 + random.nextInt(50) : 1; // gaps: compaction, TTL, bad records
                PendingMessage m = message(next);
                window.add(next, m);
                model.put(next, m);
            } else if (op < 90 && !model.isEmpty()) {
                // Mostly near the front (acknowledged in about delivery order), sometimes anywhere.
                long offset = random.nextInt(4) == 0
                        ? model.ceilingKey(model.firstKey() + random.nextLong(model.lastKey() - model.firstKey() + 1))
                        : model.firstKey() + random.nextInt(3);
                PendingMessage expected = model.remove(offset);
                assertThat(window.remove(offset)).isSameAs(expected);
            } else if (op < 99) {
                long offset = random.nextLong(next + 2);
                if (!model.containsKey(offset)) {
                    assertThat(window.remove(offset)).isNull();
                }
            } else if (random.nextInt(50) == 0) {
                window.clear();
                model.clear();
            }
            assertThat(window.size()).isEqualTo(model.size());
            assertThat(window.isEmpty()).isEqualTo(model.isEmpty());
            if (!model.isEmpty()) {
                assertThat(window.firstKey()).isEqualTo(model.firstKey());
                assertThat(window.first()).isSameAs(model.firstEntry().getValue());
                long probe = model.firstKey() + random.nextInt(5);
                assertThat(window.get(probe)).isSameAs(model.get(probe));
            }
        }
        assertThat(window.values()).containsExactlyElementsOf(model.values());
    }

    @Test
    void aMessageStuckAtTheFrontDoesNotKeepTheSlotsOfThoseAcknowledgedBehindIt() {
        SequenceWindow<PendingMessage> window = new SequenceWindow<>();
        window.add(0, message(0)); // waits for a retry while a million later messages come and go
        for (long offset = 1; offset <= 1_000_000; offset++) {
            window.add(offset, message(offset));
            if (offset > 1) {
                assertThat(window.remove(offset - 1)).isNotNull();
            }
        }
        assertThat(window.firstKey()).isZero();
        assertThat(window.size()).isEqualTo(2); // offset 0 and the last one
        assertThat(window.values()).extracting(m -> m.offset).containsExactly(0L, 1_000_000L);
        assertThat(window.capacity()).isLessThanOrEqualTo(64);
        for (long offset = 1_000_001; offset <= 1_100_000; offset++) {
            window.add(offset, message(offset)); // a burst grows the ring...
        }
        assertThat(window.capacity()).isGreaterThanOrEqualTo(100_000);
        for (long offset = 0; offset <= 1_100_000; offset++) {
            window.remove(offset); // ...and emptying it from the front gives the room back
        }
        assertThat(window.isEmpty()).isTrue();
        assertThat(window.capacity()).isEqualTo(16);
    }

    @Test
    void refusesAnOffsetThatIsNotAboveTheLast() {
        SequenceWindow<PendingMessage> window = new SequenceWindow<>();
        window.add(5, message(5));
        assertThatThrownBy(() -> window.add(5, message(5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> window.add(4, message(4))).isInstanceOf(IllegalArgumentException.class);
        window.add(9, message(9));
        window.remove(9); // emptied from the back: 5 stays, so 7 is still below the last key added
        assertThatThrownBy(() -> window.add(7, message(7))).isInstanceOf(IllegalArgumentException.class);
        window.clear();
        window.add(4, message(4)); // a seek starts over
        assertThat(window.firstKey()).isEqualTo(4);
        window.remove(4);
        window.add(2, message(2)); // and so does a window emptied by removals
        assertThat(window.firstKey()).isEqualTo(2);
    }

    private static PendingMessage message(long offset) {
        Message m = new Message("t", new byte[0], 1, false, new MessageProperties(-1, -1, null, null, null, List.of()),
                "p", 0);
        return new PendingMessage(0, offset, new DurableMessage(UUID.randomUUID(), "t", 0, offset, 0, null, m));
    }
}
