package io.ratatoskr.bench.kafka;

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
 * loopback, for side-by-side runs against the same disk: inside a benchmark ({@code LogBench},
 * {@link KafkaLoad} with {@code --kafka-dir}), or on its own as a broker process ({@link #main}).
 *
 * <p>Settings are Kafka's defaults but for what one node on loopback needs (listeners, replication factor 1
 * for its internal topics, no initial rebalance delay, no automatic topic creation, 16 MiB messages). Kafka
 * does not fsync per message by default: topics created with {@code fsyncEachAppend} get
 * {@code flush.messages=1} (the topic-level {@code log.flush.interval.messages}).
 *
 * <p>Thread-safety: start and close from one thread; the producers it makes are thread-safe.
 */
public final class KafkaNode implements AutoCloseable {

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

    /**
     * Runs a node as a process of its own until it is killed: {@code KafkaNode --dir DIR [--port-file FILE]}.
     * Prints, and writes to the port file once the node is up, {@code 127.0.0.1:<port>}.
     */
    public static void main(String[] args) throws Exception {
        Path dir = null;
        Path portFile = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--port-file" -> portFile = Path.of(args[i + 1]);
                default -> {
                    System.err.println("usage: KafkaNode --dir DIR [--port-file FILE]");
                    System.exit(2);
                }
            }
        }
        if (dir == null || args.length % 2 != 0) {
            System.err.println("usage: KafkaNode --dir DIR [--port-file FILE]");
            System.exit(2);
        }
        KafkaNode node = start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "kafka-node-shutdown"));
        System.out.println(node.bootstrap());
        System.out.flush();
        if (portFile != null) {
            Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
            Files.writeString(tmp, node.bootstrap() + "\n");
            Files.move(tmp, portFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        node.server.awaitShutdown();
    }

    /** Formats {@code dataDir} and starts a node there on free loopback ports. */
    public static KafkaNode start(Path dataDir) throws Exception {
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

    /** {@code host:port} of the broker listener, for clients' {@code bootstrap.servers}. */
    public String bootstrap() {
        return bootstrap;
    }

    /** Creates a one-partition topic; {@code fsyncEachAppend} sets flush.messages=1. */
    public void createTopic(String name, boolean fsyncEachAppend) throws Exception {
        createTopic(name, 1, fsyncEachAppend);
    }

    /** Creates a topic; {@code fsyncEachAppend} sets flush.messages=1. */
    public void createTopic(String name, int partitions, boolean fsyncEachAppend) throws Exception {
        NewTopic topic = new NewTopic(name, partitions, (short) 1);
        if (fsyncEachAppend) {
            topic.configs(Map.of("flush.messages", "1"));
        }
        admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    }

    public void deleteTopic(String name) throws Exception {
        admin.deleteTopics(List.of(name)).all().get(60, TimeUnit.SECONDS);
    }

    /** A producer with acks=all whose batches hold about {@code batchBytes}. */
    public KafkaProducer<byte[], byte[]> producer(int batchBytes) {
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
    public long partitionLogBytes(String topic) throws IOException {
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
