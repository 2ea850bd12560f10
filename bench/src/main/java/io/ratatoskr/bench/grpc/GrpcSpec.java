package io.ratatoskr.bench.grpc;

import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.SpecChecks;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import static io.ratatoskr.bench.mqtt.SpecChecks.range;

/**
 * Everything one run of the gRPC load generator needs. Immutable; validated on construction.
 *
 * @param host           the broker's gRPC address
 * @param port           the broker's gRPC port
 * @param scenario       what the run measures
 * @param clients        publishing clients, each on its own channel (connection)
 * @param window         calls outstanding per client, at most (1: sequential)
 * @param batch          messages per {@code PublishBatch} call; 0 for unary {@code Publish}; {@link Scenario#PUBLISHER}:
 *                       the most messages per call, 0 for the client's default
 * @param payloadBytes   payload of every message
 * @param partitions     partitions of the topic created for the run
 * @param durability     the topic's durability: {@code fsync}, {@code group} or {@code async}
 * @param rate           messages/s over all clients for {@link Scenario#LATENCY}, else 0 (flat out)
 * @param duration       measurement window (a drain's longest)
 * @param warmup         publishing before the window, not measured
 * @param preload        messages published before the members start ({@link Scenario#CONSUME})
 * @param members        members of the run's consumer group (Consume streams, each on its own channel)
 * @param prefetch       each member's prefetch and credit window
 * @param consumeBatch   each member's {@code max_batch}: deliveries per Consume response, acknowledged with one
 *                       {@code ack} per response; 1: one delivery per response, one {@code ack} per message
 * @param preloadTimeout how long the preload may take
 * @param drainTimeout   after the window, how long to wait for messages still on their way
 * @param brokerPid      broker process whose CPU time to measure, or 0
 * @param clockTicks     the kernel's clock ticks per second
 * @param topicPrefix    the run's topic is {@code <prefix>-<run id>}
 * @param labels         copied into the result
 * @param callsInFlight  {@link Scenario#PUBLISHER}: the most {@code PublishBatch} calls each client's publisher has
 *                       unanswered
 */
public record GrpcSpec(String host, int port, Scenario scenario, int clients, int window, int batch,
                       int payloadBytes, int partitions, String durability, double rate, Duration duration,
                       Duration warmup, long preload, int members, int prefetch, int consumeBatch,
                       Duration preloadTimeout,
                       Duration drainTimeout, long brokerPid, int clockTicks, String topicPrefix,
                       Map<String, String> labels, int callsInFlight) {

    /** What a run measures. */
    public enum Scenario {
        /** Closed-loop publishing, flat out: unary {@code Publish} (batch 0) or {@code PublishBatch}. */
        PUBLISH,
        /** The same with {@code PublishBatch} calls of {@code batch} messages. */
        BATCH,
        /**
         * Closed-loop publishing, flat out, one message per send of the Java client's {@code TopicPublisher},
         * which packs what queues behind its calls in flight into {@code PublishBatch} calls.
         */
        PUBLISHER,
        /** Preload a backlog, then measure how fast the members drain it (Consume + Ack). */
        CONSUME,
        /** Publish at a fixed rate while the members consume: end-to-end and round-trip latency. */
        LATENCY;

        static Scenario parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--scenario must be publish, batch, publisher, consume or latency, not " + s);
            }
        }
    }

    public GrpcSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(durability, "durability");
        labels = Map.copyOf(labels);
        range(port, 1, 65_535, "--port");
        range(clients, 1, 10_000, "--clients");
        range(window, 1, 100_000, "--window");
        range(batch, 0, 10_000, "--batch");
        range(payloadBytes, PayloadHeader.BYTES, 16 * 1024 * 1024, "--payload");
        range(partitions, 1, 1024, "--partitions");
        range(members, 0, 10_000, "--members");
        range(prefetch, 1, 65_535, "--prefetch");
        range(consumeBatch, 1, 1000, "--consume-batch");
        range(callsInFlight, 1, 64, "--calls-in-flight");
        SpecChecks.run(duration, warmup, preloadTimeout, drainTimeout, preload, clients, topicPrefix, brokerPid,
                clockTicks);
        if (!durability.equals("fsync") && !durability.equals("group") && !durability.equals("async")) {
            throw new IllegalArgumentException("--durability must be fsync, group or async, not " + durability);
        }
        if (rate < 0 || Double.isNaN(rate)) {
            throw new IllegalArgumentException("--rate must not be negative");
        }
        switch (scenario) {
            case PUBLISH -> require(batch == 0 && preload == 0 && rate == 0,
                    "publish sends unary calls flat out: no --batch, --preload or --rate");
            case BATCH -> require(batch > 0 && preload == 0 && rate == 0,
                    "batch needs --batch above 0, and no --preload or --rate");
            case PUBLISHER -> require(preload == 0 && rate == 0, "publisher sends flat out: no --preload or --rate");
            case CONSUME -> require(preload > 0 && members > 0 && rate == 0,
                    "consume needs --preload and --members, and no --rate");
            case LATENCY -> require(rate > 0 && members > 0 && preload == 0,
                    "latency needs --rate and --members, and no --preload");
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what);
        }
    }
}
