package io.ratatoskr.bench.mqtt;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options every durable-topic load generator on the command line shares (a picocli mixin of
 * {@code KafkaLoad} and {@code GrpcLoad}): the run's window and timeouts, the broker's CPU, memory and GC
 * ({@link BrokerMeter}), the topic's prefix, labels and the JSON output; and how such a tool runs and reports
 * ({@link #execute}).
 *
 * <p>Not thread-safe: filled by picocli, then read by the command's thread.
 */
public final class RunOptions {

    @Option(names = {"-d", "--duration"}, converter = DurationConverter.class,
            description = "Measurement window; for a drain (--preload) its longest (default: 10s).")
    public Duration duration = Duration.ofSeconds(10);

    @Option(names = "--warmup", converter = DurationConverter.class,
            description = "Publishing before the window, not measured (default: 2s).")
    public Duration warmup = Duration.ofSeconds(2);

    @Option(names = "--preload-timeout", converter = DurationConverter.class,
            description = "Longest time the preload may take (default: 120s).")
    public Duration preloadTimeout = Duration.ofSeconds(120);

    @Option(names = "--drain-timeout", converter = DurationConverter.class,
            description = "After the window, longest wait for messages still in flight (default: 10s).")
    public Duration drainTimeout = Duration.ofSeconds(10);

    @Option(names = "--broker-pid", description = "Broker process id, to report its CPU time over the window (Linux).")
    public long brokerPid = 0;

    @Option(names = "--clock-ticks", description = "Kernel clock ticks per second (default: ${DEFAULT-VALUE}).")
    public int clockTicks = 100;

    @Option(names = "--broker-gc-log", description = "The broker's GC log (-Xlog:gc*:file=...:filecount=0), to report its"
            + " GC pauses and heap after GC in the window (JVM brokers).")
    public Path brokerGcLog;

    @Option(names = "--topic-prefix", description = "The run's topic is <prefix>-<run id> (default: ${DEFAULT-VALUE}).")
    public String topicPrefix = "bench";

    @Option(names = "--label", description = "key=value copied into the JSON result (repeatable), e.g. broker=kafka.")
    public Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--json", description = "Write the result as JSON to this file.")
    public Path json;

    /** The meter of the run {@link #execute} carries out, made by {@link #meter()}; null until then. */
    private BrokerMeter meter;

    /**
     * A meter of the broker ({@code --broker-pid}, {@code --clock-ticks}, {@code --broker-gc-log}) for the run to
     * sample at the edges of its window; {@link #execute} adds its resources to the result.
     */
    public BrokerMeter meter() {
        meter = new BrokerMeter(brokerPid, clockTicks, brokerGcLog);
        return meter;
    }

    /** A run, prepared from validated options. */
    public interface Runner {
        /** @throws IllegalStateException when the run cannot be carried out (reported, exit status 1) */
        LoadResult run() throws InterruptedException;
    }

    /** Prepares a run from the options. */
    public interface Preparation {
        /** @throws IllegalArgumentException when the options do not fit (reported, exit status 2) */
        Runner prepare();
    }

    /**
     * Prepares and runs, prints the result table and writes the JSON if asked. Returns the exit status: 0 when
     * the run had no failure, 1 when it had one or could not be carried out, 2 for bad options.
     */
    public int execute(String tool, Preparation preparation) throws IOException, InterruptedException {
        Runner runner;
        try {
            runner = preparation.prepare();
        } catch (IllegalArgumentException e) {
            System.err.println(tool + ": " + e.getMessage());
            return 2;
        }
        LoadResult result;
        try {
            result = runner.run();
        } catch (IllegalStateException e) {
            System.err.println(tool + ": " + e.getMessage());
            return 1;
        }
        if (meter != null && result.resources() == null) {
            result = result.withResources(meter.resources());
        }
        System.out.print(ResultTable.format(result));
        if (json != null) {
            MqttLoad.write(result, json);
        }
        return result.failures().isEmpty() ? 0 : 1;
    }
}
