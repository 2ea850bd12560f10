package io.ratatoskr.server;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.ReadBatch;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.testkit.ChildJvm;
import io.ratatoskr.testkit.Seeds;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real broker process (the {@code ratatoskr server} command in a child JVM) takes QoS 1 messages
 * for a durable topic from Paho, and is killed with SIGKILL while publishes are still in flight. After
 * a restart on the same data directory every PUBACKed message is in the topic, once, in order.
 */
class DurableKillNineTest {
    private static final Pattern LISTENING = Pattern.compile("MQTT on [^ ]+:(\\d+)");
    private static final int MESSAGES = 3_000;
    private static final int IN_FLIGHT = 64;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageSurvivesKillNineOnceAndInOrder() throws Exception {
        SplittableRandom random = Seeds.random("DurableKillNineTest", 20261124L);
        int killAfterAcks = 300 + random.nextInt(1_500);
        try (DurableTopics topics = DurableTopics.open(dir.resolve("topics"), DurableTopicsConfig.DEFAULTS,
                LogEnvironment.system(), new SimpleMeterRegistry())) {
            topics.create("orders", TopicConfig.DEFAULTS);
        }

        Process child = ChildJvm.start(Main.class, List.of("server", "--data-dir", dir.toString(), "--mqtt-port", "0",
                "--http-port", "-1", "--sys-interval", "0"), dir.resolve("child.err"));
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger maxAcked = new AtomicInteger(-1);
        try {
            int port = awaitPort(child);
            MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "kill9-publisher",
                    new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setAutomaticReconnect(false);
            client.connect(options).waitForCompletion(10_000);
            Semaphore window = new Semaphore(IN_FLIGHT);
            for (int i = 0; i < MESSAGES && acked.size() < killAfterAcks; i++) {
                assertThat(window.tryAcquire(10, TimeUnit.SECONDS)).as("acknowledgements keep coming").isTrue();
                int n = i;
                client.publish("orders/eu", new MqttMessage(("m" + n).getBytes(StandardCharsets.UTF_8), 1, false,
                        null), null, new MqttActionListener() {
                            @Override
                            public void onSuccess(IMqttToken token) {
                                acked.add(n);
                                maxAcked.accumulateAndGet(n, Math::max);
                                window.release();
                            }

                            @Override
                            public void onFailure(IMqttToken token, Throwable exception) {
                                window.release();
                            }
                        });
            }
            // SIGKILL with up to IN_FLIGHT publishes unacknowledged.
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            closeAfterCrash(client);
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(killAfterAcks);

        ServerConfig config = ServerConfig.DEFAULTS.withDataDir(dir).withMqtt(MqttConfig.DEFAULTS.withAddress(
                "127.0.0.1", 0)).withHttp(null);
        try (RatatoskrServer restarted = RatatoskrServer.start(config)) {
            List<String> stored = readAll(restarted.durableTopics());
            System.out.println("[kill9] " + acked.size() + " acknowledged (last m" + maxAcked.get() + "), "
                    + stored.size() + " stored");
            // One connection, so its messages are stored in the order sent; a crash can only cut the
            // unacknowledged tail: m0, m1, ... without a gap or a repeat, past the last acknowledged.
            assertThat(stored.size()).as("every acknowledged message is there").isGreaterThan(maxAcked.get());
            for (int i = 0; i < stored.size(); i++) {
                assertThat(stored.get(i)).as("message at offset %d", i).isEqualTo("m" + i);
            }
            for (int n : acked) {
                assertThat(n).isLessThan(stored.size());
            }
        }
    }

    /** Closes a client whose broker was killed; it may not have noticed the lost connection yet. */
    private static void closeAfterCrash(MqttAsyncClient client) {
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

    private static List<String> readAll(DurableTopics topics) {
        List<String> out = new ArrayList<>();
        long next = 0;
        while (true) {
            ReadBatch b = topics.read("orders", 0, next, 1_000, 1 << 20);
            for (DurableMessage m : b.messages()) {
                out.add(new String(m.message().payload(), StandardCharsets.UTF_8));
            }
            if (b.nextOffset() >= b.endOffset()) {
                return out;
            }
            next = b.nextOffset();
        }
    }

    /** The MQTT port the child logs once started; its output is drained on a thread of its own. */
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
            } catch (java.io.IOException e) {
                // the pipe closes when the child dies
            }
            port.completeExceptionally(new IllegalStateException("the child ended before listening; see child.err"));
        });
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(port::isDone);
        return port.join();
    }
}
