package io.ratatoskr.core.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ratatoskr.core.session.DropReason;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The broker's counters and gauges, registered once with Micrometer so the hot path only bumps
 * pre-resolved counters. Names follow {@code ratatoskr_<area>_<name>_<unit>} in Prometheus form;
 * label values come from small fixed sets (protocol, QoS, reason), never from client input.
 * The catalogue of every meter is docs/metrics.md.
 *
 * <p>Thread-safety: thread-safe (Micrometer meters, atomics, and per-thread tallies for the counters bumped
 * per message: see {@link ThreadTallies}).
 */
public final class BrokerMetrics {
    /** Bucket bounds of every latency histogram: 100 µs to 10 s, 16 buckets (plus +Inf). */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** The protocol a message came in or went out on: the {@code protocol} label. */
    public enum Protocol {
        MQTT, GRPC;

        final String tag = name().toLowerCase(java.util.Locale.ROOT);
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> aclDenied = new ConcurrentHashMap<>();
    private final Clock clock;
    // The per-message counters are per-thread tallies (ThreadTallies), read by FunctionCounters. Slots
    // of the by-protocol-and-QoS families are indexed [family + protocol.ordinal() * 3 + qos].
    private static final int MESSAGES_IN = 0;
    private static final int PAYLOAD_IN = 6;
    private static final int MESSAGES_OUT = 12;
    private static final int PAYLOAD_OUT = 18;
    private static final int BYTES_IN = 24;
    private static final int BYTES_OUT = 25;
    private static final int ROUTED = 26;
    private static final int UNMATCHED = 27;
    private static final int SLOTS = 28;
    private final ThreadTallies tallies = new ThreadTallies(SLOTS);
    private final Timer[] deliveryLatency = new Timer[2];
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Map<String, Counter> protocolErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> connectionsRefused = new ConcurrentHashMap<>();
    // Per protocol: refusal reasons are catalogue codes or fixed tags, registered at their first use.
    private final List<Map<String, Counter>> refused = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    private final Map<String, Counter> storeDropped = new ConcurrentHashMap<>();
    private final Counter connectionsAccepted;
    private final Counter publisherPauses;
    private final Counter publisherPausedTime;
    private final Map<String, Counter> publisherReleases = new ConcurrentHashMap<>();
    private final Map<String, Counter> publisherThrottles = new ConcurrentHashMap<>();
    private final Map<String, Counter> subscriptionsRefused = new ConcurrentHashMap<>();
    private final AtomicLong connectionsActive = new AtomicLong();
    // A plain total for $SYS, which reports since-start numbers without reading meters back.
    private final AtomicLong droppedTotal = new AtomicLong();

    /** Metrics on the system clock. */
    public BrokerMetrics(MeterRegistry registry) {
        this(registry, Clock.systemUTC());
    }

    /** @param clock the broker's clock: a delivery's latency is now minus the message's receipt time */
    public BrokerMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (Protocol p : Protocol.values()) {
            for (int qos = 0; qos <= 2; qos++) {
                int i = p.ordinal() * 3 + qos;
                String q = Integer.toString(qos);
                tally("ratatoskr.messages.received", null, MESSAGES_IN + i)
                        .description("Messages published by clients, by protocol and QoS")
                        .tag("protocol", p.tag).tag("qos", q).register(registry);
                tally("ratatoskr.messages.received.bytes", "bytes", PAYLOAD_IN + i)
                        .description("Payload bytes of messages published by clients, by protocol and QoS")
                        .tag("protocol", p.tag).tag("qos", q).register(registry);
                tally("ratatoskr.messages.sent", null, MESSAGES_OUT + i)
                        .description("Messages written to subscribers and consumers (re-sends included), "
                                + "by protocol and QoS")
                        .tag("protocol", p.tag).tag("qos", q).register(registry);
                tally("ratatoskr.messages.sent.bytes", "bytes", PAYLOAD_OUT + i)
                        .description("Payload bytes of messages written to subscribers and consumers, "
                                + "by protocol and QoS")
                        .tag("protocol", p.tag).tag("qos", q).register(registry);
            }
            deliveryLatency[p.ordinal()] = latencyTimer("ratatoskr.messages.delivery.latency",
                    "From the broker receiving a message to writing it to a subscriber's transport "
                            + "(millisecond resolution), by the subscriber's protocol")
                    .tag("protocol", p.tag).register(registry);
        }
        tally("ratatoskr.mqtt.received.bytes", "bytes", BYTES_IN)
                .description("Bytes read from MQTT connections").register(registry);
        tally("ratatoskr.mqtt.sent.bytes", "bytes", BYTES_OUT)
                .description("Bytes written to MQTT connections").register(registry);
        tally("ratatoskr.broker.messages.routed", null, ROUTED)
                .description("Messages routed to subscribers (wills and $SYS included)").register(registry);
        tally("ratatoskr.broker.messages.unmatched", null, UNMATCHED)
                .description("Messages that matched no subscription").register(registry);
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, droppedCounter(reason.tag()));
        }
        publisherPauses = Counter.builder("ratatoskr.mqtt.publisher.pauses")
                .description("Times a publishing connection stopped reading because a subscriber was congested")
                .register(registry);
        publisherPausedTime = Counter.builder("ratatoskr.mqtt.publisher.paused").baseUnit("seconds")
                .description("Time publishing connections spent not read because a subscriber was congested")
                .register(registry);
        connectionsAccepted = Counter.builder("ratatoskr.mqtt.connections.accepted")
                .description("MQTT connections that completed CONNECT").register(registry);
        Gauge.builder("ratatoskr.mqtt.connections.active", connectionsActive, AtomicLong::get)
                .description("Open MQTT network connections").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A counter read from a slot of {@link #tallies}: summed over the threads when scraped. */
    private FunctionCounter.Builder<ThreadTallies> tally(String name, String baseUnit, int slot) {
        return FunctionCounter.builder(name, tallies, t -> t.sum(slot)).baseUnit(baseUnit);
    }

    /** Registers a gauge read from {@code value} (a live view, e.g. a table size). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /**
     * A timer whose Prometheus form is a histogram with the shared latency buckets (100 µs .. 10 s),
     * so that quantiles aggregate across nodes with {@code histogram_quantile}.
     */
    public static Timer.Builder latencyTimer(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS)
                .minimumExpectedValue(LATENCY_BUCKETS[0])
                .maximumExpectedValue(LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]);
    }

    /** A client published a message of {@code payloadBytes} at {@code qos} over {@code protocol}. */
    public void messageReceived(Protocol protocol, int qos, int payloadBytes) {
        int i = protocol.ordinal() * 3 + qos;
        ThreadTallies.Cell c = tallies.cell();
        c.add(MESSAGES_IN + i, 1);
        c.add(PAYLOAD_IN + i, payloadBytes);
    }

    /** The {@code receivedAtMillis} of a sent message whose wait is not a delivery latency. */
    public static final long NOT_TIMED = Long.MIN_VALUE;

    /**
     * A message was written to a subscriber's or consumer's transport; {@code receivedAtMillis} is
     * when the broker received it (on the broker's clock), for the delivery latency, or
     * {@link #NOT_TIMED} (a retained message sent because of a new subscription, whose age is no
     * delivery latency).
     */
    public void messageSent(Protocol protocol, int qos, int payloadBytes, long receivedAtMillis) {
        messageSent(protocol, qos, payloadBytes);
        deliveryWritten(protocol, receivedAtMillis);
    }

    /**
     * A message was written to a subscriber's transport, counted only: its wait goes into the delivery
     * latency through {@link #deliveryWritten} once per batch written together (see there).
     */
    public void messageSent(Protocol protocol, int qos, int payloadBytes) {
        int i = protocol.ordinal() * 3 + qos;
        ThreadTallies.Cell c = tallies.cell();
        c.add(MESSAGES_OUT + i, 1);
        c.add(PAYLOAD_OUT + i, payloadBytes);
    }

    /**
     * One sample of the delivery latency: now minus {@code receivedAtMillis} (ignored if it is
     * {@link #NOT_TIMED} or in the future). A front end that writes deliveries in batches (MQTT: the
     * deliveries between two flushes of a connection) records one sample per batch, the wait of its oldest
     * message: the histogram then counts batches, never understates the longest wait, and costs one
     * timer update per batch rather than per message (a shared histogram, a max and two adders).
     */
    public void deliveryWritten(Protocol protocol, long receivedAtMillis) {
        if (receivedAtMillis == NOT_TIMED) {
            return;
        }
        long latency = clock.millis() - receivedAtMillis;
        if (latency >= 0) {
            deliveryLatency[protocol.ordinal()].record(latency, TimeUnit.MILLISECONDS);
        }
    }

    public void bytesReceived(long n) {
        tallies.cell().add(BYTES_IN, n);
    }

    public void bytesSent(long n) {
        tallies.cell().add(BYTES_OUT, n);
    }

    void routed(boolean matched) {
        ThreadTallies.Cell c = tallies.cell();
        c.add(ROUTED, 1);
        if (!matched) {
            c.add(UNMATCHED, 1);
        }
    }

    public void dropped(DropReason reason) {
        dropped.get(reason).increment();
        droppedTotal.incrementAndGet();
    }

    /** A client broke the protocol; {@code reason} is a short fixed tag such as "malformed_packet". */
    public void protocolError(String reason) {
        protocolErrors.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.mqtt.protocol.errors")
                .description("Connections closed for breaking the protocol, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    /** A CONNECT was refused; {@code reason} is a short fixed tag such as "server_busy". */
    public void connectionRefused(String reason) {
        connectionsRefused.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.mqtt.connections.refused")
                .description("CONNECTs refused, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    /**
     * A publish was refused and the client told so where it can be (MQTT 5: an error reason code;
     * 3.1.1: acknowledged and dropped; gRPC: an error); {@code reason} is a short fixed tag such as
     * "sys_topic" or a catalogue code such as "partition_overloaded".
     */
    public void publishRefused(Protocol protocol, String reason) {
        refused.get(protocol.ordinal()).computeIfAbsent(reason, r -> Counter.builder("ratatoskr.messages.refused")
                .description("Publishes refused, by protocol and reason")
                .tag("protocol", protocol.tag).tag("reason", r).register(registry)).increment();
    }

    /**
     * An operation was refused by the ACL ({@code ratatoskr_acl_denied_total}); {@code action} is
     * {@code publish}, {@code subscribe} or {@code admin} (a will counts as a publish).
     */
    public void aclDenied(Protocol protocol, String action) {
        aclDenied.computeIfAbsent(protocol.tag + "/" + action, k -> Counter.builder("ratatoskr.acl.denied")
                .description("Operations refused by the ACL, by protocol and action")
                .tag("protocol", protocol.tag).tag("action", action).register(registry)).increment();
    }

    /** A QoS 0 PUBLISH was refused by a store; nobody can be told, so it is dropped. */
    public void qos0Dropped(String reason) {
        storeDropped.computeIfAbsent(reason, this::droppedCounter).increment();
        droppedTotal.incrementAndGet();
    }

    private Counter droppedCounter(String reason) {
        return Counter.builder("ratatoskr.messages.dropped")
                .description("Messages accepted and then not delivered or stored, with nobody told, by reason")
                .tag("reason", reason).register(registry);
    }

    /** A topic filter of a SUBSCRIBE was refused by a quota; {@code reason} is a short fixed tag. */
    public void subscriptionRefused(String reason) {
        subscriptionsRefused.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.mqtt.subscriptions.refused")
                .description("Topic filters of SUBSCRIBE packets refused by a quota, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    public void publisherPaused() {
        publisherPauses.increment();
    }

    /**
     * A publishing connection paused for a congested subscriber goes on after {@code pausedMillis};
     * {@code reason} is {@code decongested} (every subscriber it waited for caught up or left),
     * {@code stalled} (one took nothing for the slow-subscriber timeout: its overflow policy applies)
     * or {@code closed} (the publisher's own connection ended).
     */
    public void publisherReleased(String reason, long pausedMillis) {
        publisherPausedTime.increment(pausedMillis / 1e3);
        publisherReleases.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.mqtt.publisher.releases")
                .description("Publishing connections read again after a pause for a congested subscriber, "
                        + "by why: decongested, stalled or closed")
                .tag("reason", r).register(registry)).increment();
    }

    /**
     * A publishing connection used up its publish-rate budget and stopped being read until it
     * refills; {@code reason} is {@code message_rate} or {@code byte_rate}.
     */
    public void publisherThrottled(String reason) {
        publisherThrottles.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.mqtt.publisher.throttled")
                .description("Times a publishing connection stopped being read for exceeding its publish rate, "
                        + "by the rate exceeded")
                .tag("reason", r).register(registry)).increment();
    }

    public void connectionAccepted() {
        connectionsAccepted.increment();
    }

    public void connectionOpened() {
        connectionsActive.incrementAndGet();
    }

    public void connectionClosed() {
        connectionsActive.decrementAndGet();
    }

    public long connectionsActive() {
        return connectionsActive.get();
    }

    /** MQTT PUBLISH packets received since start ($SYS; the admin API adds gRPC's own totals). */
    public long messagesReceivedTotal() {
        return mqttTotal(MESSAGES_IN);
    }

    /** MQTT PUBLISH packets sent since start, re-sends included. */
    public long messagesSentTotal() {
        return mqttTotal(MESSAGES_OUT);
    }

    /** The MQTT slots (QoS 0, 1, 2) of a by-protocol-and-QoS family. */
    private long mqttTotal(int family) {
        int base = family + Protocol.MQTT.ordinal() * 3;
        return tallies.sum(base) + tallies.sum(base + 1) + tallies.sum(base + 2);
    }

    public long bytesReceivedTotal() {
        return tallies.sum(BYTES_IN);
    }

    public long bytesSentTotal() {
        return tallies.sum(BYTES_OUT);
    }

    public long droppedTotal() {
        return droppedTotal.get();
    }
}
