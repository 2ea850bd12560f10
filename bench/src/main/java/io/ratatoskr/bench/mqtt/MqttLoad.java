package io.ratatoskr.bench.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ratatoskr.mqtt.codec.MqttVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code MqttLoad}: the MQTT load generator. Publishers and subscribers on their own connections against any
 * MQTT 3.1.1 or 5 broker; QoS 0 or 1; fixed payload; a fixed total rate or flat out. Prints throughput,
 * latency percentiles and losses, and writes them as JSON ({@link LoadResult}).
 *
 * <p>Against Ratatoskr it also publishes to durable topics ({@code --admin-url} creates one per run with
 * {@code --partitions} and {@code --durability}) and consumes through consumer groups ({@code --group}: the
 * subscribers are members on {@code $queue/<group>/<topic>} and acknowledge with PUBACK), live or, with
 * {@code --preload}, draining a backlog written first.
 *
 * <pre>
 * java -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.mqtt.MqttLoad \
 *     --port 1883 --publishers 4 --subscribers 4 --qos 1 --payload 64 --duration 10s --json out.json
 * java -cp bench/target/ratatoskr-bench.jar io.ratatoskr.bench.mqtt.MqttLoad --port 1883 --mqtt-version 5 \
 *     --admin-url http://127.0.0.1:8080 --partitions 4 --durability group --qos 1 -p 4 \
 *     --group g --members 4 --preload 200000 --payload 1024
 * </pre>
 */
@Command(name = "mqtt-load", sortOptions = false,
        description = {"MQTT load generator: publishers and subscribers against any MQTT broker; "
                + "prints messages/s, latency percentiles (HdrHistogram) and losses, and can write them as JSON.",
                "Each payload carries the send time and a sequence number; latency is measured end to end in this "
                        + "process. At a fixed --rate it is measured from when each message was due, so a broker "
                        + "that holds the publishers back is charged for it (no coordinated omission)."})
public final class MqttLoad implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--host", description = "Broker address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker MQTT port (default: ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = {"--version", "--mqtt-version"}, description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE}).")
    String mqttVersion = "3.1.1";

    @Option(names = {"-p", "--publishers"}, description = "Publishing connections (default: ${DEFAULT-VALUE}).")
    int publishers = 1;

    @Option(names = {"-s", "--subscribers", "--members"},
            description = "Subscribing connections; with --group, members of the group (default: ${DEFAULT-VALUE}).")
    int subscribers = 1;

    @Option(names = "--topics", description = {"How publishers map to topics (default: ${DEFAULT-VALUE}):",
            "per-publisher: publisher i publishes to topic i, subscriber j subscribes to topic j mod publishers;",
            "N: N topics, publisher i to topic i mod N, subscriber j to topic j mod N (1 = fan-out to every subscriber);",
            "wildcard: publisher i to topic i, every subscriber to <prefix>/# (every subscriber gets everything);",
            "shared:G: publisher i to topic i, every subscriber to $share/G/<prefix>/+ (each message to one of them).",
            "Fan-in (many publishers, one subscriber): -s 1 with 1 or wildcard."})
    String topics = "per-publisher";

    @Option(names = {"-q", "--qos"}, description = "QoS of messages and subscriptions: 0, 1 or 2 (default: ${DEFAULT-VALUE}).")
    int qos = 0;

    @Option(names = "--payload", description = "Payload bytes, at least 16 (default: ${DEFAULT-VALUE}).")
    int payloadBytes = 64;

    @Option(names = "--rate", description = "Messages per second over all publishers; 0 = flat out (default: ${DEFAULT-VALUE}).")
    double rate = 0;

    @Option(names = {"-d", "--duration"}, converter = DurationConverter.class,
            description = "Measurement window, e.g. 10s (default: 10s).")
    Duration duration = Duration.ofSeconds(10);

    @Option(names = "--warmup", converter = DurationConverter.class,
            description = "Publishing before the window, not measured (default: 2s).")
    Duration warmup = Duration.ofSeconds(2);

    @Option(names = "--inflight", description = "Unacknowledged QoS 1 messages per publisher; MQTT 5 lowers it to the "
            + "broker's Receive Maximum (default: ${DEFAULT-VALUE}).")
    int inflight = 64;

    @Option(names = "--threads", description = "Event loop threads of the generator (default: CPUs, here ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--keep-alive", description = "Keep-alive seconds of every connection (default: ${DEFAULT-VALUE}).")
    int keepAlive = 60;

    @Option(names = "--drain-timeout", converter = DurationConverter.class,
            description = "After the window, longest wait for messages still in flight (default: 10s; the wait ends"
                    + " after 1 s without progress).")
    Duration drainTimeout = Duration.ofSeconds(10);

    @Option(names = "--connect-timeout", converter = DurationConverter.class,
            description = "Longest time for connecting and subscribing everyone (default: 30s).")
    Duration connectTimeout = Duration.ofSeconds(30);

    @Option(names = "--broker-pid", description = "Broker process id, to report its CPU time over the window (Linux).")
    long brokerPid = 0;

    @Option(names = "--broker-gc-log", description = "The broker's GC log (-Xlog:gc*:file=...:filecount=0), to report its"
            + " GC pauses and heap after GC in the window (JVM brokers).")
    Path brokerGcLog;

    @Option(names = "--clock-ticks", description = "Kernel clock ticks per second, from `getconf CLK_TCK` (default: ${DEFAULT-VALUE}).")
    int clockTicks = 100;

    @Option(names = "--topic-prefix", description = "First topic level; each run adds its own below (default: ${DEFAULT-VALUE}).")
    String topicPrefix = "bench";

    @Option(names = "--admin-url", description = "Ratatoskr's admin API, e.g. http://127.0.0.1:8080: create a durable"
            + " topic for the run there (--partitions, --durability), publish to it, delete it afterwards.")
    URI adminUrl;

    @Option(names = "--durable-topic", description = "Durable topic to publish to (topics NAME/<publisher>); with "
            + "--admin-url it is created, else it must exist (default with --admin-url: <topic-prefix>-<run id>).")
    String durableTopic;

    @Option(names = "--partitions", description = "Partitions of the durable topic created (default: ${DEFAULT-VALUE}).")
    int partitions = 1;

    @Option(names = "--durability", description = "Durability of the durable topic created: fsync, group or async "
            + "(default: ${DEFAULT-VALUE}).")
    String durability = "fsync";

    @Option(names = "--group", description = "Consumer group: the subscribers are its members, on "
            + "$queue/<group>/<durable topic>; each message goes to one member, whose PUBACK acknowledges it. "
            + "Overrides --topics.")
    String group;

    @Option(names = "--preload", description = "Drain run: publish this many messages first (every PUBACK "
            + "awaited), then start the members and measure until they have had them all or --duration ends "
            + "(default: 0, a live run).")
    long preload;

    @Option(names = "--preload-timeout", converter = DurationConverter.class,
            description = "Longest time the preload may take (default: 120s).")
    Duration preloadTimeout = Duration.ofSeconds(120);

    @Option(names = "--register-group", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Before a preload, have the members subscribe once and leave, so that the group exists "
                    + "before its backlog is written (default: ${DEFAULT-VALUE}).")
    boolean registerGroup = true;

    @Option(names = "--keep-topic", description = "Leave the durable topic created by --admin-url in place.")
    boolean keepTopic;

    @Option(names = "--label", description = "key=value copied into the JSON result (repeatable), e.g. broker=mosquitto.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--persistent-subscribers", description = "Subscribers keep their sessions (3.1.1: clean "
            + "session 0; 5: clean start 0, session expiry 1 h), so a broker that persists sessions stores what it "
            + "queues or sends them.")
    boolean persistentSubscribers;

    @Option(names = "--json", description = "Write the result as JSON to this file.")
    Path json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MqttLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LoadSpec spec;
        try {
            spec = spec();
        } catch (IllegalArgumentException e) {
            System.err.println("mqtt-load: " + e.getMessage());
            return 2;
        }
        LoadResult result;
        try {
            result = new LoadRun(spec, System.err, new BrokerMeter(spec.brokerPid(), spec.clockTicks(), brokerGcLog)).run();
        } catch (IllegalStateException e) {
            System.err.println("mqtt-load: " + e.getMessage());
            return 1;
        }
        System.out.print(ResultTable.format(result));
        if (json != null) {
            write(result, json);
        }
        return result.failures().isEmpty() ? 0 : 1;
    }

    LoadSpec spec() {
        MqttVersion version = switch (mqttVersion) {
            case "3.1.1", "4" -> MqttVersion.V3_1_1;
            case "5", "5.0" -> MqttVersion.V5;
            default -> throw new IllegalArgumentException("--mqtt-version must be 3.1.1 or 5, not " + mqttVersion);
        };
        DurableSpec durable = adminUrl == null && durableTopic == null ? null : new DurableSpec(adminUrl,
                durableTopic, partitions, durability, preload, preloadTimeout, registerGroup, keepTopic);
        if (durable == null && preload > 0) {
            throw new IllegalArgumentException("--preload needs a durable topic (--admin-url or --durable-topic)");
        }
        TopicLayout layout = group != null ? new TopicLayout.Queue(group) : TopicLayout.parse(topics);
        return new LoadSpec(host, port, version, publishers, subscribers, layout, qos, payloadBytes,
                rate, duration, warmup, inflight, threads, keepAlive, drainTimeout, connectTimeout, brokerPid,
                clockTicks, topicPrefix, labels, persistentSubscribers, durable);
    }

    public static void write(LoadResult result, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), result);
    }
}
