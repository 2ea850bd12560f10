package io.ratatoskr.bench.mqtt;

import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReceiptsTest {

    @Test
    void inOrderReceiptsCountALowerOrEqualSequenceAsARepeat() {
        Receipts r = Receipts.inOrder(2);

        assertThat(r.record(0, 0)).isTrue();
        assertThat(r.record(0, 1)).isTrue();
        assertThat(r.record(0, 1)).isFalse();
        assertThat(r.record(0, 0)).isFalse();
        assertThat(r.record(1, 5)).isTrue();
        assertThat(r.unique()).isEqualTo(3);
    }

    @Test
    void seenSetTellsRepeatsFromOutOfOrderArrivals() {
        Receipts.SeenSet r = Receipts.seenSet(1);

        assertThat(r.record(0, 1000)).isTrue();
        assertThat(r.record(0, 3)).isTrue();
        assertThat(r.record(0, 3)).isFalse();
        assertThat(r.record(0, 64)).isTrue();
        assertThat(r.seen(0, 1000)).isTrue();
        assertThat(r.seen(0, 999)).isFalse();
        assertThat(r.seen(0, 1_000_000)).isFalse();
        assertThat(r.unique()).isEqualTo(3);
    }

    @Test
    void mergedSeenSetsCountEachMessageOnceWhicheverMemberHadIt() {
        SplittableRandom random = Seeds.random("mergedSeenSetsCountEachMessageOnceWhicheverMemberHadIt", 42);
        int publishers = 3;
        Receipts.SeenSet a = Receipts.seenSet(publishers);
        Receipts.SeenSet b = Receipts.seenSet(publishers);
        BitSet[] model = new BitSet[publishers];
        for (int p = 0; p < publishers; p++) {
            model[p] = new BitSet();
        }
        for (int i = 0; i < 20_000; i++) {
            int p = random.nextInt(publishers);
            int seq = random.nextInt(5_000);
            (random.nextBoolean() ? a : b).record(p, seq);
            model[p].set(seq);
        }
        Receipts.SeenSet union = Receipts.seenSet(publishers);

        union.addAll(a);
        union.addAll(b);
        union.addAll(b);

        long expected = 0;
        for (BitSet m : model) {
            expected += m.cardinality();
        }
        assertThat(union.unique()).isEqualTo(expected);
        assertThat(union.unique()).isLessThanOrEqualTo(a.unique() + b.unique());
        for (int p = 0; p < publishers; p++) {
            for (int seq = 0; seq < 5_000; seq++) {
                assertThat(union.seen(p, seq)).isEqualTo(model[p].get(seq));
            }
        }
    }

    @Test
    void garbledPublishersAndSequencesAreRefusedNotStored() {
        Receipts r = Receipts.seenSet(2);

        assertThat(r.accepts(2, 0)).isFalse();
        assertThat(r.accepts(-1, 0)).isFalse();
        assertThat(r.accepts(0, -1)).isFalse();
        assertThat(r.accepts(0, Receipts.MAX_SEQUENCE)).isFalse();
        assertThatThrownBy(() -> r.record(0, Receipts.MAX_SEQUENCE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.unique()).isZero();
    }

    @Test
    void aTallyCountsRepeatsUnexpectedMessagesAndOnlyMeasuresTheWindow() {
        Tally t = new Tally(Receipts.seenSet(2), new boolean[] {true, false});
        t.timeline(new Timeline(0, 1_000, 2_000));

        t.message(0, 0, 1_100, 1_500);  // in the window: measured, latency 400 ns
        t.message(0, 0, 1_100, 1_600);  // repeat
        t.message(0, 1, 500, 2_500);    // sent and received outside the window
        t.message(1, 0, 1_100, 1_500);  // a publisher it should not hear from
        t.garbled();
        t.redelivery();

        ReceiverStats s = t.stats(null);
        assertThat(s.received()).isEqualTo(5);
        assertThat(s.unique()).isEqualTo(2);
        assertThat(s.duplicates()).isEqualTo(1);
        assertThat(s.unexpected()).isEqualTo(2);
        assertThat(s.redelivered()).isEqualTo(1);
        assertThat(s.receivedMeasured()).isEqualTo(2);
        assertThat(s.latency().getTotalCount()).isEqualTo(2);
        assertThat(t.lastNewNanos()).isEqualTo(2_500);
    }
}
