package io.ratatoskr.bench.jmh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the microbenchmarks from rotting: the annotation processor must have generated every benchmark into
 * {@code META-INF/BenchmarkList} (the list {@code org.openjdk.jmh.Main -l} prints from the bench jar), and one
 * of them must run and produce a score. Not a measurement: one 100 ms iteration, in this JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchmarkListTest {

    @Test
    void everyHotPathBenchmarkIsGeneratedIntoTheBenchmarkList() {
        List<String> names = BenchmarkList.defaultList().getAll(null, List.of()).stream()
                .map(BenchmarkListEntry::getUsername).distinct().toList();

        assertThat(names).contains(
                "io.ratatoskr.bench.jmh.CodecBenchmark.decode",
                "io.ratatoskr.bench.jmh.CodecBenchmark.encodeDelivery",
                "io.ratatoskr.bench.jmh.CodecBenchmark.encodeDeliveryNewProperties",
                "io.ratatoskr.bench.jmh.CodecBenchmark.encodeGroupDelivery",
                "io.ratatoskr.bench.jmh.TopicMatchBenchmark.match",
                "io.ratatoskr.bench.jmh.TopicMatchBenchmark.subscribeUnsubscribe",
                "io.ratatoskr.bench.jmh.LogAppendBenchmark.appendAndWait",
                "io.ratatoskr.bench.jmh.LogAppendBenchmark.appendPipelined",
                "io.ratatoskr.bench.jmh.GroupDispatchBenchmark.dispatch");
    }

    @Test
    void decodeBenchmarkRunsAndScores() throws RunnerException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("io.ratatoskr.bench.jmh.CodecBenchmark.decode$")
                .param("version", "5").param("payloadBytes", "64")
                .mode(Mode.AverageTime).timeUnit(TimeUnit.NANOSECONDS).forks(0).warmupIterations(0).measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100)).shouldFailOnError(true)
                .build()).run();

        assertThat(results).hasSize(1);
        assertThat(results.iterator().next().getPrimaryResult().getScoreUnit()).isEqualTo("ns/op");
        double nanosPerDecode = results.iterator().next().getPrimaryResult().getScore();
        // No bound on the figure: the test JVM runs Netty's paranoid leak detector, which records every access
        // to the frame's buffer and makes a decode take milliseconds.
        assertThat(nanosPerDecode).isPositive().isFinite();
    }
}
