package io.ratatoskr.bench.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Apache Kafka (KRaft, combined broker and controller) running in this JVM on
 * loopback, for side-by-side runs against the same disk.
 *
 * <p>Thread-safety: start and close from one thread; the producers it makes are thread-safe.
 */
final class KafkaNode implements AutoCloseable {

    private final Path dataDir;
    private final KafkaRaftServer server;
    private final String bootstrap;
    private final Admin admin;

    private KafkaNode(Path dataDir, KafkaRaftServer server, String bootstrap) {
        this.dataDir = dataDir;
        this.server = server;
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(p);
    }

    static KafkaNode start(Path dataDir) throws Exception {
        Files.createDirectories(dataDir);
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDir.resolve("logs").toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        Path config = dataDir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            props.store(out, "ratatoskr log bench");
        }
        ByteArrayOutputStream formatOut = new ByteArrayOutputStream();
        int code =
                StorageTool.execute(
                        new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                        new PrintStream(formatOut, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("kafka storage format failed: " + formatOut);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        server.startup();
        return new KafkaNode(dataDir, server, "127.0.0.1:" + brokerPort);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Creates a one-partition topic; {@code fsyncEachAppend} sets flush.messages=1. */
    void createTopic(String name, boolean fsyncEachAppend) throws Exception {
        NewTopic topic = new NewTopic(name, 1, (short) 1);
        if (fsyncEachAppend) {
            topic.configs(Map.of("flush.messages", "1"));
        }
        admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    }

    void deleteTopic(String name) throws Exception {
        admin.deleteTopics(List.of(name)).all().get(60, TimeUnit.SECONDS);
    }

    /** A producer with acks=all whose batches hold about {@code batchBytes}. */
    KafkaProducer<byte[], byte[]> producer(int batchBytes) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(Math.max(1024, batchBytes)));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L * 1024 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Bytes in the .log segment files of a topic's partition 0. */
    long partitionLogBytes(String topic) throws IOException {
        Path dir = dataDir.resolve("logs").resolve(topic + "-0");
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path p : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    @Override
    public void close() {
        admin.close();
        server.shutdown();
        server.awaitShutdown();
    }
}
