package io.ratatoskr.bench.mqtt;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loss and duplicate accounting when each message should reach one member of a group (a shared subscription):
 * members' receipts are merged, so a message two members had is a duplicate and one nobody had is lost.
 */
class SharedAccountingTest {

    private static ReceiverStats member(int... sequences) {
        Tally tally = new Tally(Receipts.seenSet(1), new boolean[] {true});
        for (int seq : sequences) {
            tally.message(0, seq, 0, 1);
        }
        return tally.stats(null);
    }

    private static LoadResult total(int sent, List<ReceiverStats> members) {
        SenderStats sender = new SenderStats(sent, sent, sent, sent, 0, 0, 0, new Histogram(3), null);
        LoadResult.Settings settings = new LoadResult.Settings("h", 1, "3.1.1", 1, members.size(), "shared:g", 1, 1, 1,
                64, 0, 1, 0, 64, 64, 1, null);
        return Totals.result(Instant.EPOCH, Map.of(), settings, 1.0, List.of(sender), new int[] {1}, members, true,
                true, 0, -1, -1, null);
    }

    @Test
    void messagesSplitBetweenMembersAreEachCountedOnceAndNoneLost() {
        LoadResult r = total(6, List.of(member(0, 2, 4), member(1, 3, 5)));

        assertThat(r.expectedDeliveries()).isEqualTo(6);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicates()).isZero();
    }

    @Test
    void aMessageTwoMembersHadIsADuplicateAndOneNobodyHadIsLost() {
        LoadResult r = total(6, List.of(member(0, 1, 2), member(2, 3, 4)));

        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.delivered().total()).isEqualTo(6);
    }

    @Test
    void aMemberGettingTheSameMessageTwiceIsADuplicateToo() {
        LoadResult r = total(3, List.of(member(0, 1, 1), member(2)));

        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.lost()).isZero();
    }
}
