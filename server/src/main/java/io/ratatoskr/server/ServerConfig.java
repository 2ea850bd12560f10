package io.ratatoskr.server;

import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.mqtt.server.MqttConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the server needs to start, already validated by its parts' own records. Immutable.
 *
 * @param dataDir where the broker keeps its files (created if missing; one broker per directory)
 * @param topics  the durable topics (kept in {@code <dataDir>/topics})
 */
public record ServerConfig(Path dataDir, BrokerConfig broker, MqttConfig mqtt, DurableTopicsConfig topics) {
    public static final ServerConfig DEFAULTS =
            new ServerConfig(Path.of("data"), BrokerConfig.DEFAULTS, MqttConfig.DEFAULTS);

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(topics, "topics");
    }

    /** With the default durable-topic settings. */
    public ServerConfig(Path dataDir, BrokerConfig broker, MqttConfig mqtt) {
        this(dataDir, broker, mqtt, DurableTopicsConfig.DEFAULTS);
    }

    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(dir, broker, mqtt, topics);
    }

    public ServerConfig withBroker(BrokerConfig b) {
        return new ServerConfig(dataDir, b, mqtt, topics);
    }

    public ServerConfig withMqtt(MqttConfig m) {
        return new ServerConfig(dataDir, broker, m, topics);
    }

    public ServerConfig withTopics(DurableTopicsConfig t) {
        return new ServerConfig(dataDir, broker, mqtt, t);
    }
}
