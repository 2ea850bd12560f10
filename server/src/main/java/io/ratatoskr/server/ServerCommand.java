package io.ratatoskr.server;

import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.persist.PersistenceConfig;
import io.ratatoskr.core.session.OverflowPolicy;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.config.ConfigException;
import io.ratatoskr.server.config.ConfigLoader;
import io.ratatoskr.server.config.EffectiveConfig;
import io.ratatoskr.server.config.ServerSettings;
import io.ratatoskr.server.logging.LogSetup;
import io.ratatoskr.server.trace.TracingConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ratatoskr server}: runs a broker node in the foreground until SIGINT/SIGTERM. Its configuration
 * comes from {@link ConfigLoader}: embedded defaults, the {@code --config} file, {@code RATATOSKR_<KEY>}
 * environment variables, then the flags below (each named flag sets one key; {@code --set} any key).
 * The flag fields only give picocli its help text and types: the values are taken, as typed, from the
 * parse result, so that a flag that was not given does not override the file or the environment.
 */
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
    long shutdownTimeoutMs = ServerSettings.DEFAULTS.shutdownTimeoutMs();

    @Option(names = "--tracing-enabled", description = "Export OpenTelemetry spans of publish, store and "
            + "deliver over OTLP/HTTP (see docs/tracing.md).")
    boolean tracingEnabled;

    @Option(names = "--tracing-endpoint", description = "OTLP/HTTP (protobuf) traces URL of a collector "
            + "(default: ${DEFAULT-VALUE}).")
    java.net.URI tracingEndpoint = TracingConfig.DEFAULTS.endpoint();

    @Option(names = "--tracing-sample-ratio", description = "Share of the traces the broker starts itself that are "
            + "recorded, 0..1; a publisher's traceparent decides for its own messages (default: ${DEFAULT-VALUE}).")
    double tracingSampleRatio = TracingConfig.DEFAULTS.sampleRatio();

    @Option(names = "--tracing-inject", description = "Add a traceparent user property to messages whose "
            + "publisher sent none, so that subscribers continue the broker's trace.")
    boolean tracingInject;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:RATATOSKR_CONFIG}",
            description = "YAML configuration file (default: $RATATOSKR_CONFIG, else none: embedded defaults). "
                    + "Every key is in docs/configuration.md; environment variables RATATOSKR_<KEY> override the "
                    + "file, flags override both.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set a configuration key, e.g. --set mqtt.max-packet-size=4MiB (repeatable; wins over "
                    + "the other flags).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--print-config",
            description = "Print the effective configuration as YAML, with where each value came from, and exit.")
    boolean printConfig;

    @Spec
    CommandSpec spec;

    /** The keys the named flags set; a flag in seconds or milliseconds gets its unit appended. */
    static final Map<String, String> FLAG_KEYS = Map.ofEntries(
            Map.entry("--data-dir", "data-dir"),
            Map.entry("--mqtt-host", "mqtt.host"),
            Map.entry("--mqtt-port", "mqtt.port"),
            Map.entry("--max-connections", "mqtt.max-connections"),
            Map.entry("--max-packet-size", "mqtt.max-packet-size"),
            Map.entry("--receive-maximum", "mqtt.receive-maximum"),
            Map.entry("--topic-alias-maximum", "mqtt.topic-alias-maximum"),
            Map.entry("--max-keep-alive", "mqtt.max-keep-alive"),
            Map.entry("--io-threads", "mqtt.io-threads"),
            Map.entry("--max-queued-messages", "sessions.max-queued-messages"),
            Map.entry("--overflow-policy", "sessions.overflow-policy"),
            Map.entry("--max-inflight", "sessions.max-inflight"),
            Map.entry("--max-session-expiry", "sessions.max-expiry"),
            Map.entry("--max-topic-levels", "broker.max-topic-levels"),
            Map.entry("--sys-interval", "broker.sys-interval"),
            Map.entry("--persist-sessions", "persistence.sessions"),
            Map.entry("--state-durability", "persistence.durability"),
            Map.entry("--grpc-host", "grpc.host"),
            Map.entry("--grpc-port", "grpc.port"),
            Map.entry("--grpc-tls-cert", "grpc.tls.cert"),
            Map.entry("--grpc-tls-key", "grpc.tls.key"),
            Map.entry("--http-host", "http.host"),
            Map.entry("--http-port", "http.port"),
            Map.entry("--http-token", "http.token"),
            Map.entry("--http-token-file", "http.token-file"),
            Map.entry("--tracing-enabled", "tracing.enabled"),
            Map.entry("--tracing-endpoint", "tracing.endpoint"),
            Map.entry("--tracing-sample-ratio", "tracing.sample-ratio"),
            Map.entry("--tracing-inject", "tracing.inject"),
            Map.entry("--auto-create-topics", "topics.auto-create"),
            Map.entry("--shutdown-timeout-ms", "shutdown-timeout"));
    private static final Map<String, String> FLAG_UNITS = Map.of("--max-keep-alive", "s",
            "--max-session-expiry", "s", "--sys-interval", "s", "--shutdown-timeout-ms", "ms");

    /** The configuration keys set on the command line, in order: the named flags, then {@code --set}. */
    private List<ConfigLoader.Flag> commandLineValues() {
        List<ConfigLoader.Flag> flags = new ArrayList<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            String key = FLAG_KEYS.get(option.longestName());
            if (key != null) {
                List<String> texts = option.originalStringValues();
                String text = texts.isEmpty() ? "true" : texts.get(texts.size() - 1);
                flags.add(new ConfigLoader.Flag(key, text + FLAG_UNITS.getOrDefault(option.longestName(), ""),
                        option.longestName()));
            }
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--set takes key=value, got \"" + set + "\"");
            }
            flags.add(new ConfigLoader.Flag(set.substring(0, eq).trim(), set.substring(eq + 1), "--set"));
        }
        return flags;
    }

    @Override
    public Integer call() throws Exception {
        EffectiveConfig effective;
        try {
            effective = ConfigLoader.load(configFile, System.getenv(), commandLineValues());
        } catch (ConfigException e) {
            PrintWriter err = spec.commandLine().getErr();
            e.problems().forEach(p -> err.println("ratatoskr: invalid configuration: " + p));
            err.flush();
            return 2;
        }
        if (printConfig) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(effective.toYaml());
            out.flush();
            return 0;
        }
        LogSetup.apply(effective.settings().log());
        effective.warnings().forEach(log::warn);
        long shutdownTimeoutMs = effective.settings().shutdownTimeoutMs();
        RatatoskrServer server;
        try {
            server = RatatoskrServer.start(effective.settings().server());
        } catch (IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
            // A port taken, a data directory locked or unwritable, a TLS certificate that does not load.
            PrintWriter err = spec.commandLine().getErr();
            err.println("ratatoskr: cannot start: " + e.getMessage());
            err.flush();
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
