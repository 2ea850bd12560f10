package io.ratatoskr.core.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.session.DropReason;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The broker's counters and gauges, registered once with Micrometer so the hot path only bumps
 * pre-resolved counters. Names follow {@code ratatoskr_<area>_<name>_<unit>} in Prometheus form;
 * label values come from small fixed sets (protocol, QoS, reason), never from client input.
 * Thread-safe.
 */
public final class BrokerMetrics {
    private final MeterRegistry registry;
    private final Counter[] messagesIn = new Counter[3];
    private final Counter[] messagesOut = new Counter[3];
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter published;
    private final Counter noSubscribers;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Map<String, Counter> protocolErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> connectionsRefused = new ConcurrentHashMap<>();
    private final Map<String, Counter> publishesRefused = new ConcurrentHashMap<>();
    private final Map<String, Counter> qos0Dropped = new ConcurrentHashMap<>();
    private final Counter connectionsAccepted;
    private final Counter publisherPauses;
    private final AtomicLong connectionsActive = new AtomicLong();
    // Plain totals for $SYS, which reports since-start numbers without reading meters back.
    private final AtomicLong messagesInTotal = new AtomicLong();
    private final AtomicLong messagesOutTotal = new AtomicLong();
    private final AtomicLong bytesInTotal = new AtomicLong();
    private final AtomicLong bytesOutTotal = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (int qos = 0; qos <= 2; qos++) {
            messagesIn[qos] = Counter.builder("ratatoskr.mqtt.messages.received")
                    .description("PUBLISH packets received from clients")
                    .tag("qos", Integer.toString(qos)).register(registry);
            messagesOut[qos] = Counter.builder("ratatoskr.mqtt.messages.sent")
                    .description("PUBLISH packets sent to clients, re-sends included")
                    .tag("qos", Integer.toString(qos)).register(registry);
        }
        bytesIn = Counter.builder("ratatoskr.mqtt.received").baseUnit("bytes")
                .description("Bytes read from MQTT connections").register(registry);
        bytesOut = Counter.builder("ratatoskr.mqtt.sent").baseUnit("bytes")
                .description("Bytes written to MQTT connections").register(registry);
        published = Counter.builder("ratatoskr.broker.messages.routed")
                .description("Messages routed to subscribers (wills and $SYS included)").register(registry);
        noSubscribers = Counter.builder("ratatoskr.broker.messages.unmatched")
                .description("Messages that matched no subscription").register(registry);
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, Counter.builder("ratatoskr.session.messages.dropped")
                    .description("Messages routed to a session and not delivered, by reason")
                    .tag("reason", reason.tag()).register(registry));
        }
        publisherPauses = Counter.builder("ratatoskr.mqtt.publisher.pauses")
                .description("Times a publishing connection stopped reading because a subscriber was congested")
                .register(registry);
        connectionsAccepted = Counter.builder("ratatoskr.mqtt.connections.accepted")
                .description("MQTT connections that completed CONNECT").register(registry);
        Gauge.builder("ratatoskr.mqtt.connections.active", connectionsActive, AtomicLong::get)
                .description("Open MQTT network connections").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Registers a gauge read from {@code value} (a live view, e.g. a table size). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    public void messageReceived(int qos) {
        messagesIn[qos].increment();
        messagesInTotal.incrementAndGet();
    }

    public void messageSent(int qos) {
        messagesOut[qos].increment();
        messagesOutTotal.incrementAndGet();
    }

    public void bytesReceived(long n) {
        bytesIn.increment(n);
        bytesInTotal.addAndGet(n);
    }

    public void bytesSent(long n) {
        bytesOut.increment(n);
        bytesOutTotal.addAndGet(n);
    }

    void routed(boolean matched) {
        published.increment();
        if (!matched) {
            noSubscribers.increment();
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

    /** A PUBLISH was refused (v5: error reason code; 3.1.1: acknowledged and dropped). */
    public void publishRefused(String reason) {
        publishesRefused.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.mqtt.publishes.refused")
                .description("PUBLISH packets refused, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    /** A QoS 0 PUBLISH was refused by a store; nobody can be told, so it is dropped. */
    public void qos0Dropped(String reason) {
        qos0Dropped.computeIfAbsent(reason, r -> Counter.builder("ratatoskr.mqtt.qos0.dropped")
                .description("QoS 0 PUBLISH packets a store refused (there is no acknowledgement to refuse), by reason")
                .tag("reason", r).register(registry)).increment();
        droppedTotal.incrementAndGet();
    }

    public void publisherPaused() {
        publisherPauses.increment();
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

    public long messagesReceivedTotal() {
        return messagesInTotal.get();
    }

    public long messagesSentTotal() {
        return messagesOutTotal.get();
    }

    public long bytesReceivedTotal() {
        return bytesInTotal.get();
    }

    public long bytesSentTotal() {
        return bytesOutTotal.get();
    }

    public long droppedTotal() {
        return droppedTotal.get();
    }
}
