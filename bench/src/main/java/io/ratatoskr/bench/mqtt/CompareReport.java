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
 * Summarises repeated {@link MqttLoad} runs of the same scenarios against two brokers: the median of each
 * figure per scenario and broker, and the ratios of a candidate broker to a baseline — throughput (higher is
 * better) and p99 latency (lower is better) — as Markdown tables.
 *
 * <p>Runs are told apart by their {@code --label}s: {@code scenario} (an identifier; scenarios are listed in
 * the order they first ran) and {@code broker}.
 */
@Command(name = "mqtt-compare-report", mixinStandardHelpOptions = true,
        description = "Median tables and candidate/baseline ratios from MqttLoad JSON results.")
public final class CompareReport implements Callable<Integer> {

    @Option(names = "--results", required = true, description = "Directory of MqttLoad --json files (searched recursively).")
    Path results;

    @Option(names = "--candidate", description = "Broker label compared (default: ${DEFAULT-VALUE}).")
    String candidate = "ratatoskr";

    @Option(names = "--baseline", description = "Broker label compared against (default: ${DEFAULT-VALUE}).")
    String baseline = "mosquitto";

    @Option(names = "--throughput-target", description = "Throughput ratio the candidate should reach (default: ${DEFAULT-VALUE}).")
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
        String markdown = render(runs, candidate, baseline, throughputTarget);
        System.out.print(markdown);
        if (out != null) {
            Files.writeString(out, markdown);
        }
        return 0;
    }

    static List<LoadResult> read(Path dir) throws IOException {
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
    record Summary(String scenario, String broker, int runs, LoadResult.Settings settings, double delivered,
                   double deliveredMin, double deliveredMax, double published, double lostPercent, double p50,
                   double p99, double p999, double brokerCores, double brokerMicrosPerMessage,
                   double generatorCores, int failedRuns) {
    }

    static Summary summarise(String scenario, String broker, List<LoadResult> runs) {
        LoadResult first = runs.getFirst();
        return new Summary(scenario, broker, runs.size(), first.settings(),
                median(runs, r -> r.delivered().perSecond()),
                runs.stream().mapToDouble(r -> r.delivered().perSecond()).min().orElse(0),
                runs.stream().mapToDouble(r -> r.delivered().perSecond()).max().orElse(0),
                median(runs, r -> r.published().perSecond()),
                median(runs, r -> r.lostRatio() * 100),
                median(runs, r -> r.latency().p50() / 1000),
                median(runs, r -> r.latency().p99() / 1000),
                median(runs, r -> r.latency().p999() / 1000),
                median(runs, r -> r.cpu().brokerSeconds() == null ? Double.NaN : r.cpu().brokerSeconds() / r.measuredSeconds()),
                median(runs, r -> r.cpu().brokerPerMessageMicros() == null ? Double.NaN : r.cpu().brokerPerMessageMicros()),
                median(runs, r -> r.cpu().generatorSeconds() / r.measuredSeconds()),
                (int) runs.stream().filter(r -> !r.failures().isEmpty()).count());
    }

    static double median(List<LoadResult> runs, ToDoubleFunction<LoadResult> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    static String render(List<LoadResult> runs, String candidate, String baseline, double throughputTarget) {
        Map<String, Map<String, List<LoadResult>>> byScenario = new LinkedHashMap<>();
        runs.stream().sorted(Comparator.comparing(LoadResult::startedAt)).forEach(r -> byScenario
                .computeIfAbsent(r.labels().getOrDefault("scenario", "?"), k -> new LinkedHashMap<>())
                .computeIfAbsent(r.labels().getOrDefault("broker", "?"), k -> new ArrayList<>())
                .add(r));
        StringBuilder b = new StringBuilder();
        line(b, "| scenario | broker | runs | delivered/s (median) | min – max | published/s | lost % | p50 ms | p99 ms"
                + " | p99.9 ms | broker CPU (cores) | broker µs/msg |");
        line(b, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        List<Summary[]> pairs = new ArrayList<>();
        for (var scenario : byScenario.entrySet()) {
            Summary c = null;
            Summary a = null;
            for (var broker : scenario.getValue().entrySet()) {
                Summary s = summarise(scenario.getKey(), broker.getKey(), broker.getValue());
                line(b, "| %s | %s | %d%s | %,.0f | %,.0f – %,.0f | %,.0f | %.2f | %.3f | %.3f | %.3f | %.2f | %.2f |",
                        s.scenario(), s.broker(), s.runs(), s.failedRuns() > 0 ? " (" + s.failedRuns() + " failed)" : "",
                        s.delivered(), s.deliveredMin(), s.deliveredMax(), s.published(), s.lostPercent(), s.p50(),
                        s.p99(), s.p999(), s.brokerCores(), s.brokerMicrosPerMessage());
                if (broker.getKey().equals(candidate)) {
                    c = s;
                } else if (broker.getKey().equals(baseline)) {
                    a = s;
                }
            }
            if (c != null && a != null) {
                pairs.add(new Summary[] {c, a});
            }
        }
        line(b, "");
        line(b, "| scenario | throughput %s / %s | p99 %s / %s | throughput target (>= %.1fx) | p99 target (<= 1.0x) |",
                candidate, baseline, candidate, baseline, throughputTarget);
        line(b, "|---|---:|---:|---|---|");
        for (Summary[] p : pairs) {
            Summary c = p[0];
            Summary a = p[1];
            boolean flatOut = c.settings().ratePerSecond() == 0;
            double throughput = c.delivered() / a.delivered();
            double p99 = c.p99() / a.p99();
            line(b, "| %s | %.2fx | %.2fx | %s | %s |", c.scenario(), throughput, p99,
                    flatOut ? (throughput >= throughputTarget ? "met" : "not met") : "n/a (fixed rate)",
                    p99 <= 1.0 ? "met" : "not met");
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String format, Object... args) {
        b.append(args.length == 0 ? format : String.format(Locale.ROOT, format, args)).append('\n');
    }
}
