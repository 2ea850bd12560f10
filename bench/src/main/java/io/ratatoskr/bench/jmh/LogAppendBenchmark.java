package io.ratatoskr.bench.jmh;

import io.ratatoskr.log.AppendResult;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.Record;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link Log#append} of {@code batch} records of {@code recordBytes} each, with ASYNC durability (an append
 * completes once written to the file; fsync every second in the background) on a tmpfs directory, so the
 * figure is the engine's cost, not the disk's. One op is one append call (records per second = ops/s x
 * batch):
 * <ul>
 *   <li>{@code appendAndWait}: closed loop, the caller waits for each append (a hand-off to the writer thread
 *       and back per append);</li>
 *   <li>{@code appendPipelined}: up to 16 appends outstanding, the caller waits only for the oldest when the
 *       window is full (how a busy partition is fed).</li>
 * </ul>
 * The log is opened afresh for every iteration (and deleted after), so an iteration's data stays in memory.
 *
 * <p>Thread-safety: JMH state of one benchmark thread; the log is thread-safe.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LogAppendBenchmark {
    private static final int WINDOW = 16;

    @Param({"100", "1024"})
    public int recordBytes;

    @Param({"1", "64"})
    public int batch;

    private Path dir;
    private Log log;
    private List<Record> records;
    private final ArrayDeque<CompletableFuture<AppendResult>> window = new ArrayDeque<>();

    @Setup(Level.Iteration)
    public void open() {
        dir = JmhDirs.create("ratatoskr-jmh-log");
        log = Log.open(dir, LogConfig.builder().durability(DurabilityMode.ASYNC).build());
        byte[] value = new byte[recordBytes];
        Arrays.fill(value, (byte) 'v');
        records = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            records.add(Record.of(value));
        }
    }

    @TearDown(Level.Iteration)
    public void close() {
        while (!window.isEmpty()) {
            window.poll().join();
        }
        log.close();
        JmhDirs.delete(dir);
    }

    @Benchmark
    public AppendResult appendAndWait() {
        return log.append(records).join();
    }

    @Benchmark
    public Object appendPipelined() {
        window.add(log.append(records));
        return window.size() >= WINDOW ? window.poll().join() : null;
    }
}
