package io.ratatoskr.bench.mqtt;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The durable comparison's report: what each kind of run is ranked by, medians, and ratios. */
class CompareReportTest {
    private static int clock;

    /** A result of {@code messages} counted in 1 s, with every latency {@code latencyMicros}. */
    private static LoadResult run(String scenario, String broker, int messages, boolean consumers, boolean drain,
                                  long latencyMicros) {
        Histogram latency = Histograms.create();
        for (int i = 0; i < messages; i++) {
            latency.recordValue(latencyMicros * 1000);
        }
        Receipts.SeenSet receipts = Receipts.seenSet(1);
        for (int i = 0; i < messages; i++) {
            receipts.record(0, i);
        }
        SenderStats sender = new SenderStats(messages, drain ? 0 : messages, messages, drain ? 0 : messages, 0, 0, 0,
                consumers ? Histograms.create() : latency, null);
        List<ReceiverStats> receivers = consumers ? List.of(new ReceiverStats(messages, messages, messages, 0, 0, 0,
                drain ? Histograms.create() : latency, receipts, null)) : List.of();
        LoadResult.Settings settings = new LoadResult.Settings("h", 1, null, 1, receivers.size(), "-", 1, 1, 1, 1024, 0,
                1, 0, 64, 64, 0, new LoadResult.Durable("t", 4, "fsync", consumers ? "g" : null, drain ? messages : 0));
        return Totals.result(Instant.ofEpochSecond(clock++), Map.of("scenario", scenario, "broker", broker, "load1",
                "0.50"), settings, 1.0, List.of(sender), new int[] {consumers ? 1 : 0}, receivers, true, true, 0, -1, -1,
                drain ? LoadResult.Preload.of(messages, 1) : null);
    }

    @Test
    void publishOnlyRunsRankByAcknowledgementsAndConsumerRunsByDeliveries() {
        LoadResult publish = run("p", "ratatoskr", 100, false, false, 500);
        LoadResult live = run("l", "ratatoskr", 100, true, false, 700);

        assertThat(publish.countedName()).isEqualTo("acked");
        assertThat(publish.countedLatency().p50()).isEqualTo(500, org.assertj.core.data.Offset.offset(1.0));
        assertThat(live.countedName()).isEqualTo("delivered");
        assertThat(live.countedLatency().p50()).isEqualTo(700, org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void theReportGivesMediansAndCandidateToBaselineRatiosWithoutTargetsWhenNoneIsSet() {
        List<LoadResult> runs = new ArrayList<>();
        for (int n : new int[] {300, 100, 200}) {
            runs.add(run("fsync-1", "ratatoskr", n, false, false, 1000));
            runs.add(run("fsync-1", "kafka", n / 2, false, false, 4000));
            runs.add(run("drain-4", "ratatoskr", n, true, true, 0));
            runs.add(run("drain-4", "kafka", n * 2, true, true, 0));
        }

        String report = CompareReport.render(runs, "ratatoskr", "kafka", 0);

        assertThat(report).contains("| fsync-1 | ratatoskr | 3 | 200 | 100 – 300 | acked | 200 |");
        assertThat(report).contains("| fsync-1 | kafka | 3 | 100 | 50 – 150 | acked |");
        assertThat(report).contains("| drain-4 | ratatoskr | 3 | 200 | 100 – 300 | delivered | - | 0.00 | 0 | - |");
        assertThat(report).contains("| fsync-1 | 2.00x | 0.25x |\n");
        assertThat(report).contains("| drain-4 | 0.50x | - |\n");
        assertThat(report).contains("| - | 0.50 | 0.2 |\n").doesNotContain("target");
    }
}
