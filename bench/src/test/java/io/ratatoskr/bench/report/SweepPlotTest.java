package io.ratatoskr.bench.report;

import io.ratatoskr.bench.mqtt.Histograms;
import io.ratatoskr.bench.mqtt.LoadResult;
import io.ratatoskr.bench.mqtt.Receipts;
import io.ratatoskr.bench.mqtt.ReceiverStats;
import io.ratatoskr.bench.mqtt.SenderStats;
import io.ratatoskr.bench.mqtt.Totals;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A sweep's points (medians per broker and offered load) and the PNG plots and table drawn from them. */
class SweepPlotTest {
    private static int clock;

    /** A 1 s run of {@code delivered} messages at {@code rate} (0: flat out), fan-out 2, every latency the same. */
    private static LoadResult run(String broker, double rate, int delivered, long latencyMicros) {
        return run(broker, rate, delivered, latencyMicros, 64);
    }

    private static LoadResult run(String broker, double rate, int delivered, long latencyMicros, int payloadBytes) {
        Histogram latency = Histograms.create();
        Receipts receipts = Receipts.inOrder(1);
        for (int i = 0; i < delivered; i++) {
            latency.recordValue(latencyMicros * 1000);
            receipts.record(0, i / 2);
        }
        SenderStats sender = new SenderStats(delivered / 2, delivered / 2, 0, 0, 0, 0, 0, Histograms.create(), null);
        ReceiverStats receiver = new ReceiverStats(delivered, delivered / 2, delivered, 0, 0, 0, latency, receipts,
                null);
        LoadResult.Settings settings = new LoadResult.Settings("h", 1, "3.1.1", 1, 2, "1", 2, 2, 0, payloadBytes, rate, 1, 0, 64,
                64, 2, null);
        return Totals.result(Instant.ofEpochSecond(clock++), Map.of("broker", broker, "sweep", "s1"), settings, 1.0,
                List.of(sender), new int[] {1}, List.of(receiver), false, false, 0, -1, -1, null);
    }

    @Test
    void payloadPlotsGiveTheFlatOutMediansPerBrokerAndSizeInMessagesAndMegabytes(@TempDir Path dir) throws Exception {
        List<LoadResult> runs = new ArrayList<>();
        for (int size : new int[] {16, 4096, 65536}) {
            for (int delivered : new int[] {3000, 1000, 2000}) {
                runs.add(run("ratatoskr", 0, delivered, 100, size));
            }
            runs.add(run("mosquitto", 0, 500, 100, size));
            runs.add(run("mosquitto", 100, 200, 100, size));
        }

        List<SweepPlot.PayloadPoint> points = SweepPlot.payloadPoints(runs);
        SweepPlot.writePayloads("payloads", points, dir);

        assertThat(points).extracting(SweepPlot.PayloadPoint::broker, SweepPlot.PayloadPoint::payloadBytes,
                SweepPlot.PayloadPoint::runs).containsExactly(org.assertj.core.groups.Tuple.tuple("ratatoskr", 16, 3),
                org.assertj.core.groups.Tuple.tuple("ratatoskr", 4096, 3),
                org.assertj.core.groups.Tuple.tuple("ratatoskr", 65536, 3),
                org.assertj.core.groups.Tuple.tuple("mosquitto", 16, 1),
                org.assertj.core.groups.Tuple.tuple("mosquitto", 4096, 1),
                org.assertj.core.groups.Tuple.tuple("mosquitto", 65536, 1));
        assertThat(points.get(2).perSecond()).isEqualTo(2000.0);
        assertThat(points.get(2).megabytesPerSecond()).isEqualTo(2000 * 65536 / 1e6);
        assertThat(dir.resolve("payloads-mbps.png")).isNotEmptyFile();
        assertThat(dir.resolve("payloads-msgs.png")).isNotEmptyFile();
        assertThat(Files.readString(dir.resolve("payloads.md"))).contains("| ratatoskr | 0 | 65,536 | 2,000 | 131.1 |");
    }

    @Test
    void pointsAreMediansPerBrokerAndOfferedDeliveries() {
        List<LoadResult> runs = new ArrayList<>();
        runs.add(run("ratatoskr", 0, 10_000, 900));
        for (long micros : new long[] {300, 100, 200}) {
            runs.add(run("ratatoskr", 1000, 2000, micros));
        }
        runs.add(run("hivemq", 500, 1000, 400));

        List<SweepPlot.Point> points = SweepPlot.points(runs);

        assertThat(points).extracting(SweepPlot.Point::broker, SweepPlot.Point::offered, SweepPlot.Point::runs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ratatoskr", 0.0, 1),
                        org.assertj.core.groups.Tuple.tuple("ratatoskr", 2000.0, 3),
                        org.assertj.core.groups.Tuple.tuple("hivemq", 1000.0, 1));
        assertThat(points.get(1).p50()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.001));
        assertThat(points.get(1).achieved()).isEqualTo(2000.0);
    }

    @Test
    void theSweepIsDrawnAsTwoPngPlotsAndATable(@TempDir Path dir) throws Exception {
        List<SweepPlot.Point> points = SweepPlot.points(List.of(run("ratatoskr", 0, 10_000, 900),
                run("ratatoskr", 1000, 2000, 200), run("ratatoskr", 3000, 6000, 300), run("mosquitto", 1000, 2000,
                        150)));

        System.setProperty("java.awt.headless", "true");
        SweepPlot.write("s1", points, dir);

        for (String png : List.of("s1-throughput.png", "s1-latency.png")) {
            byte[] bytes = Files.readAllBytes(dir.resolve(png));
            assertThat(bytes).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
        assertThat(Files.readString(dir.resolve("s1.md")))
                .contains("| ratatoskr | flat out | 10,000 |")
                .contains("| ratatoskr | 6,000 | 6,000 | 0.00 | 0.300 |")
                .contains("| mosquitto | 2,000 | 2,000 |");
    }
}
