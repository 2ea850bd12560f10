package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.testkit.ChildJvm;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real broker process — the {@code ratatoskr server} command in a child JVM, MQTT on a free port,
 * no admin API, no {@code $SYS} — for crash tests: start it, learn its port, kill it with SIGKILL.
 *
 * <p>Thread-safety: used from the test's thread; the child's output is drained on a thread of its own.
 */
final class ChildServer implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("MQTT on [^ ]+:(\\d+)");

    private final Process process;
    private final int mqttPort;

    private ChildServer(Process process) {
        this.process = process;
        this.mqttPort = awaitPort(process);
    }

    /** Starts a server on {@code dataDir}; its stderr goes to {@code dataDir/child.err}. */
    static ChildServer start(Path dataDir) throws IOException {
        return new ChildServer(ChildJvm.start(Main.class, List.of("server", "--data-dir", dataDir.toString(),
                "--mqtt-port", "0", "--grpc-port", "-1", "--http-port", "-1", "--sys-interval", "0"), dataDir.resolve("child.err")));
    }

    /** As {@link #start(Path)}, in a JVM with {@code jvmOptions} (e.g. a small heap) and extra server {@code args}. */
    static ChildServer start(Path dataDir, List<String> jvmOptions, List<String> args) throws IOException {
        List<String> all = new java.util.ArrayList<>(List.of("server", "--data-dir", dataDir.toString(),
                "--mqtt-port", "0", "--grpc-port", "-1", "--http-port", "-1", "--sys-interval", "0"));
        all.addAll(args);
        return new ChildServer(ChildJvm.start(Main.class, jvmOptions, all, dataDir.resolve("child.err"), java.util.Map.of()));
    }

    /** Whether the child is still running. */
    boolean isAlive() {
        return process.isAlive();
    }

    int mqttPort() {
        return mqttPort;
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the child died").isTrue();
        assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /**
     * Publishes {@code m0}, {@code m1}, ... on {@code topic} at QoS 1 with at most {@code inFlight}
     * unacknowledged, until {@code stopAfterAcks} are acknowledged or {@code messages} are sent.
     * Acknowledgements that arrive later still land in the result (until the broker dies).
     */
    static Acked publishUntilAcked(MqttAsyncClient client, String topic, int messages, int inFlight,
                                   int stopAfterAcks) throws Exception {
        Acked acked = new Acked(ConcurrentHashMap.newKeySet(), new AtomicInteger(-1));
        Semaphore window = new Semaphore(inFlight);
        for (int i = 0; i < messages && acked.numbers().size() < stopAfterAcks; i++) {
            assertThat(window.tryAcquire(10, TimeUnit.SECONDS)).as("acknowledgements keep coming").isTrue();
            int n = i;
            client.publish(topic, new MqttMessage(("m" + n).getBytes(StandardCharsets.UTF_8), 1, false, null), null,
                    new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            acked.numbers().add(n);
                            acked.max().accumulateAndGet(n, Math::max);
                            window.release();
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable exception) {
                            window.release();
                        }
                    });
        }
        return acked;
    }

    /** The numbers of the messages a broker acknowledged, and the highest. */
    record Acked(Set<Integer> numbers, AtomicInteger max) {
    }

    /** A connected Paho v5 async client with a clean start and no automatic reconnect. */
    static MqttAsyncClient connect(int port, String clientId) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    /** Closes a client whose broker was killed; it may not have noticed the lost connection yet. */
    static void closeAfterCrash(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1_000, false);
            }
        } catch (MqttException e) {
            // The connection is gone either way.
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            throw new AssertionError("closing the Paho client failed", e);
        }
    }

    /** The MQTT port the child logs once started. */
    private static int awaitPort(Process child) {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the pipe closes when the child dies
            }
            port.completeExceptionally(new IllegalStateException("the child ended before listening; see child.err"));
        });
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(port::isDone);
        return port.join();
    }
}
