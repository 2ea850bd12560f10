package io.ratatoskr.server;

import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.persist.PersistenceConfig;
import io.ratatoskr.core.session.OverflowPolicy;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.grpc.GrpcTls;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.mqtt.server.MqttConfig;
import picocli.CommandLine.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ratatoskr server}: runs a broker node in the foreground until SIGINT/SIGTERM. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Start a broker. With no options: data in ./data, MQTT on 127.0.0.1:1883, anonymous access.")
final class ServerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);
    private static final MqttConfig M = MqttConfig.DEFAULTS;
    private static final SessionConfig S = SessionConfig.DEFAULTS;
    private static final BrokerConfig B = BrokerConfig.DEFAULTS;
    private static final PersistenceConfig P = PersistenceConfig.DEFAULTS;

    @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir = ServerConfig.DEFAULTS.dataDir();

    @Option(names = "--mqtt-host", description = "Address the MQTT listener binds (default: ${DEFAULT-VALUE}; "
            + "use 0.0.0.0 to accept remote clients).")
    String mqttHost = M.host();

    @Option(names = "--mqtt-port", description = "MQTT TCP port (default: ${DEFAULT-VALUE}).")
    int mqttPort = M.port();

    @Option(names = "--max-connections", description = "Open MQTT connections at most (default: ${DEFAULT-VALUE}).")
    int maxConnections = M.maxConnections();

    @Option(names = "--max-packet-size", description = "Largest MQTT packet accepted, bytes (default: ${DEFAULT-VALUE}).")
    int maxPacketSize = M.maxPacketSize();

    @Option(names = "--receive-maximum",
            description = "Unacknowledged inbound QoS 1/2 messages per client (default: ${DEFAULT-VALUE}).")
    int receiveMaximum = M.receiveMaximum();

    @Option(names = "--topic-alias-maximum", description = "Inbound topic aliases per client (default: ${DEFAULT-VALUE}).")
    int topicAliasMaximum = M.topicAliasMaximum();

    @Option(names = "--max-keep-alive", description = "Longest keep-alive accepted, seconds (default: ${DEFAULT-VALUE}).")
    int maxKeepAlive = M.maxKeepAliveSeconds();

    @Option(names = "--io-threads", description = "Network threads; 0 = one per CPU (default: ${DEFAULT-VALUE}).")
    int ioThreads = M.ioThreads();

    @Option(names = "--max-queued-messages",
            description = "Messages queued per session beyond its in-flight window (default: ${DEFAULT-VALUE}).")
    int maxQueued = S.maxQueuedMessages();

    @Option(names = "--overflow-policy",
            description = "When a session queue is full: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OverflowPolicy overflowPolicy = S.overflowPolicy();

    @Option(names = "--max-inflight",
            description = "Unacknowledged outbound QoS 1/2 messages per session (default: ${DEFAULT-VALUE}).")
    int maxInflight = S.maxInflight();

    @Option(names = "--max-session-expiry",
            description = "Longest a disconnected session is kept, seconds (default: ${DEFAULT-VALUE}).")
    long maxSessionExpiry = S.maxSessionExpirySeconds();

    @Option(names = "--max-topic-levels", description = "Levels in a topic name or filter (default: ${DEFAULT-VALUE}).")
    int maxTopicLevels = B.maxTopicLevels();

    @Option(names = "--sys-interval", description = "Seconds between $SYS statistics; 0 = off (default: ${DEFAULT-VALUE}).")
    long sysInterval = B.sysIntervalSeconds();

    @Option(names = "--persist-sessions", arity = "1", description = "Keep persistent sessions (subscriptions, "
            + "queued and in-flight QoS 1/2 messages, wills) across restarts in <data-dir>/sessions; false keeps them "
            + "in memory only (default: ${DEFAULT-VALUE}).")
    boolean persistSessions = P.sessions();

    @Option(names = "--state-durability", description = "When a write of a retained message or session state counts "
            + "as done, and a publisher waiting for it is acknowledged: ${COMPLETION-CANDIDATES} "
            + "(default: ${DEFAULT-VALUE}: fsync shared by concurrent writes).")
    DurabilityMode stateDurability = P.durability();

    @Option(names = "--grpc-host", description = "Address the gRPC API binds (default: ${DEFAULT-VALUE}).")
    String grpcHost = GrpcConfig.DEFAULTS.host();

    @Option(names = "--grpc-port", description = "gRPC API port; -1 = no gRPC (default: ${DEFAULT-VALUE}).")
    int grpcPort = GrpcConfig.DEFAULTS.port();

    @Option(names = "--grpc-tls-cert", description = "PEM certificate chain for gRPC over TLS (with --grpc-tls-key); "
            + "without both, gRPC is plaintext.")
    java.nio.file.Path grpcTlsCert;

    @Option(names = "--grpc-tls-key", description = "PEM (PKCS#8) private key of --grpc-tls-cert.")
    java.nio.file.Path grpcTlsKey;

    @Option(names = "--http-host", description = "Address the HTTP admin API binds (default: ${DEFAULT-VALUE}).")
    String httpHost = HttpConfig.DEFAULTS.host();

    @Option(names = "--http-port", description = "HTTP admin API port; -1 = no admin API (default: ${DEFAULT-VALUE}).")
    int httpPort = HttpConfig.DEFAULTS.port();

    @Option(names = "--http-token-file", description = "File holding the bearer token the admin API requires "
            + "(trimmed); every route but /health, /ready and the dashboard's files then answers 401 without it.")
    java.nio.file.Path httpTokenFile;

    @Option(names = "--http-token", description = "The admin API's bearer token itself; prefer --http-token-file "
            + "(arguments show in the process list).")
    String httpToken;

    @Option(names = "--auto-create-topics",
            description = "Create a missing durable topic when a message is published to it by name (gRPC, "
                    + "dead-letter replay), instead of refusing it. MQTT never creates durable topics.")
    boolean autoCreateTopics;

    @Option(names = "--shutdown-timeout-ms", description = "On SIGTERM/SIGINT, how long the node may take to stop "
            + "cleanly (clients told, appends completed, logs closed) before it halts with exit code 1 "
            + "(default: ${DEFAULT-VALUE}).")
    long shutdownTimeoutMs = 10_000;

    private GrpcTls grpcTls() {
        if ((grpcTlsCert == null) != (grpcTlsKey == null)) {
            throw new IllegalArgumentException("--grpc-tls-cert and --grpc-tls-key go together");
        }
        return grpcTlsCert == null ? null : new GrpcTls(grpcTlsCert, grpcTlsKey);
    }

    private String httpToken() {
        return httpToken(httpToken, httpTokenFile);
    }

    /** The admin API's token: {@code token}, or the content of {@code file} (trimmed), or null. */
    static String httpToken(String httpToken, java.nio.file.Path httpTokenFile) {
        if (httpToken != null && httpTokenFile != null) {
            throw new IllegalArgumentException("give --http-token or --http-token-file, not both");
        }
        if (httpTokenFile == null) {
            return httpToken;
        }
        try {
            return java.nio.file.Files.readString(httpTokenFile).trim();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read --http-token-file " + httpTokenFile + ": " + e);
        }
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        try {
            SessionConfig session = new SessionConfig(maxQueued, overflowPolicy, maxInflight, maxSessionExpiry,
                    S.queueQos0WhenOffline());
            BrokerConfig broker = new BrokerConfig(maxTopicLevels, session, sysInterval);
            MqttConfig mqtt = M.toBuilder().host(mqttHost).port(mqttPort).maxConnections(maxConnections)
                    .maxPacketSize(maxPacketSize).receiveMaximum(receiveMaximum).topicAliasMaximum(topicAliasMaximum)
                    .maxKeepAliveSeconds(maxKeepAlive).ioThreads(ioThreads).build();
            PersistenceConfig persistence = new PersistenceConfig(persistSessions, stateDurability,
                    P.groupCommitMaxDelayMs());
            DurableTopicsConfig topics = DurableTopicsConfig.DEFAULTS.withAutoCreate(autoCreateTopics,
                    TopicConfig.DEFAULTS);
            if (shutdownTimeoutMs <= 0) {
                throw new IllegalArgumentException("--shutdown-timeout-ms must be positive");
            }
            config = new ServerConfig(dataDir, broker, mqtt, persistence, topics,
                    grpcPort < 0 ? null : GrpcConfig.DEFAULTS.withHost(grpcHost).withPort(grpcPort).withTls(grpcTls()),
                    httpPort < 0 ? null : HttpConfig.DEFAULTS.withHost(httpHost).withPort(httpPort)
                            .withBearerToken(httpToken()));
        } catch (IllegalArgumentException | io.ratatoskr.core.error.RatatoskrException e) {
            System.err.println("ratatoskr: invalid configuration: " + e.getMessage());
            return 2;
        }
        RatatoskrServer server;
        try {
            server = RatatoskrServer.start(config);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("ratatoskr: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopWithin(server, shutdownTimeoutMs);
            stopped.countDown();
        }, "ratatoskr-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * Closes the node (listeners first: MQTT 5 clients get DISCONNECT 0x8B; then queued appends
     * complete and every log writes its clean-shutdown marker) and ends the process: exit code 0
     * when that finished within {@code timeoutMs} — a requested stop is not a failure, although the
     * JVM would exit 143 after SIGTERM — or 1 when it did not, so the next start recovers the logs.
     * Runs in the shutdown hook; halting ends the JVM without waiting for the main thread.
     */
    private static void stopWithin(RatatoskrServer server, long timeoutMs) {
        Thread closer = Thread.ofPlatform().name("ratatoskr-close").start(server::close);
        try {
            closer.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.error("the node did not stop within {} ms; halting (the logs are recovered at the next start)",
                    timeoutMs);
            Runtime.getRuntime().halt(1);
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }
}
