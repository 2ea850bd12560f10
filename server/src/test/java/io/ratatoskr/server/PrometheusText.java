package io.ratatoskr.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Prometheus' text exposition format (0.0.4) into samples, for tests of {@code /metrics}.
 *
 * <p>Thread-safety: immutable.
 */
record PrometheusText(List<Sample> samples) {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Suffixes a histogram or counter adds to its family's name. */
    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_max", "_created");

    record Sample(String name, Map<String, String> labels, double value) {}

    static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                throw new AssertionError("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new PrometheusText(List.copyOf(out));
    }

    /** The catalogue name a sample belongs to: itself if listed, else its name without a family suffix. */
    static String family(String sampleName, java.util.Set<String> catalogue) {
        if (catalogue.contains(sampleName)) {
            return sampleName;
        }
        for (String suffix : SUFFIXES) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if (catalogue.contains(base)) {
                    return base;
                }
            }
        }
        return sampleName;
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels}. */
    double sum(String name, Map<String, String> labels) {
        double sum = 0;
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
                sum += s.value();
            }
        }
        return sum;
    }
}
