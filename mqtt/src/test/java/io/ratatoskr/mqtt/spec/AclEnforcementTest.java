package io.ratatoskr.mqtt.spec;

import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.core.security.acl.AclAuthorizer;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ACL enforcement on MQTT PUBLISH, will and SUBSCRIBE, with both protocol versions and real clients. */
class AclEnforcementTest {
    private static final String RULES = """
            ratatoskr-acl 1
            all
            allow both marker/#
            allow both open/#
            deny publish open/secret/#
            allow both devices/%c/#
            """;

    @TempDir
    Path dir;
    private Path file;
    private AclAuthorizer acl;
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("acl.conf");
        write(RULES, 1_000);
        acl = AclAuthorizer.open(file, new SimpleMeterRegistry());
        broker = TestBroker.startWithAuthorizer(acl);
        acl.onReload(broker.mqtt()::recheckSubscriptions);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private void write(String rules, long epochSecond) throws Exception {
        Files.writeString(file, rules);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(epochSecond)));
    }

    private double denied(String action) {
        return broker.counter("ratatoskr.acl.denied", "protocol", "mqtt", "action", action);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Integer> subscribe(RawMqttClient c, int packetId, String... filters) throws Exception {
        c.send(new Subscribe(packetId, java.util.Arrays.stream(filters).map(f -> new Subscription(f, 1)).toList(),
                MqttProperties.EMPTY));
        return expect(c, SubAck.class).reasonCodes();
    }

    @Test
    void v5PublishNotAuthorizedGetsPubAck0x87AndReachesNoSubscriber() throws Exception {
        try (RawMqttClient sub = RawClients.connected(broker, MqttVersion.V5, "sub", true);
             RawMqttClient pub = RawClients.connected(broker, MqttVersion.V5, "pub", true)) {
            assertThat(subscribe(sub, 1, "open/#")).containsExactly(1);
            pub.send(new Publish("open/secret/key", 1, false, false, 7, utf8("no"), MqttProperties.EMPTY));
            assertThat(expect(pub, PubAck.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            pub.send(new Publish("open/news", 1, false, false, 8, utf8("yes"), MqttProperties.EMPTY));
            assertThat(expect(pub, PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(expect(sub, Publish.class).topic()).as("the refused message came first if at all")
                    .isEqualTo("open/news");
            assertThat(denied("publish")).isEqualTo(1);
        }
    }

    @Test
    void v311QoS1PublishNotAuthorizedIsAcknowledgedDroppedAndCounted() throws Exception {
        try (PahoV3Client sub = PahoV3Client.connect(broker, "sub3");
             PahoV3Client pub = PahoV3Client.connect(broker, "pub3")) {
            assertThat(sub.subscribe("open/#", 1)).isEqualTo(1);
            pub.publish("open/secret/key", "no", 1); // returns once the PUBACK arrived
            sub.assertNothingBefore(pub);
            assertThat(denied("publish")).isEqualTo(1);
        }
    }

    @Test
    void refusedFiltersGetSubAck0x87Or0x80WhileGrantedOnesOfTheSameSubscribeWork() throws Exception {
        try (RawMqttClient v5 = RawClients.connected(broker, MqttVersion.V5, "s5", true);
             RawMqttClient v3 = RawClients.connected(broker, MqttVersion.V3_1_1, "s3", true);
             PahoV3Client pub = PahoV3Client.connect(broker, "p")) {
            assertThat(subscribe(v5, 1, "open/#", "private/#", "#", "$SYS/#"))
                    .containsExactly(1, ReasonCode.NOT_AUTHORIZED, ReasonCode.NOT_AUTHORIZED, ReasonCode.NOT_AUTHORIZED);
            assertThat(subscribe(v3, 1, "private/x", "open/+")).containsExactly(ReasonCode.V3_SUBACK_FAILURE, 1);
            pub.publish("open/x", "hello", 1);
            assertThat(expect(v5, Publish.class).topic()).isEqualTo("open/x");
            assertThat(expect(v3, Publish.class).topic()).isEqualTo("open/x");
            assertThat(denied("subscribe")).isEqualTo(4);
        }
    }

    @Test
    void sharedAndQueueSubscriptionsAreDecidedOnTheFilterInside() throws Exception {
        try (RawMqttClient c = RawClients.connected(broker, MqttVersion.V5, "shared", true)) {
            assertThat(subscribe(c, 1, "$share/g/open/#", "$share/g/private/#", "$queue/g/private"))
                    .containsExactly(1, ReasonCode.NOT_AUTHORIZED, ReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    void clientIdRulesGiveEachClientOnlyItsOwnSubtree() throws Exception {
        try (RawMqttClient c = RawClients.connected(broker, MqttVersion.V5, "dev1", true)) {
            assertThat(subscribe(c, 1, "devices/dev1/#", "devices/+/state", "devices/dev2/#"))
                    .containsExactly(1, ReasonCode.NOT_AUTHORIZED, ReasonCode.NOT_AUTHORIZED);
            c.send(new Publish("devices/dev2/state", 1, false, false, 2, utf8("x"), MqttProperties.EMPTY));
            assertThat(expect(c, PubAck.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            c.send(new Publish("devices/dev1/state", 1, false, false, 3, utf8("x"), MqttProperties.EMPTY));
            assertThat(expect(c, PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(expect(c, Publish.class).topic()).isEqualTo("devices/dev1/state");
        }
    }

    @Test
    void aWillToATopicNotAuthorizedRefusesTheConnect() throws Exception {
        Will will = new Will("private/will", utf8("bye"), 0, false, MqttProperties.EMPTY);
        try (RawMqttClient v5 = RawClients.open(broker, MqttVersion.V5);
             RawMqttClient v3 = RawClients.open(broker, MqttVersion.V3_1_1)) {
            v5.send(RawClients.connectPacket(MqttVersion.V5, "w5", true, 60, will));
            assertThat(expect(v5, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            v3.send(RawClients.connectPacket(MqttVersion.V3_1_1, "w3", true, 60, will));
            assertThat(expect(v3, ConnAck.class).reasonCode()).isEqualTo(0x05);
        }
        Will allowed = new Will("open/will", utf8("bye"), 0, false, MqttProperties.EMPTY);
        RawClients.connected(broker, RawClients.connectPacket(MqttVersion.V5, "w6", true, 60, allowed)).close();
    }

    @Test
    void reloadedRulesDecideNewOperations() throws Exception {
        try (RawMqttClient c = RawClients.connected(broker, MqttVersion.V5, "r", true)) {
            assertThat(subscribe(c, 1, "private/#")).containsExactly(ReasonCode.NOT_AUTHORIZED);
            write(RULES + "allow subscribe private/#\n", 2_000);
            assertThat(acl.reloadIfChanged()).isTrue();
            assertThat(subscribe(c, 2, "private/#")).containsExactly(1);
            assertThat(subscribe(c, 3, "open/#")).containsExactly(1);
        }
    }

    @Test
    void aReloadRemovesGrantedSubscriptionsTheNewRulesRefuse() throws Exception {
        String grant = "client sub\nallow subscribe private/#\nclient pub\nallow publish private/#\n";
        write(RULES + grant, 2_000);
        assertThat(acl.reloadIfChanged()).isTrue();
        try (RawMqttClient sub = RawClients.connected(broker, MqttVersion.V5, "sub", true);
             RawMqttClient pub = RawClients.connected(broker, MqttVersion.V5, "pub", true)) {
            assertThat(subscribe(sub, 1, "private/#", "open/#")).containsExactly(1, 1);
            write(RULES + "client pub\nallow publish private/#\n", 3_000);
            assertThat(acl.reloadIfChanged()).isTrue();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> denied("subscribe") == 1);
            pub.send(new Publish("private/x", 1, false, false, 1, utf8("gone"), MqttProperties.EMPTY));
            assertThat(expect(pub, PubAck.class).reasonCode()).as("published, to nobody")
                    .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
            pub.send(new Publish("open/x", 1, false, false, 2, utf8("still"), MqttProperties.EMPTY));
            expect(pub, PubAck.class);
            assertThat(expect(sub, Publish.class).topic()).isEqualTo("open/x");
        }
    }

    @Test
    void refusedQoS0IsDroppedSilentlyAndRefusedQoS2GetsPubRec0x87OrCompletesAndDropsOn311() throws Exception {
        try (RawMqttClient sub = RawClients.connected(broker, MqttVersion.V5, "sub", true);
             RawMqttClient v5 = RawClients.connected(broker, MqttVersion.V5, "q5", true);
             RawMqttClient v3 = RawClients.connected(broker, MqttVersion.V3_1_1, "q3", true)) {
            assertThat(subscribe(sub, 1, "open/#")).containsExactly(1);
            v5.send(new Publish("open/secret/a", 0, false, false, 0, utf8("q0"), MqttProperties.EMPTY));
            RawClients.assertNothingPending(v5);
            v5.send(new Publish("open/secret/b", 2, false, false, 5, utf8("q2"), MqttProperties.EMPTY));
            assertThat(expect(v5, PubRec.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            v3.send(new Publish("open/secret/c", 2, false, false, 6, utf8("q2"), MqttProperties.EMPTY));
            assertThat(expect(v3, PubRec.class).reasonCode()).isZero();
            v3.send(new PubRel(6, 0, MqttProperties.EMPTY));
            assertThat(expect(v3, PubComp.class).packetId()).isEqualTo(6);
            v3.send(new Publish("open/ok", 1, false, false, 7, utf8("ok"), MqttProperties.EMPTY));
            expect(v3, PubAck.class);
            assertThat(expect(sub, Publish.class).topic()).as("none of the refused ones").isEqualTo("open/ok");
            assertThat(denied("publish")).isEqualTo(3);
        }
    }
    @Test
    void placeholdersThatCannotBeFilledFailClosedForDenyAndGrantNothingForAllow() throws Exception {
        // Anonymous clients have no user name for %u: the deny covers every open/<anything>/... topic.
        write(RULES + "deny publish open/%u/#\n", 2_000);
        assertThat(acl.reloadIfChanged()).isTrue();
        try (PahoV3Client sub = PahoV3Client.connect(broker, "sub3");
             PahoV3Client pub = PahoV3Client.connect(broker, "pub3");
             PahoV3Client slashed = PahoV3Client.connect(broker, "dev/1")) {
            assertThat(sub.subscribe("open/#", 1)).isEqualTo(1);
            pub.publish("open/alice/x", "denied: could be alice's", 1);
            pub.publish("open/news", "denied: could be a user named news", 1);
            sub.assertNothingBefore(pub);
            assertThat(denied("publish")).isEqualTo(2);
            // A client id with '/' fills no %c: "allow both devices/%c/#" grants it nothing.
            assertThat(slashed.subscribe("devices/dev/1/#", 1)).isEqualTo(0x80);
        }
    }

    @Test
    void anotherUsersConnectWithTheSameClientIdIsRefusedAndTheOwnersSessionKeepsItsMessages() throws Exception {
        write(RULES + "user alice\nallow subscribe private/#\nclient pub\nallow publish private/#\n", 2_000);
        assertThat(acl.reloadIfChanged()).isTrue();
        // Trusts the user name it is given: enough to tell two principals apart.
        broker.mqtt().security(c -> CompletableFuture.completedFuture(new AuthResult.Accepted(
                new Principal(c.username(), c.clientId(), Set.of(), "password"))), acl);
        try (RawMqttClient alice = RawClients.connected(broker, new Connect(MqttVersion.V5, "shared-id", true, 60,
                "alice", utf8("pw"), null, MqttProperties.builder().sessionExpiryInterval(600).build()))) {
            assertThat(subscribe(alice, 1, "private/#", "open/#")).containsExactly(1, 1);
            assertThat(broker.mqtt().clients().get("shared-id").info().username()).isEqualTo("alice");
        }
        try (RawMqttClient mallory = RawClients.open(broker, MqttVersion.V5);
             PahoV3Client pub = PahoV3Client.connect(broker, "pub")) {
            pub.publish("private/x", "alice only", 1);
            mallory.send(new Connect(MqttVersion.V5, "shared-id", false, 60, "mallory", utf8("pw"), null,
                    MqttProperties.builder().sessionExpiryInterval(600).build()));
            assertThat(expect(mallory, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        }
        try (RawMqttClient alice = RawClients.connected(broker, new Connect(MqttVersion.V5, "shared-id", false, 60,
                "alice", utf8("pw"), null, MqttProperties.builder().sessionExpiryInterval(600).build()))) {
            assertThat(expect(alice, Publish.class).topic()).as("queued for alice, kept for her").isEqualTo("private/x");
        }
        assertThat(broker.counter("ratatoskr.mqtt.connections.refused", "reason", "client_id_owned")).isEqualTo(1);
    }

    @Test
    void theClientListShowsOnlyAnAuthenticatedUserName() throws Exception {
        try (RawMqttClient c = RawClients.connected(broker, new Connect(MqttVersion.V5, "claims", true, 60,
                "admin", null, null, MqttProperties.EMPTY))) {
            assertThat(broker.mqtt().clients().get("claims").info().username())
                    .as("an anonymous client's claimed user name").isNull();
        }
    }
}
