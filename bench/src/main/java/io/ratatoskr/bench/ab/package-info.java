/**
 * Before/after in one command ({@code ratatoskr bench ab}): two builds of the broker side by side, the same load
 * against each in turn, medians and the ratio new/base ({@link io.ratatoskr.bench.ab.AbCommand},
 * {@link io.ratatoskr.bench.ab.AbSummary}).
 */
package io.ratatoskr.bench.ab;
