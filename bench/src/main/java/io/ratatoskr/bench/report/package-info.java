/**
 * Reports of the benchmark suite: PNG plots and a table of rate sweeps ({@link io.ratatoskr.bench.report.SweepPlot},
 * XChart), and the refresh of {@code docs/benchmarks.md}'s generated blocks
 * ({@link io.ratatoskr.bench.report.BenchmarksDoc}, {@code ratatoskr bench report}).
 */
package io.ratatoskr.bench.report;
