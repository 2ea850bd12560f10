package io.ratatoskr.server;

import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.persist.PersistenceConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.auth.AuthConfig;
import io.ratatoskr.server.security.AclConfig;
import io.ratatoskr.server.tls.TransportConfig;
import io.ratatoskr.server.trace.TracingConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the server needs to start, already validated by its parts' own records. Immutable.
 *
 * @param dataDir     where the broker keeps its files (created if missing; one broker per directory)
 * @param persistence how retained messages and persistent sessions are kept under {@code dataDir}
 * @param topics      the durable topics (kept in {@code <dataDir>/topics})
 * @param grpc        the gRPC listener; null: none
 * @param http        the admin API listener; null: none
 * @param tracing     OpenTelemetry tracing (off by default)
 * @param auth        how clients authenticate (anonymous by default)
 * @param acl         what clients may do (no ACL file by default: everything)
 * @param transports  MQTT over TLS and WebSocket, HTTPS for the admin API, certificate reload
 */
public record ServerConfig(Path dataDir, BrokerConfig broker, MqttConfig mqtt, PersistenceConfig persistence,
                           DurableTopicsConfig topics, GrpcConfig grpc, HttpConfig http,
                           TracingConfig tracing, AuthConfig auth, AclConfig acl, TransportConfig transports) {
    public static final ServerConfig DEFAULTS = new ServerConfig(Path.of("data"), BrokerConfig.DEFAULTS,
            MqttConfig.DEFAULTS, PersistenceConfig.DEFAULTS, DurableTopicsConfig.DEFAULTS, GrpcConfig.DEFAULTS,
            HttpConfig.DEFAULTS, TracingConfig.DEFAULTS, AuthConfig.DEFAULTS, AclConfig.DEFAULTS,
            TransportConfig.DEFAULTS);

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(tracing, "tracing");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(acl, "acl");
        Objects.requireNonNull(transports, "transports");
    }

    /** A configuration with the core listeners only, and the defaults of everything else. */
    public ServerConfig(Path dataDir, BrokerConfig broker, MqttConfig mqtt, PersistenceConfig persistence,
                        DurableTopicsConfig topics, GrpcConfig grpc, HttpConfig http) {
        this(dataDir, broker, mqtt, persistence, topics, grpc, http, TracingConfig.DEFAULTS, AuthConfig.DEFAULTS,
                AclConfig.DEFAULTS, TransportConfig.DEFAULTS);
    }

    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(dir, broker, mqtt, persistence, topics, grpc, http, tracing, auth, acl, transports);
    }

    public ServerConfig withBroker(BrokerConfig b) {
        return new ServerConfig(dataDir, b, mqtt, persistence, topics, grpc, http, tracing, auth, acl, transports);
    }

    public ServerConfig withMqtt(MqttConfig m) {
        return new ServerConfig(dataDir, broker, m, persistence, topics, grpc, http, tracing, auth, acl, transports);
    }

    public ServerConfig withPersistence(PersistenceConfig p) {
        return new ServerConfig(dataDir, broker, mqtt, p, topics, grpc, http, tracing, auth, acl, transports);
    }

    public ServerConfig withTopics(DurableTopicsConfig t) {
        return new ServerConfig(dataDir, broker, mqtt, persistence, t, grpc, http, tracing, auth, acl, transports);
    }

    public ServerConfig withGrpc(GrpcConfig g) {
        return new ServerConfig(dataDir, broker, mqtt, persistence, topics, g, http, tracing, auth, acl, transports);
    }

    public ServerConfig withHttp(HttpConfig h) {
        return new ServerConfig(dataDir, broker, mqtt, persistence, topics, grpc, h, tracing, auth, acl, transports);
    }

    public ServerConfig withTracing(TracingConfig t) {
        return new ServerConfig(dataDir, broker, mqtt, persistence, topics, grpc, http, t, auth, acl, transports);
    }

    public ServerConfig withAuth(AuthConfig a) {
        return new ServerConfig(dataDir, broker, mqtt, persistence, topics, grpc, http, tracing, a, acl, transports);
    }

    public ServerConfig withAcl(AclConfig a) {
        return new ServerConfig(dataDir, broker, mqtt, persistence, topics, grpc, http, tracing, auth, a, transports);
    }

    public ServerConfig withTransports(TransportConfig t) {
        return new ServerConfig(dataDir, broker, mqtt, persistence, topics, grpc, http, tracing, auth, acl, t);
    }
}
