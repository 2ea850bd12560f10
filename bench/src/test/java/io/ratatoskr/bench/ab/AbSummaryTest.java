package io.ratatoskr.bench.ab;

import io.ratatoskr.bench.mqtt.LoadResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** What `ratatoskr bench ab` reports: the alternation, the medians per broker and the ratio new / base. */
class AbSummaryTest {
    private static int clock;

    /** A run of 1 s that delivered {@code perSecond} 1 KiB messages with p99 {@code p99Ms}, peak RSS {@code rss}. */
    private static LoadResult run(String broker, int rep, double perSecond, double p99Ms, double rss, String load) {
        LoadResult.Rate rate = new LoadResult.Rate((long) perSecond, (long) perSecond, perSecond);
        LoadResult.Latency latency = new LoadResult.Latency((long) perSecond, p99Ms * 500, p99Ms * 800, p99Ms * 1000,
                p99Ms * 1200, p99Ms * 1500, p99Ms * 600);
        LoadResult.Settings settings = new LoadResult.Settings("h", 1, "3.1.1", 4, 4, "per-publisher", 1, 1, 1, 1024, 0,
                1, 0, 64, 256, 2, null);
        return new LoadResult(LoadResult.TOOL, LoadResult.FORMAT, Instant.ofEpochSecond(clock++).toString(),
                Map.of("broker", broker, "rep", Integer.toString(rep), "load1", load), settings, 1.0, rate, rate, rate,
                (long) perSecond, 0, 0, 0, 0, 0, 0, 0, latency, latency,
                new LoadResult.Cpu(0.5, 1.0, 1e6 / perSecond, 0.1), null, List.of(),
                new LoadResult.Resources(rss, rss, 3, 6.0, 2.0, 12.0));
    }

    @Test
    void baseGoesFirstInOddRepetitionsAndNewInEvenOnesSoEachLeadsEquallyOften() {
        assertThat(AbSummary.order(1, "base", "new")).containsExactly("base", "new");
        assertThat(AbSummary.order(2, "base", "new")).containsExactly("new", "base");
        assertThat(AbSummary.order(3, "base", "new")).containsExactly("base", "new");
        long baseFirst = java.util.stream.IntStream.rangeClosed(1, 6)
                .filter(rep -> AbSummary.order(rep, "base", "new").getFirst().equals("base")).count();
        assertThat(baseFirst).isEqualTo(3);
    }

    @Test
    void mediansPerBrokerAndTheRatioNewOverBaseWithPeaksAsTheHighestRun() {
        List<LoadResult> runs = new ArrayList<>();
        runs.add(run("base", 1, 100_000, 4.0, 500, "1.00"));
        runs.add(run("new", 1, 150_000, 2.0, 600, "1.20"));
        runs.add(run("new", 2, 120_000, 3.0, 700, "1.10"));
        runs.add(run("base", 2, 80_000, 5.0, 510, "1.30"));
        runs.add(run("base", 3, 120_000, 6.0, 520, "0.90"));
        runs.add(run("new", 3, 90_000, 1.0, 650, "1.00"));
        runs.add(run("mosquitto", 3, 1, 1.0, 1, "9.99"));

        AbSummary s = AbSummary.of(runs, new AbSummary.Side("base", "a.jar", 0), new AbSummary.Side("new", "b.jar", 0));

        assertThat(s.base().runs()).isEqualTo(3);
        assertThat(s.next().runs()).isEqualTo(3);
        AbSummary.Figure throughput = figure(s, "throughput");
        assertThat(throughput.base()).isEqualTo(100_000);
        assertThat(throughput.next()).isEqualTo(120_000);
        assertThat(throughput.ratio()).isCloseTo(1.2, within(1e-9));
        AbSummary.Figure p99 = figure(s, "latency p99");
        assertThat(p99.base()).isCloseTo(5.0, within(1e-9));
        assertThat(p99.next()).isCloseTo(2.0, within(1e-9));
        assertThat(p99.ratio()).isCloseTo(0.4, within(1e-9));
        assertThat(figure(s, "payload").next()).isCloseTo(120_000 * 1024 / 1e6, within(1e-9));
        assertThat(figure(s, "peak RSS").base()).isEqualTo(520);
        assertThat(figure(s, "peak RSS").next()).isEqualTo(700);
        assertThat(figure(s, "load average (1 min)").base()).isEqualTo(1.0);
        assertThat(s.runs()).hasSize(6).extracting(AbSummary.Run::broker)
                .containsExactly("base", "new", "new", "base", "base", "new");
        assertThat(s.markdown())
                .contains("| figure | base (median of 3) | new (median of 3) | new / base |")
                .contains("| throughput (msg/s) | 100,000 | 120,000 | 1.20x |")
                .contains("| latency p99 (ms) | 5.00 | 2.00 | 0.40x |")
                .contains("| peak RSS (MiB), highest | 520.0 | 700.0 | 1.35x |")
                .doesNotContain("mosquitto");
    }

    @Test
    void aFigureOnlyOneSideMeasuredHasNoRatio() {
        assertThat(AbSummary.ratio(Double.NaN, 2)).isNaN();
        assertThat(AbSummary.ratio(0, 2)).isNaN();
        assertThat(AbSummary.ratio(2, 3)).isEqualTo(1.5);
    }

    @Test
    void withoutRunsOfOneBrokerThereIsNoComparison() {
        List<LoadResult> onlyBase = List.of(run("base", 1, 10, 1, 1, "1"));

        assertThatThrownBy(() -> AbSummary.of(onlyBase, new AbSummary.Side("base", "a", 0),
                new AbSummary.Side("new", "b", 0))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("new");
    }

    private static AbSummary.Figure figure(AbSummary s, String name) {
        return s.figures().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
