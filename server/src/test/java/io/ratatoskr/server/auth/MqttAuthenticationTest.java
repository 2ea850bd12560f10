package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT CONNECT against the password file, with real Paho v5 and v3 clients. */
class MqttAuthenticationTest {
    @TempDir
    Path dir;
    private RatatoskrServer server;
    private String uri;

    @BeforeEach
    void start() throws Exception {
        SplittableRandom random = Seeds.random("MqttAuthenticationTest", 7);
        Path file = AuthFixture.passwordFile(dir, AuthFixture.user("alice", "s3cret", random, "ops"));
        server = AuthFixture.start(dir, AuthConfig.DEFAULTS.withAnonymous(false)
                .withPasswordFile(file, AuthFixture.TEST_ITERATIONS).withMaxFailuresPerMinute(5), false);
        uri = "tcp://127.0.0.1:" + server.mqttPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private MqttClient v5(String id) throws MqttException {
        return new MqttClient(uri, id, new MemoryPersistence());
    }

    private static MqttConnectionOptions v5Options(String user, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        if (password != null) {
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        o.setConnectionTimeout(5);
        return o;
    }

    private org.eclipse.paho.client.mqttv3.MqttClient v3(String id) throws Exception {
        return new org.eclipse.paho.client.mqttv3.MqttClient(uri, id,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    }

    private static MqttConnectOptions v3Options(String user, String password) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // no retry as 3.1 after a refusal
        if (user != null) {
            o.setUserName(user);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        o.setConnectionTimeout(5);
        return o;
    }

    @Test
    void rightPasswordConnectsBothVersions() throws Exception {
        MqttClient c5 = v5("ok5");
        c5.connect(v5Options("alice", "s3cret"));
        assertThat(c5.isConnected()).isTrue();
        c5.publish("t", "x".getBytes(), 1, false);
        c5.disconnect();
        var c3 = v3("ok3");
        c3.connect(v3Options("alice", "s3cret"));
        assertThat(c3.isConnected()).isTrue();
        c3.disconnect();
    }

    @Test
    void wrongPasswordGetsBadCredentialsAndTheConnectionCloses() throws Exception {
        MqttClient c5 = v5("bad5");
        assertThatThrownBy(() -> c5.connect(v5Options("alice", "wrong")))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThat(c5.isConnected()).isFalse();
        var c3 = v3("bad3");
        assertThatThrownBy(() -> c3.connect(v3Options("nobody", "wrong")))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(4));
        assertThat(server.scrapeMetrics())
                .contains("ratatoskr_auth_failures_total{protocol=\"mqtt\",reason=\"bad_password\"} 1.0")
                .contains("ratatoskr_auth_failures_total{protocol=\"mqtt\",reason=\"unknown_user\"} 1.0");
    }

    @Test
    void noCredentialsAreNotAuthorizedWhenAnonymousIsOff() throws Exception {
        MqttClient c5 = v5("anon5");
        assertThatThrownBy(() -> c5.connect(v5Options(null, null)))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        var c3 = v3("anon3");
        assertThatThrownBy(() -> c3.connect(v3Options(null, null)))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(5));
    }

    @Test
    void failedLoginsFromOneAddressAreRateLimited() throws Exception {
        for (int i = 0; i < 5; i++) {
            MqttClient c = v5("guess" + i);
            assertThatThrownBy(() -> c.connect(v5Options("alice", "guess")))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        }
        long start = System.nanoTime();
        MqttClient limited = v5("limited");
        // Even the right password is not checked while the address cools down.
        assertThatThrownBy(() -> limited.connect(v5Options("alice", "s3cret")))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x9F));
        var c3 = v3("limited3");
        assertThatThrownBy(() -> c3.connect(v3Options("alice", "guess")))
                .isInstanceOfSatisfying(org.eclipse.paho.client.mqttv3.MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(3));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.scrapeMetrics())
                .contains("ratatoskr_auth_failures_total{protocol=\"mqtt\",reason=\"rate_limited\"} 2.0"));
    }
}
