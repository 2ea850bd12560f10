package io.ratatoskr.bench.grpc;

import io.ratatoskr.bench.mqtt.LoadResult;
import io.ratatoskr.bench.mqtt.RunOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code GrpcLoad}: the load generator for Ratatoskr's gRPC API ({@code ratatoskr.v1}), with the MQTT and Kafka
 * generators' payload header, accounting and result format ({@link LoadResult}), so that {@code CompareReport}
 * sets it beside {@code KafkaLoad}.
 *
 * <pre>
 * java -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.grpc.GrpcLoad --port 9090 --scenario publish \
 *     --clients 4 --window 16 --payload 100 --partitions 4 --durability fsync --duration 10s --json out.json
 * java -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.grpc.GrpcLoad --port 9090 --scenario consume \
 *     --clients 4 --window 4 --batch 100 --preload 200000 --members 4 --prefetch 100 --consume-batch 50 \
 *     --durability group
 * </pre>
 */
@Command(name = "grpc-load", sortOptions = false,
        description = {"gRPC load generator for Ratatoskr: Publish or PublishBatch calls in a closed loop or at a "
                + "fixed rate, and a consumer group of Consume streams acknowledging every delivery; prints "
                + "messages/s, latency percentiles (HdrHistogram), errors and losses, and can write them as JSON.",
                "Each payload carries the send time and a sequence number; latency is measured in this process. "
                        + "At a fixed --rate it is measured from when each call was due (no coordinated omission)."})
public final class GrpcLoad implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Mixin
    RunOptions run = new RunOptions();

    @Option(names = "--host", description = "Broker address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker gRPC port (default: ${DEFAULT-VALUE}).")
    int port = 9090;

    @Option(names = "--scenario", description = {"What to measure (default: ${DEFAULT-VALUE}):",
            "publish: unary Publish calls, flat out, --window per client;",
            "batch: PublishBatch calls of --batch messages, flat out;",
            "publisher: one message per send of the Java client's TopicPublisher (it packs what queues behind its",
            "  --calls-in-flight into PublishBatch calls of at most --batch messages), flat out, --window sends per client;",
            "consume: publish --preload messages (PublishBatch), then drain them with --members Consume streams;",
            "latency: publish at --rate while --members consume; end-to-end and round-trip latency."})
    String scenario = "publish";

    @Option(names = {"-p", "--clients", "--publishers"},
            description = "Publishing clients, each on its own channel (default: ${DEFAULT-VALUE}).")
    int clients = 1;

    @Option(names = {"-w", "--window"}, description = "Calls outstanding per client; 1 = sequential "
            + "(default: ${DEFAULT-VALUE}).")
    int window = 1;

    @Option(names = {"-b", "--batch"}, description = "Messages per PublishBatch call; 0 = unary Publish "
            + "(default: ${DEFAULT-VALUE}; consume preloads in batches of 100 unless given; publisher: the most "
            + "messages per call, 0 = the client's default).")
    int batch = 0;

    @Option(names = "--calls-in-flight", description = "publisher: the most PublishBatch calls each client's "
            + "publisher has unanswered (default: ${DEFAULT-VALUE}; 1 keeps the order of messages).")
    int callsInFlight = 1;

    @Option(names = "--payload", description = "Payload bytes, at least 16 (default: ${DEFAULT-VALUE}).")
    int payloadBytes = 100;

    @Option(names = "--partitions", description = "Partitions of the topic created for the run (default: ${DEFAULT-VALUE}).")
    int partitions = 4;

    @Option(names = "--durability", description = "Durability of the topic created: fsync, group or async "
            + "(default: ${DEFAULT-VALUE}).")
    String durability = "fsync";

    @Option(names = "--rate", description = "latency: messages per second over all clients (default: ${DEFAULT-VALUE}).")
    double rate = 0;

    @Option(names = "--preload", description = "consume: messages to publish before the members start (default: ${DEFAULT-VALUE}).")
    long preload = 0;

    @Option(names = {"-m", "--members"}, description = "Members of the run's consumer group (default: ${DEFAULT-VALUE}).")
    int members = 0;

    @Option(names = "--prefetch", description = "Each member's prefetch and credit window (default: ${DEFAULT-VALUE}).")
    int prefetch = 100;

    @Option(names = "--consume-batch", description = "Deliveries per Consume response (max_batch), each response "
            + "acknowledged by one ack naming all its messages; 1: one message per response and one ack per message, "
            + "as clients before batching (default: ${DEFAULT-VALUE}).")
    int consumeBatch = 1;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GrpcLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return run.execute("grpc-load", () -> new GrpcRun(spec(), System.err, run.meter())::run);
    }

    GrpcSpec spec() {
        return new GrpcSpec(host, port, GrpcSpec.Scenario.parse(scenario), clients, window, batch, payloadBytes,
                partitions, durability, rate, run.duration, run.warmup, preload, members, prefetch, consumeBatch,
                run.preloadTimeout, run.drainTimeout, run.brokerPid, run.clockTicks, run.topicPrefix, run.labels,
                callsInFlight);
    }
}
