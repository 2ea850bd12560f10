package io.ratatoskr.bench.ab;

import io.ratatoskr.bench.mqtt.CompareReport;
import io.ratatoskr.bench.mqtt.LoadResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The outcome of an A/B run ({@link AbCommand}): for each figure, the median over the base broker's runs, the median
 * over the new broker's, and new / base; then every run in the order it ran. Throughput is what a run counts
 * ({@link LoadResult#counted()}: deliveries, else acknowledgements), latency goes with it; peaks are the highest of
 * the runs, everything else a median (NaN values, figures a run did not measure, left out).
 *
 * <p>Immutable; the JSON written next to the Markdown ({@code ab.json}) is this record.
 *
 * @param base    the base broker's label and what it ran from
 * @param next    the new broker's
 * @param figures one row per figure
 * @param runs    every run, in the order they ran
 */
public record AbSummary(Side base, Side next, List<Figure> figures, List<Run> runs) {

    /** A broker of the comparison: its label ({@code base} or {@code new}), jar and number of runs. */
    public record Side(String label, String jar, int runs) {
    }

    /**
     * One figure of both brokers; {@code ratio} is new / base (NaN when either is missing or base is 0).
     * {@code better} says which way is better: {@code higher}, {@code lower} or {@code -} (neither).
     */
    public record Figure(String name, String unit, double base, double next, double ratio, String better) {
    }

    /** One run: repetition, position in its repetition (1 = first), broker, throughput, p99, load average. */
    public record Run(int rep, int position, String broker, double perSecond, double p99Ms, double load1,
                      double lostPercent, String file) {
    }

    /** The order of repetition {@code rep} (from 1): base first in odd repetitions, new first in even ones. */
    public static List<String> order(int rep, String base, String next) {
        return rep % 2 == 1 ? List.of(base, next) : List.of(next, base);
    }

    /**
     * Summarises the runs labelled {@code broker=<base label>} and {@code broker=<next label>}.
     *
     * @throws IllegalArgumentException when either broker has no run
     */
    public static AbSummary of(List<LoadResult> results, Side base, Side next) {
        List<LoadResult> a = results.stream().filter(r -> base.label().equals(r.labels().get("broker"))).toList();
        List<LoadResult> b = results.stream().filter(r -> next.label().equals(r.labels().get("broker"))).toList();
        if (a.isEmpty() || b.isEmpty()) {
            throw new IllegalArgumentException("no results for " + (a.isEmpty() ? base.label() : next.label()));
        }
        List<Figure> figures = new ArrayList<>();
        figures.add(figure("throughput", "msg/s", a, b, r -> r.counted().perSecond(), "higher"));
        figures.add(figure("payload", "MB/s", a, b,
                r -> r.counted().perSecond() * r.settings().payloadBytes() / 1e6, "higher"));
        figures.add(figure("latency p50", "ms", a, b, r -> latency(r, LoadResult.Latency::p50), "lower"));
        figures.add(figure("latency p99", "ms", a, b, r -> latency(r, LoadResult.Latency::p99), "lower"));
        figures.add(figure("latency p99.9", "ms", a, b, r -> latency(r, LoadResult.Latency::p999), "lower"));
        figures.add(figure("lost", "%", a, b, r -> r.lostRatio() * 100, "lower"));
        figures.add(figure("broker CPU", "cores", a, b, r -> r.cpu().brokerSeconds() == null ? Double.NaN
                : r.cpu().brokerSeconds() / r.measuredSeconds(), "-"));
        figures.add(figure("broker CPU per message", "µs", a, b, r -> nan(r.cpu().brokerPerMessageMicros()), "lower"));
        figures.add(figure("others' CPU", "cores", a, b, r -> r.cpu().othersSeconds() == null ? Double.NaN
                : r.cpu().othersSeconds() / r.measuredSeconds(), "-"));
        figures.add(peak("peak RSS", "MiB", a, b, r -> r.resources() == null ? Double.NaN
                : nan(r.resources().peakRssMiB())));
        figures.add(figure("GC pauses in window", "ms", a, b, r -> r.resources() == null ? Double.NaN
                : nan(r.resources().gcPauseTotalMs()), "lower"));
        figures.add(peak("longest GC pause", "ms", a, b, r -> r.resources() == null ? Double.NaN
                : nan(r.resources().gcPauseMaxMs())));
        figures.add(figure("heap after GC", "MiB", a, b, r -> r.resources() == null ? Double.NaN
                : nan(r.resources().heapAfterGcMiB()), "lower"));
        figures.add(figure("load average (1 min)", "", a, b, r -> load1(r), "-"));
        return new AbSummary(new Side(base.label(), base.jar(), a.size()), new Side(next.label(), next.jar(), b.size()),
                figures, runs(results, base.label(), next.label()));
    }

    private static List<Run> runs(List<LoadResult> results, String base, String next) {
        return results.stream()
                .filter(r -> base.equals(r.labels().get("broker")) || next.equals(r.labels().get("broker")))
                .sorted(Comparator.comparing(LoadResult::startedAt))
                .map(r -> new Run(intLabel(r, "rep"), intLabel(r, "position"), r.labels().get("broker"),
                        r.counted().perSecond(), latency(r, LoadResult.Latency::p99), load1(r), r.lostRatio() * 100,
                        r.labels().getOrDefault("file", "")))
                .toList();
    }

    private static Figure figure(String name, String unit, List<LoadResult> a, List<LoadResult> b,
                                 ToDoubleFunction<LoadResult> f, String better) {
        double x = CompareReport.median(a, f);
        double y = CompareReport.median(b, f);
        return new Figure(name, unit, x, y, ratio(x, y), better);
    }

    private static Figure peak(String name, String unit, List<LoadResult> a, List<LoadResult> b,
                               ToDoubleFunction<LoadResult> f) {
        double x = a.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
        double y = b.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
        return new Figure(name, unit, x, y, ratio(x, y), "lower");
    }

    /** {@code next / base}; NaN when either is NaN or base is 0. */
    static double ratio(double base, double next) {
        return Double.isNaN(base) || Double.isNaN(next) || base == 0 ? Double.NaN : next / base;
    }

    private static double latency(LoadResult r, ToDoubleFunction<LoadResult.Latency> percentile) {
        LoadResult.Latency l = r.countedLatency();
        return l == null || l.count() == 0 ? Double.NaN : percentile.applyAsDouble(l) / 1000;
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static double load1(LoadResult r) {
        try {
            return Double.parseDouble(r.labels().getOrDefault("load1", "NaN"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static int intLabel(LoadResult r, String key) {
        try {
            return Integer.parseInt(r.labels().getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The figures and the runs as Markdown tables. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| figure | %s (median of %d) | %s (median of %d) | %s / %s |%n",
                base.label(), base.runs(), next.label(), next.runs(), next.label(), base.label()));
        b.append("|---|---:|---:|---:|\n");
        for (Figure f : figures) {
            String name = f.unit().isEmpty() ? f.name() : f.name() + " (" + f.unit() + ")";
            if (f.name().startsWith("peak") || f.name().startsWith("longest")) {
                name += ", highest";
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", name, num(f.base()), num(f.next()),
                    Double.isNaN(f.ratio()) ? "-" : String.format(Locale.ROOT, "%.2fx", f.ratio())));
        }
        b.append("\n| rep | order | broker | msg/s | p99 ms | lost % | load avg |\n");
        b.append("|---:|---:|---|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s |%n", r.rep(), r.position(),
                    r.broker(), num(r.perSecond()), num(r.p99Ms()), num(r.lostPercent()), num(r.load1())));
        }
        return b.toString();
    }

    /** Thousands separators from 1,000 on, else three significant decimals; "-" for NaN. */
    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : Math.abs(v) >= 1 ? "%.2f" : "%.3f", v);
    }
}
