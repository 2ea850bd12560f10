package io.ratatoskr.server.config;

import static io.ratatoskr.server.config.ValueType.bool;
import static io.ratatoskr.server.config.ValueType.countOrNone;
import static io.ratatoskr.server.config.ValueType.decimal;
import static io.ratatoskr.server.config.ValueType.directory;
import static io.ratatoskr.server.config.ValueType.httpUrl;
import static io.ratatoskr.server.config.ValueType.integer;
import static io.ratatoskr.server.config.ValueType.longInteger;
import static io.ratatoskr.server.config.ValueType.millis;
import static io.ratatoskr.server.config.ValueType.oneOf;
import static io.ratatoskr.server.config.ValueType.optionalText;
import static io.ratatoskr.server.config.ValueType.readableFile;
import static io.ratatoskr.server.config.ValueType.secret;
import static io.ratatoskr.server.config.ValueType.seconds;
import static io.ratatoskr.server.config.ValueType.secondsInt;
import static io.ratatoskr.server.config.ValueType.sizeInt;
import static io.ratatoskr.server.config.ValueType.sizeLong;
import static io.ratatoskr.server.config.ValueType.text;

import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.session.OverflowPolicy;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.grpc.GrpcTls;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.CompressionCodec;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.auth.CertificateUsernames;
import io.ratatoskr.server.logging.LogSettings;
import io.ratatoskr.server.tls.TlsFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The table of every configuration key of {@code ratatoskr server}: the one place a setting becomes
 * settable from the YAML file, the environment ({@code RATATOSKR_<KEY>}) and {@code --set key=value}.
 *
 * <h2>Adding a key</h2>
 * <ol>
 *   <li>Give the setting a field, with its default and validation, in its config record (for example
 *       {@code HttpConfig}), reachable from {@link ServerSettings}.</li>
 *   <li>Add one line to {@link #ALL}, next to the keys of its section (keys of a section stay
 *       together):
 *       <pre>{@code
 * key("http.max-request-size", sizeInt(1024, Integer.MAX_VALUE), "server.http.maxRequestBytes",
 *         "Largest request body the admin API accepts (larger: 413)."),
 *       }</pre>
 *       The third argument is the path of record components from {@link ServerSettings}; the
 *       {@link ValueType} must hold exactly the component's type (checked when this class loads). The
 *       default is read from the records' {@code DEFAULTS}. A setting that does not map one to one
 *       onto a component uses {@link #custom} with a getter and a setter instead.</li>
 *   <li>Add its row to {@code docs/configuration.md} (and the commented line to
 *       {@code ratatoskr.example.yaml}): {@code ConfigDocsTest} fails until they match the table, and
 *       prints the row to paste.</li>
 * </ol>
 * No flag is needed: {@code --set key=value} reaches every key. A check that spans keys goes in
 * {@link #crossCheck}.
 *
 * <p>Thread-safety: immutable after class initialisation.
 */
public final class ConfigKeys {
    private static final String S = "server.";
    private static final String T = S + "transports.";
    private static final String TOPIC_DEFAULTS = S + "topics.autoCreateConfig.";

    /** Every key, sections together, in the order of the documentation and of {@code --print-config}. */
    public static final List<ConfigKey<?>> ALL = List.of(
            key("data-dir", directory(), S + "dataDir",
                    "Data directory: retained messages, sessions, durable topics, consumer groups. One broker "
                            + "per directory."),
            key("shutdown-timeout", millis(1, 3_600_000, false), "shutdownTimeoutMs",
                    "On SIGTERM/SIGINT, how long the node may take to stop cleanly (clients told, appends "
                            + "completed, logs closed) before it halts with exit code 1."),

            key("log.format", oneOf(LogSettings.Format.class), "log.format",
                    "Log lines on stdout: text (one line per event, with key=\"value\" pairs) or json (one "
                            + "JSON object per line)."),
            key("log.level", oneOf(LogSettings.Level.class), "log.level", "Least severe level logged."),

            key("mqtt.host", text(), S + "mqtt.host",
                    "Address the MQTT listener binds; 0.0.0.0 accepts remote clients."),
            key("mqtt.port", integer(0, 65_535), S + "mqtt.port", "MQTT TCP port; 0 picks a free one."),
            key("mqtt.max-connections", integer(1, Integer.MAX_VALUE), S + "mqtt.maxConnections",
                    "Open MQTT connections at most; a CONNECT beyond it is refused."),
            key("mqtt.max-packet-size", sizeInt(64, MqttConfig.PROTOCOL_MAX_PACKET_SIZE), S + "mqtt.maxPacketSize",
                    "Largest MQTT packet accepted (told to MQTT 5 clients in CONNACK)."),
            key("mqtt.receive-maximum", integer(1, 65_535), S + "mqtt.receiveMaximum",
                    "Unacknowledged inbound QoS 1/2 messages per client."),
            key("mqtt.topic-alias-maximum", integer(0, 65_535), S + "mqtt.topicAliasMaximum",
                    "Inbound topic aliases per MQTT 5 connection; 0 disables them."),
            key("mqtt.max-keep-alive", secondsInt(1, 65_535), S + "mqtt.maxKeepAliveSeconds",
                    "Longest keep-alive accepted: lowered for MQTT 5 (Server Keep Alive), refused for 3.1.1."),
            key("mqtt.allow-zero-keep-alive", bool(), S + "mqtt.allowZeroKeepAlive",
                    "Whether a client may turn keep-alive off; if not, it gets mqtt.max-keep-alive."),
            key("mqtt.connect-timeout", secondsInt(1, 3600), S + "mqtt.connectTimeoutSeconds",
                    "A connection that has not completed CONNECT by then is closed."),
            key("mqtt.max-client-id-length", integer(23, 65_535), S + "mqtt.maxClientIdLength",
                    "Longest client identifier accepted, in characters."),
            key("mqtt.io-threads", integer(0, 1024), S + "mqtt.ioThreads",
                    "Network event-loop threads; 0: one per available processor."),
            key("mqtt.write-buffer-low", sizeInt(1024, Integer.MAX_VALUE), S + "mqtt.writeBufferLowBytes",
                    "Below this many buffered outbound bytes a connection takes messages again."),
            key("mqtt.write-buffer-high", sizeInt(1024, Integer.MAX_VALUE), S + "mqtt.writeBufferHighBytes",
                    "Above this many buffered outbound bytes a connection stops taking messages (a slow "
                            + "subscriber's messages queue in its session)."),
            // Quotas (docs/security.md, "Limits and quotas").
            key("mqtt.max-connections-per-address", integer(1, Integer.MAX_VALUE),
                    S + "mqtt.limits.maxConnectionsPerAddress",
                    "Open MQTT connections from one IP address (IPv6: one /64; loopback included) at most; a "
                            + "CONNECT beyond it is refused with Quota exceeded (3.1.1: server unavailable)."),
            key("mqtt.max-publish-rate", integer(0, Integer.MAX_VALUE), S + "mqtt.limits.maxPublishRate",
                    "PUBLISH packets per second one connection may send; beyond it the connection is not read "
                            + "until its budget refills (nothing dropped). 0: unlimited."),
            key("mqtt.max-publish-bytes-rate", sizeLong(0, Long.MAX_VALUE, false),
                    S + "mqtt.limits.maxPublishBytesRate",
                    "Payload bytes per second one connection may publish, enforced like mqtt.max-publish-rate. "
                            + "0: unlimited."),
            key("mqtt.max-subscriptions-per-client", integer(0, Integer.MAX_VALUE),
                    S + "mqtt.limits.maxSubscriptionsPerClient",
                    "Topic filters one session may hold; further ones get SUBACK Quota exceeded (3.1.1: 0x80). "
                            + "0: unlimited."),
            key("mqtt.max-pending-connections-per-address", integer(1, Integer.MAX_VALUE),
                    S + "mqtt.limits.maxPendingConnectionsPerAddress",
                    "Sockets from one source (IPv6: one /64) accepted but without a completed CONNECT at most; "
                            + "one beyond it is closed at once."),
            key("mqtt.max-pending-connections", integer(1, Integer.MAX_VALUE),
                    S + "mqtt.limits.maxPendingConnections",
                    "Sockets without a completed CONNECT from all sources together at most; one beyond it is "
                            + "closed at once."),

            key("mqtt.tls.port", integer(-1, 65_535), T + "mqttTlsPort",
                    "Port of MQTT over TLS, used when mqtt.tls.cert is set; 0 picks a free one; -1: none."),
            key("mqtt.tls.cert", readableFile(), T + "mqttTlsCert", "PEM certificate chain (leaf first) of "
                    + "MQTT over TLS and secure WebSocket, with mqtt.tls.key; none: no TLS listener. Reloaded "
                    + "when it changes."),
            key("mqtt.tls.key", readableFile(), T + "mqttTlsKey", "PEM (PKCS#8) private key of mqtt.tls.cert."),
            key("mqtt.tls.client-auth", oneOf(TlsFiles.ClientAuthMode.class), T + "mqttTlsClientAuth",
                    "Client certificates (mTLS) on the MQTT TLS listeners: none, optional (checked when sent) "
                            + "or required; needs mqtt.tls.client-ca."),
            key("mqtt.tls.client-ca", readableFile(), T + "mqttTlsClientCa",
                    "PEM CA certificates a client certificate must chain to."),

            key("mqtt.websocket.port", integer(-1, 65_535), T + "websocketPort",
                    "Port of MQTT over WebSocket (ws://host:port/mqtt); 0 picks a free one; -1: none."),
            key("mqtt.websocket.path", text(), T + "websocketPath",
                    "HTTP path of the WebSocket upgrade, for ws and wss."),
            key("mqtt.websocket.allowed-origins", optionalText(), T + "websocketAllowedOrigins",
                    "Browser origins (Origin header) the ws and wss listeners accept, comma-separated "
                            + "(https://app.example.com), or * for any; others get 403. Requests without Origin "
                            + "(non-browser clients) are always accepted. none: pages of the broker's own host "
                            + "name only."),

            key("mqtt.wss.port", integer(-1, 65_535), T + "wssPort", "Port of MQTT over secure WebSocket "
                    + "(wss://host:port/mqtt, the mqtt.tls.cert certificate); 0 picks a free one; -1: none."),

            key("broker.max-topic-levels", integer(1, 32_768), S + "broker.maxTopicLevels",
                    "Levels in a topic name or filter, at most."),
            key("broker.max-topic-length", integer(1, 65_535), S + "broker.maxTopicLength",
                    "UTF-8 bytes in a topic name or filter, at most (PUBLISH: Topic Name invalid and "
                            + "disconnect; SUBSCRIBE: Topic Filter invalid)."),
            key("broker.max-retained-messages", integer(0, Integer.MAX_VALUE), S + "broker.maxRetainedMessages",
                    "Retained messages at most; a client's retained publish to a topic without one is refused "
                            + "beyond it (MQTT 5: 0x97). 0: unlimited."),
            key("broker.max-retained-bytes", sizeLong(0, Long.MAX_VALUE, false), S + "broker.maxRetainedBytes",
                    "Payload bytes of retained messages at most, enforced the same way. 0: unlimited."),
            key("broker.sys-interval", seconds(0, 86_400), S + "broker.sysIntervalSeconds",
                    "How often $SYS/broker/... statistics are published; 0s: never."),

            key("limits.memory-high-watermark", decimal(0, 0.99), S + "broker.memoryHighWatermark",
                    "Fraction of the maximum heap, in use after garbage collection, above which client publishes "
                            + "are refused (MQTT 5: 0x97, gRPC: RESOURCE_EXHAUSTED) until it drops below 90% of "
                            + "it. 0: off."),

            key("sessions.max-queued-messages", integer(1, Integer.MAX_VALUE),
                    S + "broker.session.maxQueuedMessages",
                    "Messages a session holds beyond its in-flight window (offline, or waiting for the "
                            + "client's receive maximum)."),
            key("sessions.overflow-policy", oneOf(OverflowPolicy.class), S + "broker.session.overflowPolicy",
                    "When a session queue is full: drop the oldest queued message or refuse the new one "
                            + "(counted either way)."),
            key("sessions.slow-subscriber-timeout", millis(1, 3_600_000, false),
                    S + "broker.session.slowSubscriberTimeoutMs",
                    "How long a connected client may take no message and acknowledge none and still hold its "
                            + "publishers back (they stop being read) instead of losing QoS 1/2 messages; after "
                            + "it the overflow policy applies and they go on."),
            key("sessions.max-inflight", integer(1, 65_535), S + "broker.session.maxInflight",
                    "Unacknowledged outbound QoS 1/2 messages per session."),
            key("sessions.max-expiry", seconds(0, SessionConfig.NEVER_EXPIRES),
                    S + "broker.session.maxSessionExpirySeconds",
                    "Longest a disconnected session is kept; 3.1.1 persistent sessions use it."),
            key("sessions.queue-qos0-when-offline", bool(), S + "broker.session.queueQos0WhenOffline",
                    "Whether QoS 0 messages are queued for a disconnected session."),

            key("persistence.sessions", bool(), S + "persistence.sessions",
                    "Keep persistent sessions (subscriptions, queued and in-flight QoS 1/2 messages, wills) "
                            + "across restarts (in the sessions directory of data-dir); false keeps them in memory "
                            + "only."),
            key("persistence.durability", oneOf(DurabilityMode.class), S + "persistence.durability",
                    "When a write of a retained message or of session state counts as done (and its publisher "
                            + "is acknowledged): fsync, group (fsync shared by concurrent writes) or async."),
            key("persistence.group-commit-max-delay", millis(0, 1000, false),
                    S + "persistence.groupCommitMaxDelayMs",
                    "group durability: the longest a write waits for others to share its fsync."),

            key("topics.auto-create", bool(), S + "topics.autoCreate",
                    "Create a missing durable topic when a message is published to it by name (gRPC, "
                            + "dead-letter replay) instead of refusing it. MQTT never creates durable topics."),
            key("topics.max-topics", integer(1, Integer.MAX_VALUE), S + "topics.maxTopics",
                    "Durable topics at most."),
            key("topics.max-partitions", integer(1, Integer.MAX_VALUE), S + "topics.maxPartitions",
                    "Partitions at most, over every topic (each partition log owns two threads and open files)."),
            key("topics.dedupe-max-keys", integer(0, Integer.MAX_VALUE), S + "topics.dedupeMaxKeys",
                    "Idempotency keys remembered at most, over every topic; 0 turns deduplication off."),
            key("topics.failed-partition-retry", millis(0, Long.MAX_VALUE, false),
                    S + "topics.failedPartitionRetryMs",
                    "How often a partition that refuses writes after an I/O error (a full disk) tries again; "
                            + "0s: only when asked."),
            key("topics.storage.segment-size", sizeInt(1024, Integer.MAX_VALUE), S + "topics.log.segmentBytesMax",
                    "Partition log segments roll before they would pass this size."),
            key("topics.storage.segment-max-age", millis(1, Long.MAX_VALUE, false),
                    S + "topics.log.segmentAgeMsMax",
                    "A non-empty segment whose first message is older than this rolls on the next append."),
            key("topics.storage.preallocate", sizeInt(0, 64 << 20), S + "topics.log.preallocateBytes",
                    "Zeros written ahead of the data of a partition's active segment (as far ahead as it holds, from "
                            + "64KiB up to this), so an fsync'd append writes the data alone, not the file's size "
                            + "as well; 0: the file grows with each write. Counts in the disk used."),
            key("topics.storage.compression", oneOf(CompressionCodec.class), S + "topics.log.compression",
                    "Compression of new record batches in partition logs."),
            key("topics.storage.retention-check-interval", millis(1, Long.MAX_VALUE, false),
                    S + "topics.log.retentionCheckIntervalMs", "How often retention runs on every partition."),
            key("topics.storage.cleaner-interval", millis(1, Long.MAX_VALUE, false),
                    S + "topics.log.cleanerIntervalMs", "How often compaction runs on compacted topics."),
            key("topics.auto-create-defaults.partitions", integer(1, TopicConfig.MAX_PARTITIONS),
                    TOPIC_DEFAULTS + "partitions", "Partitions of an auto-created topic."),
            key("topics.auto-create-defaults.retention-max-age", millis(1, Long.MAX_VALUE, true),
                    TOPIC_DEFAULTS + "retentionMaxAgeMs", "Auto-created topics: delete older messages."),
            key("topics.auto-create-defaults.retention-max-size", sizeLong(1, Long.MAX_VALUE, true),
                    TOPIC_DEFAULTS + "retentionMaxBytes", "Auto-created topics: keep about this much per partition."),
            key("topics.auto-create-defaults.retention-max-messages", countOrNone(1),
                    TOPIC_DEFAULTS + "retentionMaxMessages",
                    "Auto-created topics: keep about this many messages per partition."),
            key("topics.auto-create-defaults.cleanup-policy", oneOf(CleanupPolicy.class),
                    TOPIC_DEFAULTS + "cleanupPolicy",
                    "Auto-created topics: delete old segments, compact by message key, or both."),
            key("topics.auto-create-defaults.message-ttl", millis(1, Long.MAX_VALUE, true),
                    TOPIC_DEFAULTS + "defaultTtlMs", "Auto-created topics: older messages are not delivered."),
            key("topics.auto-create-defaults.max-message-size", sizeInt(1, 64 * 1024 * 1024),
                    TOPIC_DEFAULTS + "maxMessageBytes", "Auto-created topics: largest payload accepted."),
            key("topics.auto-create-defaults.durability", oneOf(DurabilityMode.class), TOPIC_DEFAULTS + "durability",
                    "Auto-created topics: when a publish is acknowledged (fsync, group or async)."),
            key("topics.auto-create-defaults.group-commit-max-delay", millis(0, 1000, false),
                    TOPIC_DEFAULTS + "groupCommitMaxDelayMs",
                    "Auto-created topics, group durability: how long a group commit may wait for appends."),
            key("topics.auto-create-defaults.dedupe-window", millis(0, Long.MAX_VALUE, false),
                    TOPIC_DEFAULTS + "dedupeWindowMs",
                    "Auto-created topics: how long an idempotency key is remembered; 0s: no deduplication."),

            listenerPort("grpc.port", S + "grpc", "gRPC API"),
            key("grpc.host", text(), S + "grpc.host", "Address the gRPC API binds."),
            key("grpc.max-message-size", sizeInt(1024, Integer.MAX_VALUE), S + "grpc.maxInboundMessageBytes",
                    "Largest request message accepted (larger: RESOURCE_EXHAUSTED); leave room above the "
                            + "largest topic's max message size."),
            key("grpc.max-concurrent-calls-per-connection", integer(1, Integer.MAX_VALUE),
                    S + "grpc.maxConcurrentCallsPerConnection", "Calls (streams) one connection may have open."),
            key("grpc.keep-alive-time", millis(1, Long.MAX_VALUE, false), S + "grpc.keepAliveTimeMs",
                    "Ping an idle connection after this long."),
            key("grpc.keep-alive-timeout", millis(1, Long.MAX_VALUE, false), S + "grpc.keepAliveTimeoutMs",
                    "Close a connection whose ping is not answered within this."),
            key("grpc.permit-keep-alive-time", millis(0, Long.MAX_VALUE, false), S + "grpc.permitKeepAliveTimeMs",
                    "The most often a client may ping (more often: GOAWAY)."),
            key("grpc.max-connection-idle", millis(0, Long.MAX_VALUE, false), S + "grpc.maxConnectionIdleMs",
                    "Close a connection without calls for this long; 0s: never."),
            machineDependent(key("grpc.worker-threads", integer(1, 4096), S + "grpc.workerThreads",
                    "Threads that run gRPC calls (they may wait on the disk)."), "available processors, at least 2"),
            key("grpc.tls.cert", readableFile(), S + "grpc.tls.certChainPem",
                    "PEM certificate chain (leaf first) for gRPC over TLS, with grpc.tls.key; none: plaintext."),
            key("grpc.tls.key", readableFile(), S + "grpc.tls.privateKeyPem",
                    "PEM (PKCS#8) private key of grpc.tls.cert."),
            // Custom: "none" must not bring grpc.tls into being (it is null, TLS off, by default).
            custom("grpc.tls.client-auth", oneOf(GrpcTls.ClientAuth.class),
                    "Client certificates (mTLS) on the gRPC listener: none, optional (checked when sent) or "
                            + "required; needs grpc.tls.client-ca. A verified certificate can log the caller in "
                            + "(auth.mtls.username-from).",
                    s -> (GrpcTls.ClientAuth) RecordDraft.read(s, S + "grpc.tls.clientAuth"),
                    (d, mode) -> d.set(S + "grpc.tls.clientAuth", mode == GrpcTls.ClientAuth.NONE ? null : mode)),
            key("grpc.tls.client-ca", readableFile(), S + "grpc.tls.clientCa",
                    "PEM CA certificates a gRPC client certificate must chain to."),

            listenerPort("http.port", S + "http", "admin API"),
            key("http.host", text(), S + "http.host", "Address the admin API binds."),
            key("http.max-request-size", sizeInt(1024, Integer.MAX_VALUE), S + "http.maxRequestBytes",
                    "Largest request body the admin API accepts (larger: 413)."),
            key("http.worker-threads", integer(1, 1024), S + "http.workerThreads",
                    "Threads that run admin API calls (they may touch the disk)."),
            key("http.max-queued-requests", integer(1, Integer.MAX_VALUE), S + "http.maxQueuedRequests",
                    "Admin API calls waiting for a worker; more are refused with 503."),
            key("http.token", secret(), S + "http.bearerToken", "Bearer token every admin API call but /health, "
                    + "/ready and the dashboard's files must carry (else 401); none: no authentication. Prefer "
                    + "http.token-file: a value here shows in the file, the environment or the process list."),
            custom("http.token-file", readableFile(), "File holding the admin API's bearer token (surrounding "
                    + "white space trimmed); none: http.token decides.", s -> null,
                    (d, file) -> {
                        if (file != null) {
                            d.set(S + "http.bearerToken", readToken(file));
                        }
                    }),
            key("http.tls.cert", readableFile(), T + "httpTlsCert", "PEM certificate chain (leaf first) for "
                    + "HTTPS on the admin API, with http.tls.key; none: plain HTTP. Reloaded when it changes."),
            key("http.tls.key", readableFile(), T + "httpTlsKey", "PEM (PKCS#8) private key of http.tls.cert."),
            key("http.tls.client-auth", oneOf(TlsFiles.ClientAuthMode.class), T + "httpTlsClientAuth",
                    "Client certificates (mTLS) on the admin API's HTTPS listener: none, optional (checked when "
                            + "sent; without one, token, Basic or JWT) or required; needs http.tls.cert and "
                            + "http.tls.client-ca. A verified certificate logs the caller in (auth.mtls.username-from)."),
            key("http.tls.client-ca", readableFile(), T + "httpTlsClientCa",
                    "PEM CA certificates an admin API client certificate must chain to. Reloaded when it changes."),

            key("tls.reload-interval", millis(100, 86_400_000, false), T + "reloadIntervalMs",
                    "How often the certificate files of mqtt.tls.*, http.tls.* and grpc.tls.* are checked for "
                            + "changes."),

            key("auth.anonymous", bool(), S + "auth.anonymous", "Let clients without credentials in (as anonymous); "
                    + "wrong credentials are refused either way. Leave on only for a listener on loopback."),
            key("auth.password-file", readableFile(), S + "auth.passwordFile", "Password file (ratatoskr user add) "
                    + "for MQTT user name/password and gRPC Basic logins, re-read when it changes; none: no "
                    + "password logins."),
            key("auth.pbkdf2-iterations", integer(1, 10_000_000), S + "auth.pbkdf2Iterations",
                    "PBKDF2-HMAC-SHA256 iterations of the hashes ratatoskr user add writes."),
            key("auth.max-failures-per-minute", integer(1, 1_000_000), S + "auth.maxFailuresPerMinute",
                    "Failed logins per source address per minute; beyond, its logins are refused unchecked "
                            + "for a minute (MQTT 0x9F/0x03, gRPC RESOURCE_EXHAUSTED)."),
            key("auth.threads", integer(1, 256), S + "auth.threads",
                    "Threads that check password hashes and token signatures."),
            key("auth.reload-interval", millis(100, 3_600_000, false), S + "auth.reloadIntervalMs",
                    "How often the password and JWKS files are checked for changes."),
            key("auth.scram-sha-256", bool(), S + "auth.scramSha256", "Let MQTT 5 clients log in with "
                    + "SCRAM-SHA-256 (enhanced authentication) over the password file. Off by default: for SCRAM "
                    + "the file's hashes are password-equivalent (docs/security.md#scram-sha-256)."),
            key("auth.jwt.hs256-secret-file", readableFile(), S + "auth.jwtHs256SecretFile", "File holding the "
                    + "HS256 secret (at least 32 bytes, surrounding white space trimmed); none: no HS256 tokens."),
            key("auth.jwt.jwks-file", readableFile(), S + "auth.jwtJwksFile", "JWKS file with the public keys of "
                    + "RS256/ES256 tokens, re-read when it changes; none: no RS256/ES256 tokens."),
            key("auth.jwt.issuer", optionalText(), S + "auth.jwtIssuer", "Required iss claim; none: not checked."),
            key("auth.jwt.audience", optionalText(), S + "auth.jwtAudience",
                    "Required entry of the aud claim; none: not checked."),
            key("auth.jwt.username-claim", text(), S + "auth.jwtUsernameClaim", "Claim holding the user name."),
            key("auth.jwt.groups-claim", text(), S + "auth.jwtGroupsClaim",
                    "Claim holding the ACL groups: an array, or a space-separated string."),
            key("auth.jwt.clock-skew", millis(0, 3_600_000, false), S + "auth.jwtClockSkewMs",
                    "Tolerance on the exp and nbf claims."),
            key("auth.jwt.require-expiry", bool(), S + "auth.jwtRequireExpiry",
                    "Refuse tokens without an exp claim (a token that never expires cannot be taken back)."),
            key("auth.mtls.username-from", oneOf(CertificateUsernames.Source.class), S + "auth.mtlsUsernameFrom",
                    "User name of a verified client certificate: subject CN, or the first SAN e-mail, DNS name "
                            + "or URI."),

            key("tracing.enabled", bool(), S + "tracing.enabled",
                    "Export OpenTelemetry spans of publish, store and deliver over OTLP/HTTP (docs/tracing.md)."),
            key("tracing.endpoint", httpUrl(), S + "tracing.endpoint",
                    "OTLP/HTTP (protobuf) traces URL of a collector."),
            key("tracing.sample-ratio", decimal(0, 1), S + "tracing.sampleRatio", "Share of the traces the broker "
                    + "starts itself that are recorded; a publisher's traceparent decides for its own messages."),
            key("tracing.inject", bool(), S + "tracing.inject", "Add a traceparent user property (gRPC: metadata "
                    + "entry) to messages whose publisher sent none, so that subscribers continue the trace."),
            key("tracing.service-name", text(), S + "tracing.serviceName",
                    "The service.name resource attribute of the spans."),
            // At most an hour: the exporter holds these in nanoseconds (a few centuries would overflow).
            key("tracing.export-timeout", millis(1, 3_600_000, false), S + "tracing.exportTimeoutMs",
                    "How long one export may take before it is given up."),
            key("tracing.schedule-delay", millis(1, 3_600_000, false), S + "tracing.scheduleDelayMs",
                    "The longest a finished span waits before its batch is exported."),
            key("tracing.max-queue-size", integer(1, Integer.MAX_VALUE), S + "tracing.maxQueueSize",
                    "Finished spans waiting for export at most; more are dropped, never blocking the broker."),
            key("tracing.max-export-batch-size", integer(1, Integer.MAX_VALUE), S + "tracing.maxExportBatchSize",
                    "Spans in one export at most (at most tracing.max-queue-size)."),

            key("acl.file", readableFile(), S + "acl.file", "ACL rules file (docs/security.md#authorization; "
                    + "example: acl.example.conf); none: ACLs off, every client may do everything."),
            key("acl.reload-interval", millis(100, Long.MAX_VALUE, false), S + "acl.reloadIntervalMs",
                    "How often the ACL file is checked for changes (modification time, size) and reloaded."));

    private static final Map<String, ConfigKey<?>> BY_NAME = index();

    private ConfigKeys() {}

    /** The key named {@code name}, if there is one. */
    public static Optional<ConfigKey<?>> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /**
     * Checks that span keys, on the resolved values; each problem starts with the key it is reported on
     * and a colon. A key whose value did not parse is missing from {@code values}: checks that involve it
     * are skipped.
     */
    static List<String> crossCheck(Map<String, Object> values) {
        List<String> problems = new ArrayList<>();
        boolean cert = values.get("grpc.tls.cert") != null;
        boolean key = values.get("grpc.tls.key") != null;
        if (cert != key && values.containsKey("grpc.tls.cert") && values.containsKey("grpc.tls.key")) {
            problems.add((cert ? "grpc.tls.cert" : "grpc.tls.key") + ": set without " + (cert ? "grpc.tls.key"
                    : "grpc.tls.cert") + "; TLS needs both the certificate and its key");
        }
        if (values.get("http.token") != null && values.get("http.token-file") != null) {
            problems.add("http.token: set together with http.token-file; give one of them");
        }
        return problems;
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the admin API token file " + file, e);
        }
    }

    /** A key that sets the record component at {@code path} (from {@link ServerSettings}). */
    static <T> ConfigKey<T> key(String name, ValueType<T> type, String path, String description) {
        Class<?> declared = RecordDraft.typeAt(ServerSettings.class, path);
        if (box(declared) != type.javaType()) {
            throw new IllegalStateException(name + ": " + path + " is a " + declared.getSimpleName() + ", its type "
                    + type + " gives " + type.javaType().getSimpleName());
        }
        return new ConfigKey<>(name, type, description, s -> type.javaType().cast(RecordDraft.read(s, path)),
                (draft, value) -> draft.set(path, value), null);
    }

    /** A key with its own getter and setter, for a setting that is not one record component. */
    static <T> ConfigKey<T> custom(String name, ValueType<T> type, String description,
                                   Function<ServerSettings, T> getter, BiConsumer<RecordDraft, T> setter) {
        return new ConfigKey<>(name, type, description, getter, setter, null);
    }

    /** The same key, documented with a rule instead of a value because its default depends on the machine. */
    static <T> ConfigKey<T> machineDependent(ConfigKey<T> k, String rule) {
        return new ConfigKey<>(k.name(), k.type(), k.description(), k::get, k::apply, rule);
    }

    /** The port of the optional listener whose config record is at {@code recordPath}; -1 turns it off. */
    private static ConfigKey<Integer> listenerPort(String name, String recordPath, String listener) {
        return custom(name, integer(-1, 65_535), "Port of the " + listener + "; 0 picks a free one; -1: no "
                        + listener + ".",
                s -> RecordDraft.read(s, recordPath + ".port") instanceof Integer port ? port : -1,
                (d, v) -> {
                    if (v < 0) {
                        d.disable(recordPath);
                    } else {
                        d.set(recordPath + ".port", v);
                    }
                });
    }

    private static Class<?> box(Class<?> c) {
        if (c == int.class) {
            return Integer.class;
        }
        if (c == long.class) {
            return Long.class;
        }
        if (c == double.class) {
            return Double.class;
        }
        return c == boolean.class ? Boolean.class : c;
    }

    private static Map<String, ConfigKey<?>> index() {
        Map<String, ConfigKey<?>> byName = new LinkedHashMap<>();
        Map<String, String> byEnv = new LinkedHashMap<>();
        List<String> sectionsSeen = new ArrayList<>();
        String lastSection = "";
        for (ConfigKey<?> k : ALL) {
            if (byName.put(k.name(), k) != null) {
                throw new IllegalStateException("key " + k + " is declared twice");
            }
            String other = byEnv.put(k.envName(), k.name());
            if (other != null) {
                throw new IllegalStateException("keys " + other + " and " + k + " have one environment variable");
            }
            String section = k.name().contains(".") ? k.name().substring(0, k.name().lastIndexOf('.')) : "";
            if (!section.equals(lastSection)) {
                if (sectionsSeen.contains(section)) {
                    throw new IllegalStateException("the keys of section " + section + " are not together (" + k + ")");
                }
                sectionsSeen.add(section);
                lastSection = section;
            }
        }
        for (String section : sectionsSeen) {
            if (byName.containsKey(section)) {
                throw new IllegalStateException(section + " is both a key and a section");
            }
        }
        return byName;
    }
}
