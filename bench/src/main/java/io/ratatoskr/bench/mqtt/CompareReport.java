package io.ratatoskr.bench.mqtt;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Summarises repeated {@link MqttLoad} (and {@code KafkaLoad}) runs of the same scenarios against several brokers:
 * the median of each figure per scenario and broker (with the counted throughput in payload megabytes per
 * second, 10^6 bytes), the ratios of a candidate broker to each baseline —
 * throughput (higher is better) and p99 latency (lower is better) — and, for runs that measured them, the
 * brokers' memory and GC figures ({@link LoadResult.Resources}), as Markdown tables.
 *
 * <p>The throughput of a run is what it counts ({@link LoadResult#counted()}): messages delivered when anyone
 * received, else publisher acknowledgements (a publish-only run on a durable topic); its latency goes with
 * it (end to end, or publish to acknowledgement). A drain run has no end-to-end latency: its messages were
 * written before the window.
 *
 * <p>Runs are told apart by their {@code --label}s: {@code scenario} (an identifier; scenarios are listed in
 * the order they first ran) and {@code broker}; a {@code load1} label (the 1-minute load average when the run
 * started) is reported as a median, as is the CPU other processes took during the window.
 */
@Command(name = "mqtt-compare-report", mixinStandardHelpOptions = true,
        description = "Median tables and candidate/baseline ratios from MqttLoad and KafkaLoad JSON results.")
public final class CompareReport implements Callable<Integer> {

    @Option(names = "--results", required = true, description = "Directory of MqttLoad --json files (searched recursively).")
    Path results;

    @Option(names = "--candidate", description = "Broker label compared (default: ${DEFAULT-VALUE}).")
    String candidate = "ratatoskr";

    @Option(names = "--baseline", split = ",", description = "Broker labels compared against, each in a ratio table of"
            + " its own (default: ${DEFAULT-VALUE}).")
    List<String> baselines = List.of("mosquitto");

    @Option(names = "--throughput-target", description = "Throughput ratio the candidate should reach; 0 = no target "
            + "columns (default: ${DEFAULT-VALUE}).")
    double throughputTarget = 1.5;

    @Option(names = "--out", description = "Write the Markdown here as well as to standard output.")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CompareReport()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        List<LoadResult> runs = read(results);
        if (runs.isEmpty()) {
            System.err.println("mqtt-compare-report: no results under " + results);
            return 1;
        }
        String markdown = render(runs, candidate, baselines, throughputTarget);
        System.out.print(markdown);
        if (out != null) {
            Files.writeString(out, markdown);
        }
        return 0;
    }

    /** Every MqttLoad/KafkaLoad/GrpcLoad JSON result under {@code dir}, in file name order. */
    public static List<LoadResult> read(Path dir) throws IOException {
        ObjectMapper mapper = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().map(p -> {
                try {
                    return mapper.readValue(p.toFile(), LoadResult.class);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
                }
            }).filter(r -> LoadResult.TOOL.equals(r.tool())).toList();
        }
    }

    /** The medians of one scenario on one broker, over its repetitions. */
    record Summary(String scenario, String broker, int runs, LoadResult.Settings settings, String counted,
                   double throughput, double throughputMin, double throughputMax, double published,
                   double lostPercent, double duplicates, double p50, double p99, double p999, double brokerCores,
                   double brokerMicrosPerMessage, double generatorCores, double othersCores, double load1,
                   int failedRuns, double rssMiB, double peakRssMiB, double gcPauseMs, double gcPauseMaxMs,
                   double heapAfterGcMiB) {
    }

    static Summary summarise(String scenario, String broker, List<LoadResult> runs) {
        LoadResult first = runs.getFirst();
        return new Summary(scenario, broker, runs.size(), first.settings(), first.countedName(),
                median(runs, r -> r.counted().perSecond()),
                runs.stream().mapToDouble(r -> r.counted().perSecond()).min().orElse(0),
                runs.stream().mapToDouble(r -> r.counted().perSecond()).max().orElse(0),
                median(runs, r -> r.published().measured() == 0 ? Double.NaN : r.published().perSecond()),
                median(runs, r -> r.lostRatio() * 100),
                median(runs, LoadResult::duplicates),
                median(runs, r -> latency(r, LoadResult.Latency::p50)),
                median(runs, r -> latency(r, LoadResult.Latency::p99)),
                median(runs, r -> latency(r, LoadResult.Latency::p999)),
                median(runs, r -> r.cpu().brokerSeconds() == null ? Double.NaN : r.cpu().brokerSeconds() / r.measuredSeconds()),
                median(runs, r -> r.cpu().brokerPerMessageMicros() == null ? Double.NaN : r.cpu().brokerPerMessageMicros()),
                median(runs, r -> r.cpu().generatorSeconds() / r.measuredSeconds()),
                median(runs, r -> r.cpu().othersSeconds() == null ? Double.NaN : r.cpu().othersSeconds() / r.measuredSeconds()),
                median(runs, r -> load1(r.labels().get("load1"))),
                (int) runs.stream().filter(r -> !r.failures().isEmpty()).count(),
                median(runs, r -> resource(r, LoadResult.Resources::rssMiB)),
                runs.stream().mapToDouble(r -> resource(r, LoadResult.Resources::peakRssMiB))
                        .filter(d -> !Double.isNaN(d))
                        .max().orElse(Double.NaN),
                median(runs, r -> resource(r, LoadResult.Resources::gcPauseTotalMs)),
                runs.stream().mapToDouble(r -> resource(r, LoadResult.Resources::gcPauseMaxMs))
                        .filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN),
                median(runs, r -> resource(r, LoadResult.Resources::heapAfterGcMiB)));
    }

    private static double resource(LoadResult r, java.util.function.Function<LoadResult.Resources, Double> f) {
        Double v = r.resources() == null ? null : f.apply(r.resources());
        return v == null ? Double.NaN : v;
    }

    /** A percentile of the run's counted latency in milliseconds, or NaN when it has none (a drain run). */
    private static double latency(LoadResult r, ToDoubleFunction<LoadResult.Latency> percentile) {
        LoadResult.Latency l = r.countedLatency();
        return l == null || l.count() == 0 ? Double.NaN : percentile.applyAsDouble(l) / 1000;
    }

    private static double load1(String label) {
        try {
            return label == null ? Double.NaN : Double.parseDouble(label);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The median of {@code f} over the runs, NaN values left out; NaN when none is left. */
    public static double median(List<LoadResult> runs, ToDoubleFunction<LoadResult> f) {
        double[] v = runs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    static String render(List<LoadResult> runs, String candidate, String baseline, double throughputTarget) {
        return render(runs, candidate, List.of(baseline), throughputTarget);
    }

    /**
     * The median table, one ratio table per baseline (scenarios both ran), and a resources table when any run
     * has {@link LoadResult#resources()}.
     */
    public static String render(List<LoadResult> runs, String candidate, List<String> baselines,
                                double throughputTarget) {
        Map<String, Map<String, List<LoadResult>>> byScenario = new LinkedHashMap<>();
        runs.stream().sorted(Comparator.comparing(LoadResult::startedAt)).forEach(r -> byScenario
                .computeIfAbsent(r.labels().getOrDefault("scenario", "?"), k -> new LinkedHashMap<>())
                .computeIfAbsent(r.labels().getOrDefault("broker", "?"), k -> new ArrayList<>())
                .add(r));
        StringBuilder b = new StringBuilder();
        line(b, "| scenario | broker | runs | msg/s (median) | min – max | counted | published/s | lost % | duplicates"
                + " | p50 ms | p99 ms | p99.9 ms | broker CPU (cores) | broker µs/msg | others' CPU (cores) | load avg"
                + " | payload MB/s |");
        line(b, "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        List<Summary> all = new ArrayList<>();
        for (var scenario : byScenario.entrySet()) {
            for (var broker : scenario.getValue().entrySet()) {
                Summary s = summarise(scenario.getKey(), broker.getKey(), broker.getValue());
                line(b, "| %s | %s | %d%s | %,.0f | %,.0f – %,.0f | %s | %s | %.2f | %,.0f | %s | %s | %s | %s | %s | %s | %s"
                                + " | %.1f |",
                        s.scenario(), s.broker(), s.runs(), s.failedRuns() > 0 ? " (" + s.failedRuns() + " failed)" : "",
                        s.throughput(), s.throughputMin(), s.throughputMax(), s.counted(), num(s.published(), "%,.0f"),
                        s.lostPercent(), s.duplicates(), num(s.p50(), "%.3f"), num(s.p99(), "%.3f"),
                        num(s.p999(), "%.3f"), num(s.brokerCores(), "%.2f"), num(s.brokerMicrosPerMessage(), "%.2f"),
                        num(s.othersCores(), "%.2f"), num(s.load1(), "%.2f"),
                        s.throughput() * s.settings().payloadBytes() / 1e6);
                all.add(s);
            }
        }
        for (String baseline : baselines) {
            ratios(b, all, candidate, baseline, throughputTarget);
        }
        if (all.stream().anyMatch(s -> !Double.isNaN(s.rssMiB()))) {
            resources(b, all);
        }
        return b.toString();
    }

    /** The broker's CPU, memory and GC figures per scenario: medians, except the peaks (highest of the runs). */
    private static void resources(StringBuilder b, List<Summary> all) {
        line(b, "");
        line(b, "| scenario | broker | broker CPU (cores) | broker µs/msg | RSS at end MiB | peak RSS MiB | GC pauses ms"
                + " (in window) | longest GC pause ms | heap after GC MiB |");
        line(b, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Summary s : all) {
            line(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |", s.scenario(), s.broker(),
                    num(s.brokerCores(), "%.2f"), num(s.brokerMicrosPerMessage(), "%.2f"), num(s.rssMiB(), "%,.0f"),
                    num(s.peakRssMiB(), "%,.0f"), num(s.gcPauseMs(), "%.1f"), num(s.gcPauseMaxMs(), "%.1f"),
                    num(s.heapAfterGcMiB(), "%,.0f"));
        }
    }

    private static void ratios(StringBuilder b, List<Summary> all, String candidate, String baseline,
                               double throughputTarget) {
        List<Summary[]> pairs = new ArrayList<>();
        for (Summary c : all) {
            if (c.broker().equals(candidate)) {
                all.stream().filter(a -> a.broker().equals(baseline) && a.scenario().equals(c.scenario())).findFirst()
                        .ifPresent(a -> pairs.add(new Summary[] {c, a}));
            }
        }
        if (pairs.isEmpty()) {
            return;
        }
        line(b, "");
        boolean targets = throughputTarget > 0;
        line(b, "| scenario | throughput %s / %s | p99 %s / %s |%s", candidate, baseline, candidate, baseline,
                targets ? String.format(Locale.ROOT, " throughput target (>= %.1fx) | p99 target (<= 1.0x) |",
                        throughputTarget) : "");
        line(b, "|---|---:|---:|%s", targets ? "---|---|" : "");
        for (Summary[] p : pairs) {
            Summary c = p[0];
            Summary a = p[1];
            boolean flatOut = c.settings().ratePerSecond() == 0;
            double throughput = c.throughput() / a.throughput();
            double p99 = c.p99() / a.p99();
            line(b, "| %s | %.2fx | %s |%s", c.scenario(), throughput, num(p99, "%.2fx"), !targets ? ""
                    : String.format(Locale.ROOT, " %s | %s |",
                            flatOut ? (throughput >= throughputTarget ? "met" : "not met") : "n/a (fixed rate)",
                            Double.isNaN(p99) ? "n/a" : p99 <= 1.0 ? "met" : "not met"));
        }
    }

    private static String num(double v, String format) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static void line(StringBuilder b, String format, Object... args) {
        b.append(args.length == 0 ? format : String.format(Locale.ROOT, format, args)).append('\n');
    }
}
