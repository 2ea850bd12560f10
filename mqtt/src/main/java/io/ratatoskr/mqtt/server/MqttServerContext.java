package io.ratatoskr.mqtt.server;

import io.netty.channel.group.ChannelGroup;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.ThrottledLog;
import io.ratatoskr.core.durable.group.ConsumerGroups;

import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/** What every connection of one listener shares. Thread-safe. */
final class MqttServerContext {
    private final MqttConfig config;
    private final Broker broker;
    private final ChannelGroup channels;
    private final ConsumerGroups groups;
    private final SessionLoops loops = new SessionLoops();
    private final ConnectedClients clients = new ConnectedClients();
    private final AddressConnections addressConnections = new AddressConnections();
    private final AddressConnections pendingConnections = new AddressConnections();
    private final ThrottledLog refusalLog = ThrottledLog.everyTenSeconds();
    private final String idPrefix;
    private final AtomicLong idCounter = new AtomicLong();
    private volatile Authenticator authenticator = Authenticator.ANONYMOUS;
    private volatile Authorizer authorizer = Authorizer.ALLOW_ALL;

    MqttServerContext(MqttConfig config, Broker broker, ChannelGroup channels, RandomGenerator random,
                      ConsumerGroups groups) {
        this.config = config;
        this.broker = broker;
        this.channels = channels;
        this.groups = groups;
        // Assigned identifiers: a per-start random prefix and a counter, so they never repeat
        // across restarts in practice and never collide within one run.
        this.idPrefix = "auto-" + HexFormat.of().toHexDigits(random.nextLong()).substring(0, 12) + "-";
    }

    MqttConfig config() {
        return config;
    }

    Broker broker() {
        return broker;
    }

    BrokerMetrics metrics() {
        return broker.metrics();
    }

    Clock clock() {
        return broker.clock();
    }

    /** The consumer groups {@code $queue/...} subscriptions join, or null if there are none. */
    ConsumerGroups groups() {
        return groups;
    }

    ChannelGroup channels() {
        return channels;
    }

    /** The connections that completed CONNECT and are open, by client identifier. */
    ConnectedClients clients() {
        return clients;
    }

    /** Open connections per source address ({@code mqtt.max-connections-per-address}). */
    AddressConnections addressConnections() {
        return addressConnections;
    }

    /** Sockets accepted whose CONNECT has not completed, per source ({@link MqttLimits#maxPendingConnections}). */
    AddressConnections pendingConnections() {
        return pendingConnections;
    }

    /** Gates refusal log lines: one per source address every 10 s. */
    ThrottledLog refusalLog() {
        return refusalLog;
    }

    SessionLoops loops() {
        return loops;
    }

    /** Who connecting clients are (default: everyone, anonymously). */
    Authenticator authenticator() {
        return authenticator;
    }

    /** What clients may publish and subscribe to (default: everything). */
    Authorizer authorizer() {
        return authorizer;
    }

    void security(Authenticator authenticator, Authorizer authorizer) {
        this.authenticator = java.util.Objects.requireNonNull(authenticator, "authenticator");
        this.authorizer = java.util.Objects.requireNonNull(authorizer, "authorizer");
    }

    /** A client identifier for a client that sent none (§3.1.3.1). */
    String assignClientId() {
        return idPrefix + idCounter.incrementAndGet();
    }
}
