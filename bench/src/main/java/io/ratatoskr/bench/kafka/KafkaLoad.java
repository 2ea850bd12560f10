package io.ratatoskr.bench.kafka;

import io.ratatoskr.bench.mqtt.LoadResult;
import io.ratatoskr.bench.mqtt.MqttLoad;
import io.ratatoskr.bench.mqtt.RunOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code KafkaLoad}: the Kafka counterpart of {@link MqttLoad} for durable topics and consumer groups, with
 * the same payload header, accounting and result format ({@link LoadResult}), so that {@code CompareReport}
 * sets the two side by side.
 *
 * <pre>
 * java -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.kafka.KafkaLoad --bootstrap 127.0.0.1:9092 \
 *     --producers 16 --partitions 4 --fsync --payload 1024 --duration 10s --json out.json
 * java -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.kafka.KafkaLoad --kafka-dir /tmp/k \
 *     --producers 4 --consumers 4 --partitions 4 --preload 200000
 * </pre>
 */
@Command(name = "kafka-load", sortOptions = false,
        description = {"Kafka load generator: producers with acks=all in a closed loop, and a consumer group "
                + "committing each poll, against a Kafka broker (or one started in this JVM); prints records/s, "
                + "latency percentiles and losses, and can write them as JSON in MqttLoad's format."})
public final class KafkaLoad implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    RunOptions run = new RunOptions();

    @Option(names = "--bootstrap", description = "Broker host:port (bootstrap.servers).")
    String bootstrap;

    @Option(names = "--kafka-dir", description = "Start a single-node Kafka in this JVM with its data here "
            + "(instead of --bootstrap); the broker's CPU is then not told apart from the generator's.")
    Path kafkaDir;

    @Option(names = {"-p", "--producers"}, description = "Producers, each with its own connection (default: ${DEFAULT-VALUE}).")
    int producers = 1;

    @Option(names = {"-c", "--consumers", "--members"},
            description = "Members of the run's consumer group; 0 = publish only (default: ${DEFAULT-VALUE}).")
    int consumers = 0;

    @Option(names = "--partitions", description = "Partitions of the topic created for the run (default: ${DEFAULT-VALUE}).")
    int partitions = 1;

    @Option(names = "--fsync", description = "Create the topic with flush.messages=1: an fsync per append. Without "
            + "it, Kafka's default: no fsync, the page cache.")
    boolean fsync;

    @Option(names = "--payload", description = "Record value bytes, at least 16 (default: ${DEFAULT-VALUE}).")
    int payloadBytes = 1024;

    @Option(names = "--inflight", description = "Unacknowledged records per producer (default: ${DEFAULT-VALUE}).")
    int inflight = 64;

    @Option(names = "--rate", description = "Records per second over all producers, each stamped with the time it "
            + "was due (no coordinated omission); 0 = flat out, --inflight per producer (default: ${DEFAULT-VALUE}).")
    double rate = 0;

    @Option(names = "--preload", description = "Drain run: produce this many records first (all acknowledged), "
            + "then let the consumers go and measure until they have had them all (default: 0, a live run).")
    long preload;

    @Option(names = "--linger-ms", description = "Producer linger.ms (default: ${DEFAULT-VALUE}).")
    int lingerMs = 1;

    @Option(names = "--batch-bytes", description = "Producer batch.size (default: ${DEFAULT-VALUE}).")
    int batchBytes = 64 * 1024;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if ((bootstrap == null) == (kafkaDir == null)) {
            System.err.println("kafka-load: give either --bootstrap or --kafka-dir");
            return 2;
        }
        KafkaNode node = kafkaDir != null ? KafkaNode.start(kafkaDir) : null;
        try {
            String servers = node != null ? node.bootstrap() : bootstrap;
            return run.execute("kafka-load", () -> new KafkaRun(spec(servers), System.err, run.meter())::run);
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    KafkaSpec spec(String bootstrapServers) {
        return new KafkaSpec(bootstrapServers, producers, consumers, partitions, fsync, payloadBytes, run.duration,
                run.warmup, inflight, rate, preload, run.preloadTimeout, run.drainTimeout, lingerMs, batchBytes,
                run.brokerPid, run.clockTicks, run.topicPrefix, run.labels);
    }
}
