package io.ratatoskr.bench.mqtt;

import io.ratatoskr.mqtt.codec.MqttVersion;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one run of the MQTT load generator needs. Immutable; validated on construction.
 *
 * @param host            broker address
 * @param port            broker MQTT port
 * @param version         MQTT version every connection speaks
 * @param publishers      publishing connections
 * @param subscribers     subscribing connections
 * @param layout          how publishers map onto topics and subscribers onto filters
 * @param qos             QoS of every PUBLISH and subscription (0, 1 or 2)
 * @param payloadBytes    payload size of every message, at least {@value PublishTemplate#HEADER_BYTES}
 * @param ratePerSecond   messages per second over all publishers; 0 means as fast as the broker takes them
 * @param duration        length of the measurement window
 * @param warmup          publishing before the window, not measured
 * @param inflight        unacknowledged QoS 1 messages per publisher, at most (lowered to the broker's
 *                        Receive Maximum in MQTT 5)
 * @param threads         event loop threads of the generator
 * @param keepAliveSeconds keep-alive of every connection (PINGREQ every half of it)
 * @param drainTimeout    after the window, how long to wait for messages still on their way
 * @param connectTimeout  how long connecting and subscribing everyone may take
 * @param brokerPid       process whose CPU time to measure over the window, or 0
 * @param clockTicks      the kernel's clock ticks per second, for reading the broker's CPU time
 * @param topicPrefix     first topic level; the run adds a level of its own below it
 * @param labels          free-form key/value pairs copied into the result (broker name, scenario, ...)
 * @param persistentSubscribers subscribers connect with a session kept after the connection (3.1.1 clean
 *                        session 0; 5: clean start 0 and a session expiry of an hour)
 * @param durable         the durable topic (and drain run) settings, or null for plain MQTT topics
 */
public record LoadSpec(String host, int port, MqttVersion version, int publishers, int subscribers,
                       TopicLayout layout, int qos, int payloadBytes, double ratePerSecond, Duration duration,
                       Duration warmup, int inflight, int threads, int keepAliveSeconds, Duration drainTimeout,
                       Duration connectTimeout, long brokerPid, int clockTicks, String topicPrefix,
                       Map<String, String> labels, boolean persistentSubscribers, DurableSpec durable) {

    /** A spec whose subscribers have clean sessions, on plain MQTT topics. */
    public LoadSpec(String host, int port, MqttVersion version, int publishers, int subscribers, TopicLayout layout,
                    int qos, int payloadBytes, double ratePerSecond, Duration duration, Duration warmup, int inflight,
                    int threads, int keepAliveSeconds, Duration drainTimeout, Duration connectTimeout, long brokerPid,
                    int clockTicks, String topicPrefix, Map<String, String> labels) {
        this(host, port, version, publishers, subscribers, layout, qos, payloadBytes, ratePerSecond, duration, warmup,
                inflight, threads, keepAliveSeconds, drainTimeout, connectTimeout, brokerPid, clockTicks, topicPrefix,
                labels, false, null);
    }

    public LoadSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        labels = Map.copyOf(labels);
        check(port, 1, 65_535, "--port");
        check(publishers, 1, 1_000_000, "--publishers");
        check(subscribers, 0, 1_000_000, "--subscribers");
        check(qos, 0, 2, "--qos");
        check(payloadBytes, PublishTemplate.HEADER_BYTES, 256 * 1024 * 1024, "--payload");
        check(inflight, 1, 65_534, "--inflight");
        check(threads, 1, 1024, "--threads");
        check(keepAliveSeconds, 0, 65_535, "--keep-alive");
        check(clockTicks, 1, 1_000_000, "--clock-ticks");
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("--rate must be 0 (flat out) or a positive number, got " + ratePerSecond);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive, got " + duration);
        }
        if (warmup.isNegative() || drainTimeout.isNegative() || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("--warmup and --drain-timeout must not be negative, --connect-timeout"
                    + " must be positive");
        }
        if (topicPrefix.isEmpty() || topicPrefix.contains("+") || topicPrefix.contains("#")
                || topicPrefix.startsWith("$")) {
            throw new IllegalArgumentException("--topic-prefix must be a topic name without wildcards or '$', got '"
                    + topicPrefix + "'");
        }
        if (brokerPid < 0) {
            throw new IllegalArgumentException("--broker-pid must not be negative");
        }
        if (layout.needsDurableTopic() && durable == null) {
            throw new IllegalArgumentException("a consumer group reads a durable topic: give --durable-topic or"
                    + " --admin-url");
        }
        if (durable != null && durable.drain()) {
            if (!layout.needsDurableTopic() || subscribers < 1) {
                throw new IllegalArgumentException("--preload drains a backlog through a consumer group: give"
                        + " --group and at least one member");
            }
            if (qos != 1) {
                throw new IllegalArgumentException("--preload needs --qos 1, so that the backlog is acknowledged"
                        + " before the members start");
            }
            if (durable.preload() / publishers >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--preload is too large for " + publishers + " publisher(s)");
            }
        }
    }

    private static void check(int value, int min, int max, String option) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be within " + min + ".." + max + ", got " + value);
        }
    }

    /** Whether publishers go as fast as the broker takes their messages. */
    public boolean flatOut() {
        return ratePerSecond == 0;
    }
}
