package io.ratatoskr.bench.hivemq;

import com.hivemq.embedded.EmbeddedHiveMQ;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ Community Edition, embedded, as the Java peer of the MQTT comparison ({@code bench/compare-mqtt.sh}):
 * starts one broker on a loopback port with a configuration written to {@code <data-dir>/conf/config.xml},
 * prints {@code hivemq-peer: listening on <host>:<port>} once it accepts connections, and runs until the
 * process is stopped (SIGTERM stops the broker cleanly).
 *
 * <p>The configuration is meant to be fair against Ratatoskr's defaults, the way the Mosquitto one is:
 * <ul>
 *   <li>persistence {@code in-memory} (nothing on disk, like Mosquitto's {@code persistence false});</li>
 *   <li>{@code --max-queued-messages} (1,000) per client, the oldest dropped beyond it (Ratatoskr's default
 *       overflow policy);</li>
 *   <li>server Receive Maximum {@code --receive-maximum} (Ratatoskr's 1,024) and largest packet
 *       {@code --max-packet-size} (Ratatoskr's 1 MiB);</li>
 *   <li>no extensions, so anonymous clients are allowed (HiveMQ CE's default without a security extension);
 *       anonymous usage statistics off (no outbound traffic during a run).</li>
 * </ul>
 * HiveMQ has no setting for its outbound in-flight window towards MQTT 3.1.1 clients; it uses its built-in one.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -jar bench-hivemq/target/hivemq-peer.jar --port 21883 --data-dir /tmp/h
 * </pre>
 *
 * <p>Thread-safety: the main thread starts the broker and waits; the shutdown hook stops it. Nothing else is
 * shared.
 */
public final class HiveMqPeer {

    /** What the peer runs with; {@link #parse} reads it from the command line. */
    record Options(String host, int port, Path dataDir, int maxQueuedMessages, int receiveMaximum,
                   int maxPacketSize) {
        Options {
            if (port < 1 || port > 65_535 || dataDir == null || maxQueuedMessages < 1 || receiveMaximum < 1
                    || receiveMaximum > 65_535 || maxPacketSize < 1) {
                throw new IllegalArgumentException("--port 1..65535, --data-dir, positive limits and --receive-maximum"
                        + " up to 65535 are required");
            }
        }

        static Options parse(String[] args) {
            String host = "127.0.0.1";
            int port = 0;
            Path dataDir = null;
            int queued = 1000;
            int receiveMaximum = 1024;
            int maxPacket = 1024 * 1024;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                String value = args[++i];
                switch (name) {
                    case "--host" -> host = value;
                    case "--port" -> port = Integer.parseInt(value);
                    case "--data-dir" -> dataDir = Path.of(value);
                    case "--max-queued-messages" -> queued = Integer.parseInt(value);
                    case "--receive-maximum" -> receiveMaximum = Integer.parseInt(value);
                    case "--max-packet-size" -> maxPacket = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return new Options(host, port, dataDir, queued, receiveMaximum, maxPacket);
        }
    }

    private HiveMqPeer() {
    }

    /** The HiveMQ {@code config.xml} for these options (format: HiveMQ CE's {@code config.xsd}). */
    static String configXml(Options o) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard-oldest</strategy>
                        </queued-messages>
                        <receive-maximum>
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                    </mqtt>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(o.port(), o.host(), o.maxQueuedMessages(), o.receiveMaximum(), o.maxPacketSize());
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("hivemq-peer: " + e.getMessage());
            System.err.println("usage: hivemq-peer --port N --data-dir DIR [--host 127.0.0.1] [--max-queued-messages"
                    + " 1000] [--receive-maximum 1024] [--max-packet-size 1048576]");
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    static void run(Options options, PrintStream out) throws Exception {
        EmbeddedHiveMQ hivemq = start(options, out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                hivemq.stop().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("hivemq-peer: stop failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "hivemq-peer-stop"));
        stopped.await();
    }

    /** Writes the configuration, starts HiveMQ and prints the "listening" line once it accepts connections. */
    static EmbeddedHiveMQ start(Options options, PrintStream out) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String d : List.of("conf", "data", "extensions")) {
            dirs.add(Files.createDirectories(options.dataDir().resolve(d)));
        }
        writeAtomically(dirs.get(0).resolve("config.xml"), configXml(options));
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(dirs.get(0))
                .withDataFolder(dirs.get(1))
                .withExtensionsFolder(dirs.get(2))
                .build();
        hivemq.start().join();
        out.printf("hivemq-peer: listening on %s:%d%n", options.host(), options.port());
        out.flush();
        return hivemq;
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
