package io.ratatoskr.bench.log;

import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown table built row by row.
 *
 * <p>Thread-safety: not thread-safe.
 */
final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    void row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(String.valueOf(c));
        }
        rows.add(r);
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| ").append(String.join(" | ", header)).append(" |\n");
        b.append("|").append("---|".repeat(header.size())).append("\n");
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return b.toString();
    }

    static String num(double v) {
        if (v >= 100) {
            return String.format("%,.0f", v);
        }
        if (v >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.2f", v);
    }

    static String pct(double fraction) {
        return String.format("%.0f%%", fraction * 100);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
