package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password checks at the default PBKDF2 cost run off the network threads: connected clients keep
 * their latency while logins are being checked, and a client that leaves meanwhile gets no session.
 */
class AuthenticationConcurrencyTest {
    private static final String SLOW_PASSWORD = "expensive";
    @TempDir
    Path dir;
    private RatatoskrServer server;
    private String uri;
    private long hashMillis;

    @BeforeEach
    void start() throws Exception {
        SplittableRandom random = Seeds.random("AuthenticationConcurrencyTest", 11);
        PasswordHash slow = PasswordHash.create(SLOW_PASSWORD.toCharArray(), PasswordHash.DEFAULT_ITERATIONS, random);
        assertThat(slow.matches(SLOW_PASSWORD.toCharArray())).isTrue(); // warm-up
        long t0 = System.nanoTime();
        assertThat(slow.matches(SLOW_PASSWORD.toCharArray())).isTrue();
        hashMillis = (System.nanoTime() - t0) / 1_000_000;
        Path file = AuthFixture.passwordFile(dir, AuthFixture.user("fast", "quick", random),
                new PasswordFile.Entry("slow", java.util.Set.of(), slow));
        server = AuthFixture.start(dir, AuthConfig.DEFAULTS.withAnonymous(false)
                .withPasswordFile(file, AuthFixture.TEST_ITERATIONS), false);
        uri = "tcp://127.0.0.1:" + server.mqttPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static MqttConnectionOptions options(String user, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(30);
        return o;
    }

    @Test
    void connectedClientKeepsPublishingWhileSlowLoginsAreChecked() throws Exception {
        MqttClient fast = new MqttClient(uri, "fast-publisher", new MemoryPersistence());
        fast.connect(options("fast", "quick"));
        List<MqttAsyncClient> pending = new ArrayList<>();
        List<IMqttToken> connects = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // two rounds of hashing on the two authentication threads
            MqttAsyncClient c = new MqttAsyncClient(uri, "slow-" + i, new MemoryPersistence());
            pending.add(c);
            connects.add(c.connect(options("slow", SLOW_PASSWORD)));
        }
        long started = System.nanoTime();
        List<Long> roundTripsMicros = new ArrayList<>();
        while (connects.stream().anyMatch(t -> !t.isComplete())) {
            long t0 = System.nanoTime();
            fast.publish("latency/probe", new byte[16], 1, false); // returns once PUBACK arrived
            roundTripsMicros.add((System.nanoTime() - t0) / 1_000);
        }
        roundTripsMicros.sort(null);
        long medianMillis = roundTripsMicros.isEmpty() ? 0 : roundTripsMicros.get(roundTripsMicros.size() / 2) / 1000;
        System.out.println("PBKDF2 default cost " + hashMillis + " ms; " + roundTripsMicros.size()
                + " QoS 1 publishes in " + (System.nanoTime() - started) / 1_000_000 + " ms meanwhile, median round trip " + medianMillis + " ms, worst "
                + (roundTripsMicros.isEmpty() ? 0 : roundTripsMicros.getLast() / 1000) + " ms");
        for (IMqttToken t : connects) {
            t.waitForCompletion(30_000);
        }
        assertThat(pending).allMatch(MqttAsyncClient::isConnected);
        // Had a hash run on the event loop, each publish behind it would have waited a whole hash.
        assertThat(roundTripsMicros).hasSizeGreaterThanOrEqualTo(3);
        assertThat(medianMillis).isLessThan(Math.max(hashMillis / 4, 10));
        for (MqttAsyncClient c : pending) {
            c.disconnect(0).waitForCompletion(5_000);
            c.close();
        }
        fast.disconnect(0);
    }

    @Test
    void clientThatLeavesWhileBeingAuthenticatedGetsNoSession() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.mqttPort())) {
            OutputStream out = s.getOutputStream();
            out.write(connect311("leaver", "slow", SLOW_PASSWORD));
            out.flush();
        } // closed before the hash is done
        MqttClient probe = new MqttClient(uri, "probe", new MemoryPersistence());
        probe.connect(options("slow", SLOW_PASSWORD)); // queued behind the leaver's check
        assertThat(probe.isConnected()).isTrue();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> server.broker().session("leaver") == null);
        probe.disconnect(0);
    }

    /** An MQTT 3.1.1 CONNECT with user name and password, clean session (§3.1). */
    private static byte[] connect311(String clientId, String user, String password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4);
        body.write(0xC2);
        body.write(0);
        body.write(60);
        writeString(body, clientId);
        writeString(body, user);
        writeString(body, password);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        packet.write(body.size()); // < 128: one length byte
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }
}
