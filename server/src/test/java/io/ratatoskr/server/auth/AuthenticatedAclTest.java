package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.security.AclConfig;
import io.ratatoskr.server.testing.PahoMessages;
import io.ratatoskr.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * Authentication and ACLs together, as an operator runs them: the ACL decides on the authenticated
 * user (its name for {@code %u}, its groups from the password file), for publishes, subscriptions and
 * the will, which is decided after the password is checked.
 */
class AuthenticatedAclTest {
    @TempDir
    Path dir;
    private RatatoskrServer server;
    private String uri;

    @BeforeEach
    void start() throws Exception {
        SplittableRandom random = Seeds.random("AuthenticatedAclTest", 11);
        Path passwords = AuthFixture.passwordFile(dir, AuthFixture.user("alice", "a-pass", random),
                AuthFixture.user("olga", "o-pass", random, "ops"));
        Path acl = dir.resolve("acl.conf");
        Files.writeString(acl, """
                ratatoskr-acl 1
                all
                allow both users/%u/#
                group ops
                allow both #
                """);
        server = AuthFixture.start(dir, AuthConfig.DEFAULTS.withPasswordFile(passwords, AuthFixture.TEST_ITERATIONS),
                false);
        // Restart with the ACL on the same data directory and users.
        ServerConfig config = server.config().withAcl(AclConfig.DEFAULTS.withFile(acl));
        server.close();
        server = RatatoskrServer.start(config);
        uri = "tcp://127.0.0.1:" + server.mqttPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private MqttClient connect(String id, String user, String password, String willTopic) throws MqttException {
        MqttClient client = new MqttClient(uri, id, new MemoryPersistence());
        MqttConnectionOptions o = AuthFixture.v5Options(user, password);
        if (willTopic != null) {
            o.setWill(willTopic, new MqttMessage("gone".getBytes(StandardCharsets.UTF_8)));
        }
        client.connect(o);
        return client;
    }

    @Test
    void theUsersOwnSubtreeIsAllowedThroughPercentUAndTheWillIsDecidedForTheAuthenticatedUser() throws Exception {
        MqttClient alice = connect("alice-1", "alice", "a-pass", "users/alice/status");
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        alice.setCallback(PahoMessages.collecting(got));
        alice.subscribe("users/alice/#", 1);
        alice.publish("users/alice/inbox", new MqttMessage("hi".getBytes(StandardCharsets.UTF_8)));
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("users/alice/inbox=hi");

        // A witness in the "ops" group sees everything: alice's publish to another user's subtree is
        // refused (PUBACK 0x87), so the first message it sees is her next, allowed one.
        MqttClient witness = connect("olga-w", "olga", "o-pass", null);
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        witness.setCallback(PahoMessages.collecting(seen));
        witness.subscribe("users/#", 1);
        alice.publish("users/olga/inbox", new MqttMessage("not hers".getBytes(StandardCharsets.UTF_8)));
        alice.publish("users/alice/after", new MqttMessage("hers".getBytes(StandardCharsets.UTF_8)));
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("users/alice/after=hers");
        assertThat(server.meterRegistry().get("ratatoskr.acl.denied").tag("protocol", "mqtt").counter().count())
                .isEqualTo(1);
        witness.disconnect();
        witness.close();
        alice.disconnect();
        alice.close();

        assertThatThrownBy(() -> connect("anon-1", null, null, "users/alice/status"))
                .as("an anonymous client's will under a user's subtree: %u never matches anonymous")
                .isInstanceOf(MqttException.class)
                .extracting(e -> ((MqttException) e).getReasonCode()).isEqualTo(0x87);
    }

    @Test
    void groupsFromThePasswordFileGrantTheirRules() throws Exception {
        MqttClient olga = connect("olga-1", "olga", "o-pass", "anything/status");
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        olga.setCallback(PahoMessages.collecting(got));
        olga.subscribe("users/alice/#", 1);
        MqttClient alice = connect("alice-2", "alice", "a-pass", null);
        alice.publish("users/alice/note", new MqttMessage("x".getBytes(StandardCharsets.UTF_8)));
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("users/alice/note=x");
        alice.disconnect();
        alice.close();
        olga.disconnect();
        olga.close();
    }
}
