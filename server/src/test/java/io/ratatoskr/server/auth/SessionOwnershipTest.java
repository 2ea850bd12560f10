package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.testing.PahoMessages;
import io.ratatoskr.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session belongs to the user whose connection made it: a CONNECT under the same client identifier
 * by another user (or anonymously) neither takes over the live connection nor resumes the stored
 * session with its queued messages — CONNACK 0x87 (v5) / 0x05 (3.1.1), counted — also after a restart,
 * because the owner is kept in the session journal. The owner itself resumes as usual.
 */
class SessionOwnershipTest {
    @TempDir
    Path dir;
    private RatatoskrServer server;
    private String uri;

    @BeforeEach
    void start() throws Exception {
        SplittableRandom random = Seeds.random("SessionOwnershipTest", 7);
        Path passwords = AuthFixture.passwordFile(dir, AuthFixture.user("alice", "a-pass", random),
                AuthFixture.user("mallory", "m-pass", random));
        // Anonymous access stays on: an anonymous client must not get a user's session either.
        server = AuthFixture.start(dir, AuthConfig.DEFAULTS.withPasswordFile(passwords, AuthFixture.TEST_ITERATIONS),
                false);
        uri = "tcp://127.0.0.1:" + server.mqttPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private MqttClient v5(String id, String user, String password, boolean cleanStart) throws MqttException {
        MqttClient client = new MqttClient(uri, id, new MemoryPersistence());
        MqttConnectionOptions o = AuthFixture.v5Options(user, password);
        o.setCleanStart(cleanStart);
        o.setSessionExpiryInterval(3600L);
        client.connect(o);
        return client;
    }

    private void assertRefusedV5(String id, String user, String password, boolean cleanStart) {
        assertThatThrownBy(() -> v5(id, user, password, cleanStart)).as("%s with client id %s", user, id)
                .isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).as("CONNACK 0x87 Not authorized").isEqualTo(0x87));
    }

    private void assertRefusedV311Anonymous(String id) throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient c = new org.eclipse.paho.client.mqttv3.MqttClient(uri, id,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setConnectionTimeout(5);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // no second try with 3.1
        try {
            assertThatThrownBy(() -> c.connect(o)).isInstanceOfSatisfying(
                    org.eclipse.paho.client.mqttv3.MqttException.class,
                    e -> assertThat(e.getReasonCode()).as("3.1.1 CONNACK 0x05 not authorized").isEqualTo(5));
        } finally {
            c.close();
        }
    }

    private void publish(String topic, String payload) throws MqttException {
        MqttClient p = v5("publisher", "mallory", "m-pass", true);
        p.publish(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, null));
        p.disconnect();
        p.close();
    }

    private double refusedAsOwned() {
        return server.meterRegistry().find("ratatoskr.mqtt.connections.refused").tag("reason", "client_id_owned")
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aStoredSessionIsResumedOnlyByItsOwnerAlsoAfterARestart() throws Exception {
        MqttClient alice = v5("device-7", "alice", "a-pass", true);
        alice.subscribe("inbox/device-7", 1);
        alice.disconnect();
        alice.close();
        publish("inbox/device-7", "for alice");

        assertRefusedV5("device-7", "mallory", "m-pass", false);
        assertRefusedV5("device-7", "mallory", "m-pass", true); // nor discard it with Clean Start
        assertRefusedV5("device-7", null, null, false);
        assertRefusedV311Anonymous("device-7");
        assertThat(refusedAsOwned()).isEqualTo(4);

        ServerConfig config = server.config();
        server.close();
        server = RatatoskrServer.start(config);
        uri = "tcp://127.0.0.1:" + server.mqttPort();
        assertRefusedV5("device-7", "mallory", "m-pass", false);
        assertThat(refusedAsOwned()).as("the owner came back from the session journal").isEqualTo(1);

        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        MqttClient back = new MqttClient(uri, "device-7", new MemoryPersistence());
        back.setCallback(PahoMessages.collecting(got));
        MqttConnectionOptions o = AuthFixture.v5Options("alice", "a-pass");
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        back.connect(o);
        assertThat(got.poll(10, TimeUnit.SECONDS)).as("the queued message reaches its owner")
                .isEqualTo("inbox/device-7=for alice");
        back.disconnect();
        back.close();
    }

    @Test
    void aLiveConnectionIsTakenOverOnlyByTheSameUser() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        MqttClient alice = v5("phone", "alice", "a-pass", true);
        alice.setCallback(PahoMessages.collecting(got));
        alice.subscribe("inbox/phone", 1);

        assertRefusedV5("phone", "mallory", "m-pass", true);
        assertRefusedV5("phone", null, null, true);
        publish("inbox/phone", "still hers");
        assertThat(got.poll(10, TimeUnit.SECONDS)).as("the owner's connection was not taken over")
                .isEqualTo("inbox/phone=still hers");
        assertThat(alice.isConnected()).isTrue();

        MqttClient again = v5("phone", "alice", "a-pass", false);
        assertThat(again.isConnected()).as("the same user takes over as MQTT says").isTrue();
        again.disconnect();
        again.close();
        alice.close(true);
    }
}
