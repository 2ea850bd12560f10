package io.ratatoskr.bench.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratatoskr.bench.mqtt.CompareReport;
import io.ratatoskr.bench.mqtt.LoadResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

/**
 * Plots a rate sweep ({@code bench/sweep-mqtt.sh}): for every sweep (runs labelled {@code sweep=<id>}), one PNG
 * of throughput achieved against load offered and one of end-to-end latency percentiles (p50, p99, p99.9,
 * logarithmic) against load offered, a series per broker, and a Markdown table of the points. Offered load is
 * the fixed publish rate times the deliveries each message is due ({@code fanOutMax}), so that the ideal
 * throughput line is y = x; runs at rate 0 (the flat-out runs the sweep starts with) are in the table, not in
 * the plots. Repeated runs at the same point are summarised by their medians.
 *
 * <p>Writes {@code <id>-throughput.png}, {@code <id>-latency.png} and {@code <id>.md} into {@code --out}.
 * {@code --rate-of FILE} instead prints a result's published messages per second (what the sweep script scales).
 * {@code --by-payload PREFIX} instead plots the flat-out runs of a payload-size comparison: throughput in payload
 * MB/s and in messages/s against the payload size, a series per broker and QoS ({@code <PREFIX>-mbps.png},
 * {@code <PREFIX>-msgs.png}, {@code <PREFIX>.md}).
 *
 * <p>Stateless apart from its options; one invocation per instance.
 */
@Command(name = "sweep-plot", mixinStandardHelpOptions = true,
        description = "PNG plots and a Markdown table of MqttLoad runs labelled sweep=<id> (throughput and latency vs"
                + " offered load).")
public final class SweepPlot implements Callable<Integer> {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    @Option(names = "--results", description = "Directory of MqttLoad --json files (searched recursively).")
    Path results;

    @Option(names = "--out", description = "Where the PNG files and the table go (default: the results directory).")
    Path out;

    @Option(names = "--rate-of", description = "Print the published messages per second of this result and exit.")
    Path rateOf;

    @Option(names = "--by-payload", description = "Plot throughput against payload size (flat-out runs of --results)"
            + " into <PREFIX>-mbps.png, <PREFIX>-msgs.png and <PREFIX>.md instead of sweeps.")
    String byPayload;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SweepPlot()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (rateOf != null) {
            System.out.printf(Locale.ROOT, "%.0f%n", mapper().readValue(rateOf.toFile(), LoadResult.class)
                    .published().perSecond());
            return 0;
        }
        if (results == null) {
            System.err.println("sweep-plot: give --results DIR (or --rate-of FILE)");
            return 2;
        }
        Path dir = out == null ? results : out;
        Files.createDirectories(dir);
        if (byPayload != null) {
            List<PayloadPoint> points = payloadPoints(CompareReport.read(results));
            if (points.isEmpty()) {
                System.err.println("sweep-plot: no flat-out results under " + results);
                return 1;
            }
            writePayloads(byPayload, points, dir);
            System.out.println("wrote " + dir.resolve(byPayload + "-mbps.png") + ", "
                    + dir.resolve(byPayload + "-msgs.png") + " and " + dir.resolve(byPayload + ".md"));
            return 0;
        }
        Map<String, List<LoadResult>> sweeps = new TreeMap<>();
        for (LoadResult r : CompareReport.read(results)) {
            String id = r.labels().get("sweep");
            if (id != null) {
                sweeps.computeIfAbsent(id, k -> new ArrayList<>()).add(r);
            }
        }
        if (sweeps.isEmpty()) {
            System.err.println("sweep-plot: no results labelled sweep=<id> under " + results);
            return 1;
        }
        for (var sweep : sweeps.entrySet()) {
            List<Point> points = points(sweep.getValue());
            write(sweep.getKey(), points, dir);
            System.out.println("wrote " + dir.resolve(sweep.getKey() + "-throughput.png") + ", "
                    + dir.resolve(sweep.getKey() + "-latency.png") + " and " + dir.resolve(sweep.getKey() + ".md"));
        }
        return 0;
    }

    /** One broker at one offered load: medians over the runs there. Rates in messages/s, latencies in ms. */
    record Point(String broker, double offered, double achieved, double p50, double p99, double p999,
                 double brokerCores, double lostPercent, int runs) {
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The points of one sweep, by broker (in the order they first ran), then by offered load. */
    static List<Point> points(List<LoadResult> runs) {
        Map<String, Map<Double, List<LoadResult>>> byBroker = new java.util.LinkedHashMap<>();
        runs.stream().sorted(Comparator.comparing(LoadResult::startedAt)).forEach(r -> byBroker
                .computeIfAbsent(r.labels().getOrDefault("broker", "?"), k -> new TreeMap<>())
                .computeIfAbsent(offered(r), k -> new ArrayList<>()).add(r));
        List<Point> points = new ArrayList<>();
        byBroker.forEach((broker, byRate) -> byRate.forEach((offered, rs) -> points.add(new Point(broker, offered,
                CompareReport.median(rs, r -> r.counted().perSecond()),
                CompareReport.median(rs, r -> r.countedLatency().p50() / 1000),
                CompareReport.median(rs, r -> r.countedLatency().p99() / 1000),
                CompareReport.median(rs, r -> r.countedLatency().p999() / 1000),
                CompareReport.median(rs, r -> r.cpu().brokerSeconds() == null ? Double.NaN
                        : r.cpu().brokerSeconds() / r.measuredSeconds()),
                CompareReport.median(rs, r -> r.lostRatio() * 100), rs.size()))));
        return points;
    }

    /** Deliveries per second offered: the fixed publish rate times the deliveries per message; 0 when flat out. */
    static double offered(LoadResult r) {
        return r.settings().ratePerSecond() * Math.max(1, r.settings().fanOutMax());
    }

    static void write(String id, List<Point> points, Path dir) throws IOException {
        List<String> brokers = points.stream().map(Point::broker).distinct().toList();
        XYChart throughput = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(id + ": throughput achieved vs offered").xAxisTitle("offered (deliveries/s)")
                .yAxisTitle("achieved (deliveries/s)").build();
        XYChart latency = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(id + ": end-to-end latency vs offered load").xAxisTitle("offered (deliveries/s)")
                .yAxisTitle("latency (ms, log scale)").build();
        latency.getStyler().setYAxisLogarithmic(true);
        for (XYChart c : List.of(throughput, latency)) {
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
            c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
            c.getStyler().setXAxisDecimalPattern("#,###");
        }
        throughput.getStyler().setYAxisDecimalPattern("#,###");
        double maxOffered = points.stream().mapToDouble(Point::offered).max().orElse(0);
        if (maxOffered > 0) {
            XYSeries ideal = throughput.addSeries("offered (ideal)", new double[] {0, maxOffered},
                    new double[] {0, maxOffered});
            ideal.setMarker(SeriesMarkers.NONE);
            ideal.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {4f, 4f}, 0f));
            ideal.setLineColor(java.awt.Color.GRAY);
        }
        for (int i = 0; i < brokers.size(); i++) {
            String broker = brokers.get(i);
            java.awt.Color color = COLORS[i % COLORS.length];
            List<Point> ps = points.stream().filter(p -> p.broker().equals(broker) && p.offered() > 0).toList();
            if (ps.isEmpty()) {
                continue;
            }
            double[] x = ps.stream().mapToDouble(Point::offered).toArray();
            XYSeries achieved = throughput.addSeries(broker, x, ps.stream().mapToDouble(Point::achieved).toArray());
            achieved.setLineColor(color);
            achieved.setMarkerColor(color);
            // One colour per broker; the line style tells the percentiles apart.
            style(latency.addSeries(broker + " p50", x, positive(ps, Point::p50)), color, null);
            style(latency.addSeries(broker + " p99", x, positive(ps, Point::p99)), color, new float[] {8f, 4f});
            style(latency.addSeries(broker + " p99.9", x, positive(ps, Point::p999)), color, new float[] {2f, 3f});
        }
        BitmapEncoder.saveBitmap(throughput, dir.resolve(id + "-throughput.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(latency, dir.resolve(id + "-latency.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.writeString(dir.resolve(id + ".md"), table(points));
    }

    /** One broker at one QoS and payload size, flat out: medians over the runs. */
    record PayloadPoint(String broker, int qos, int payloadBytes, double perSecond, double megabytesPerSecond,
                        double p99, int runs) {
    }

    /** The flat-out runs by broker (in the order they first ran), QoS and payload size. */
    static List<PayloadPoint> payloadPoints(List<LoadResult> runs) {
        Map<String, Map<Integer, Map<Integer, List<LoadResult>>>> grouped = new java.util.LinkedHashMap<>();
        runs.stream().filter(r -> r.settings().ratePerSecond() == 0).sorted(Comparator.comparing(LoadResult::startedAt))
                .forEach(r -> grouped.computeIfAbsent(r.labels().getOrDefault("broker", "?"), k -> new TreeMap<>())
                        .computeIfAbsent(r.settings().qos(), k -> new TreeMap<>())
                        .computeIfAbsent(r.settings().payloadBytes(), k -> new ArrayList<>()).add(r));
        List<PayloadPoint> points = new ArrayList<>();
        grouped.forEach((broker, byQos) -> byQos.forEach((qos, bySize) -> bySize.forEach((size, rs) -> points.add(
                new PayloadPoint(broker, qos, size, CompareReport.median(rs, r -> r.counted().perSecond()),
                        CompareReport.median(rs, r -> r.counted().perSecond() * size / 1e6),
                        CompareReport.median(rs, r -> r.countedLatency().count() == 0 ? Double.NaN
                                : r.countedLatency().p99() / 1000), rs.size())))));
        return points;
    }

    static void writePayloads(String prefix, List<PayloadPoint> points, Path dir) throws IOException {
        XYChart mbps = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("throughput vs payload size, flat out")
                .xAxisTitle("payload (bytes, log scale)").yAxisTitle("delivered payload (MB/s)").build();
        XYChart msgs = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("messages vs payload size, flat out")
                .xAxisTitle("payload (bytes, log scale)").yAxisTitle("delivered (msg/s, log scale)").build();
        msgs.getStyler().setYAxisLogarithmic(true);
        for (XYChart c : List.of(mbps, msgs)) {
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
            c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
            c.getStyler().setXAxisLogarithmic(true);
            c.getStyler().setXAxisDecimalPattern("#,###");
        }
        mbps.getStyler().setYAxisDecimalPattern("#,###");
        List<String> brokers = points.stream().map(PayloadPoint::broker).distinct().toList();
        for (int i = 0; i < brokers.size(); i++) {
            String broker = brokers.get(i);
            for (int qos : points.stream().filter(p -> p.broker().equals(broker)).mapToInt(PayloadPoint::qos).distinct()
                    .toArray()) {
                List<PayloadPoint> ps = points.stream().filter(p -> p.broker().equals(broker) && p.qos() == qos).toList();
                double[] x = ps.stream().mapToDouble(PayloadPoint::payloadBytes).toArray();
                float[] dash = qos == 0 ? new float[] {8f, 4f} : null;
                style(mbps.addSeries(broker + " QoS " + qos, x,
                        ps.stream().mapToDouble(PayloadPoint::megabytesPerSecond).toArray()), COLORS[i % COLORS.length], dash);
                style(msgs.addSeries(broker + " QoS " + qos, x, ps.stream().mapToDouble(p -> Math.max(1, p.perSecond()))
                        .toArray()), COLORS[i % COLORS.length], dash);
            }
        }
        BitmapEncoder.saveBitmap(mbps, dir.resolve(prefix + "-mbps.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(msgs, dir.resolve(prefix + "-msgs.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        StringBuilder b = new StringBuilder("| broker | QoS | payload bytes | delivered msg/s | payload MB/s | p99 ms | runs |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (PayloadPoint p : points) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,.0f | %.1f | %s | %d |%n", p.broker(), p.qos(),
                    p.payloadBytes(), p.perSecond(), p.megabytesPerSecond(),
                    Double.isNaN(p.p99()) ? "-" : String.format(Locale.ROOT, "%.3f", p.p99()), p.runs()));
        }
        Files.writeString(dir.resolve(prefix + ".md"), b.toString());
    }

    private static final java.awt.Color[] COLORS = {new java.awt.Color(0x1f77b4), new java.awt.Color(0xd62728),
            new java.awt.Color(0x2ca02c), new java.awt.Color(0x9467bd), new java.awt.Color(0xff7f0e)};

    private static void style(XYSeries s, java.awt.Color color, float[] dash) {
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
    }

    /** A log axis cannot show 0 or NaN: such values become a microsecond. */
    private static double[] positive(List<Point> ps, ToDoubleFunction<Point> f) {
        return ps.stream().mapToDouble(f).map(v -> Double.isNaN(v) || v <= 0 ? 0.001 : v).toArray();
    }

    /** The points as a Markdown table; offered 0 reads "flat out". */
    static String table(List<Point> points) {
        StringBuilder b = new StringBuilder();
        b.append("| broker | offered deliveries/s | achieved deliveries/s | lost % | p50 ms | p99 ms | p99.9 ms"
                + " | broker CPU (cores) | runs |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Point p : points) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %.3f | %.3f | %.3f | %s | %d |%n",
                    p.broker(), p.offered() == 0 ? "flat out" : String.format(Locale.ROOT, "%,.0f", p.offered()),
                    p.achieved(), p.lostPercent(), p.p50(), p.p99(), p.p999(),
                    Double.isNaN(p.brokerCores()) ? "-" : String.format(Locale.ROOT, "%.2f", p.brokerCores()),
                    p.runs()));
        }
        return b.toString();
    }
}
