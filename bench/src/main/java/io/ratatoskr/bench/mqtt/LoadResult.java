package io.ratatoskr.bench.mqtt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one run, as written to {@code --json} (format {@value #FORMAT}) and read back by
 * {@link CompareReport}. Rates count what happened inside the measurement window; loss and duplicates count
 * the whole run, warm-up and drain included. Latencies are in microseconds.
 *
 * @param tool               always {@value #TOOL}
 * @param format             version of this layout
 * @param startedAt          wall-clock start of the run, ISO-8601
 * @param labels             the {@code --label}s of the run
 * @param settings           what was run
 * @param measuredSeconds    length of the measurement window
 * @param published          messages sent by publishers (measured: with a send time in the window)
 * @param acked              PUBACKs received by publishers, QoS 1 only (measured: received in the window)
 * @param delivered          messages received by subscribers (measured: received in the window)
 * @param expectedDeliveries messages subscribers should have received, from what publishers sent
 * @param lost               expected deliveries that never arrived (after the drain)
 * @param lostRatio          {@code lost / expectedDeliveries}
 * @param duplicates         messages a subscriber received again (for a consumer group: received by the group
 *                           more than once, by the same member or another)
 * @param redelivered        messages received marked as redeliveries, whether repeats or not: MQTT's DUP flag,
 *                           or an {@code attempt} user property above 1 on a Ratatoskr consumer-group delivery
 * @param unexpected         messages a subscriber should not have received (another run's, or misrouted),
 *                           and PUBACKs for packet identifiers not in flight
 * @param ackRefused         PUBACKs with a failure reason code (MQTT 5)
 * @param unacknowledged     QoS 1 messages still unacknowledged when the run ended
 * @param latency            end to end, publisher's send time to subscriber's receipt, for messages sent in
 *                           the window; at a fixed rate measured from when each message was due
 * @param ackLatency         publish to PUBACK, QoS 1 only
 * @param cpu                CPU time spent in the window
 * @param preload            what was published before the window, for a run that measures how fast consumers
 *                           drain a backlog; else null
 * @param failures           connections that failed, and why
 * @param resources          the broker's memory and GC figures (MqttLoad with {@code --broker-pid}), else null
 */
public record LoadResult(String tool, int format, String startedAt, Map<String, String> labels, Settings settings,
                         double measuredSeconds, Rate published, Rate acked, Rate delivered, long expectedDeliveries,
                         long lost, double lostRatio, long duplicates, long redelivered, long unexpected,
                         long ackRefused, long unacknowledged, Latency latency, Latency ackLatency, Cpu cpu,
                         Preload preload, List<String> failures, Resources resources) {
    public static final String TOOL = "ratatoskr-mqtt-load";
    /** 2 added the durable topic settings, {@code redelivered} and {@code preload}; 3 added {@code resources}. */
    public static final int FORMAT = 3;
    /** {@link Settings#mqttVersion()} of a run over Ratatoskr's gRPC API. */
    public static final String GRPC = "grpc";

    /**
     * The run's settings as reported. {@code fanOut} is deliveries per message, min and max over publishers;
     * {@code mqttVersion} is null for a Kafka run and {@value #GRPC} for a gRPC run (its {@code topics} then says
     * {@code unary} or {@code batch:<messages per call>}, {@code inflight} the calls outstanding per client and
     * {@code window} the members' prefetch); {@code durable} is null unless the run used a durable topic.
     */
    public record Settings(String host, int port, String mqttVersion, int publishers, int subscribers,
                           String topics, int fanOutMin, int fanOutMax, int qos, int payloadBytes,
                           double ratePerSecond, double durationSeconds, double warmupSeconds, int inflight,
                           int window, int threads, Durable durable) {
    }

    /**
     * The durable topic a run published to or consumed from.
     *
     * @param topic      its name
     * @param partitions its partitions
     * @param durability when a publish is acknowledged: {@code fsync}, {@code group} or {@code async} (for Kafka,
     *                   {@code flush.messages=1} counts as fsync and its default, the page cache, as async)
     * @param group      the consumer group the subscribers were members of, or null
     * @param preload    messages published before the consumers started, 0 for a live run
     */
    public record Durable(String topic, int partitions, String durability, String group, long preload) {
    }

    /** Messages published before the window of a drain run, and how long their acknowledgements took. */
    public record Preload(long messages, double seconds, double perSecond) {
        public static Preload of(long messages, double seconds) {
            return new Preload(messages, seconds, seconds > 0 ? messages / seconds : 0);
        }
    }

    /** A count over the whole run, the part of it in the window, and that part per second. */
    public record Rate(long total, long measured, double perSecond) {
        public static Rate of(long total, long measured, double seconds) {
            return new Rate(total, measured, measured / seconds);
        }
    }

    /** Percentiles of a latency histogram, in microseconds. */
    public record Latency(long count, double p50, double p90, double p99, double p999, double max, double mean) {
        public static Latency of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, 0, 0, 0);
            }
            return new Latency(h.getTotalCount(), micros(h.getValueAtPercentile(50)),
                    micros(h.getValueAtPercentile(90)), micros(h.getValueAtPercentile(99)),
                    micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()), h.getMean() / 1000.0);
        }

        private static double micros(long nanos) {
            return nanos / 1000.0;
        }
    }

    /**
     * CPU seconds used in the measurement window by the generator and, given {@code --broker-pid}, by the
     * broker (else null); {@code brokerPerMessageMicros} divides the broker's by the messages the run counts
     * ({@link #counted()}) in the window. {@code othersSeconds} is what the rest of the machine used in the
     * window (all CPUs' busy time less the generator's and the broker's), null when not measured: more than a
     * little means the run shared the machine.
     */
    public record Cpu(double generatorSeconds, Double brokerSeconds, Double brokerPerMessageMicros,
                      Double othersSeconds) {
        /**
         * The CPU figures, with the broker's per message given the count of messages in the window.
         *
         * @param brokerNanos  -1 when not measured
         * @param machineNanos busy time of the whole machine in the window, -1 when not measured
         */
        public static Cpu of(long generatorNanos, long brokerNanos, long machineNanos, long messages) {
            return new Cpu(generatorNanos / 1e9, brokerNanos >= 0 ? brokerNanos / 1e9 : null,
                    brokerNanos >= 0 && messages > 0 ? brokerNanos / 1e3 / messages : null,
                    brokerNanos >= 0 && machineNanos >= 0
                            ? Math.max(0, machineNanos - generatorNanos - brokerNanos) / 1e9 : null);
        }
    }

    /** This result with the broker's memory and GC figures. */
    public LoadResult withResources(Resources r) {
        return new LoadResult(tool, format, startedAt, labels, settings, measuredSeconds, published, acked, delivered,
                expectedDeliveries, lost, lostRatio, duplicates, redelivered, unexpected, ackRefused, unacknowledged,
                latency, ackLatency, cpu, preload, failures, r);
    }

    /**
     * The broker's memory and garbage collection, read by {@link BrokerProbe}; a figure it could not read is
     * null. The resident set cannot be reset between runs, so the peak ({@code VmHWM}) is over the broker's
     * life so far, and {@code rssMiB} ({@code VmRSS}) is taken at the end of the window. GC figures come from
     * the broker's GC log ({@code -Xlog:gc*}), for the pauses logged during the window.
     *
     * @param rssMiB          resident set at the end of the window
     * @param peakRssMiB      highest resident set since the broker started
     * @param gcPauses        stop-the-world pauses in the window
     * @param gcPauseTotalMs  their total length
     * @param gcPauseMaxMs    the longest
     * @param heapAfterGcMiB  heap in use after the last collection of the window
     */
    public record Resources(Double rssMiB, Double peakRssMiB, Integer gcPauses, Double gcPauseTotalMs,
                            Double gcPauseMaxMs, Double heapAfterGcMiB) {
    }

    /**
     * The rate a comparison ranks runs by: deliveries when anyone received, else publisher acknowledgements
     * (a run that only publishes to a durable topic), else publications. Not a record component: it is not
     * written to JSON.
     */
    @JsonIgnore
    public Rate counted() {
        if (delivered != null && delivered.total() > 0) {
            return delivered;
        }
        return acked != null ? acked : published;
    }

    /** What {@link #counted()} counts: {@code delivered}, {@code acked} or {@code published}. */
    @JsonIgnore
    public String countedName() {
        Rate c = counted();
        return c == delivered ? "delivered" : c == acked ? "acked" : "published";
    }

    /** The latency that goes with {@link #counted()}: end to end for deliveries, else publish to PUBACK. */
    @JsonIgnore
    public Latency countedLatency() {
        return counted() == delivered || ackLatency == null ? latency : ackLatency;
    }
}
