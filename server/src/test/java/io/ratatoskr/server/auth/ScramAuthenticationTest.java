package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.security.AclConfig;
import io.ratatoskr.testkit.Seeds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT 5 enhanced authentication with SCRAM-SHA-256 over the password file (MQTT 5.0 §4.12, RFC 5802/7677),
 * with the HiveMQ client's enhanced-auth API and, for the protocol errors, a raw client. The broker
 * has an ACL, a CONNECT timeout of 1 s and a failed-login budget of 3 a minute.
 */
class ScramAuthenticationTest {
    private static final String METHOD = "SCRAM-SHA-256";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private RatatoskrServer server;
    private final SplittableRandom random = Seeds.random("ScramAuthenticationTest", 23);

    @BeforeEach
    void start() throws Exception {
        server = start(true);
    }

    private RatatoskrServer start(boolean scram) throws Exception {
        Path passwords = AuthFixture.passwordFile(dir, AuthFixture.user("alice", "a-pass", random),
                AuthFixture.user("bob", "b-pass", random));
        Path acl = dir.resolve("acl.conf");
        Files.writeString(acl, """
                ratatoskr-acl 1
                all
                allow both users/%u/#
                """);
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0).withConnectTimeoutSeconds(1))
                .withGrpc(null).withHttp(null).withAcl(AclConfig.DEFAULTS.withFile(acl))
                .withAuth(AuthConfig.DEFAULTS.withAnonymous(false)
                        .withPasswordFile(passwords, AuthFixture.TEST_ITERATIONS).withMaxFailuresPerMinute(3)
                        .withScramSha256(scram)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** SCRAM-SHA-256 for the HiveMQ client: the RFC's client side ({@link ScramClient}). */
    private static final class ScramMechanism implements Mqtt5EnhancedAuthMechanism {
        private final String method;
        private final String user;
        private final String password;
        private final boolean stallAfterFirst;
        private ScramClient scram;
        final AtomicBoolean serverVerified = new AtomicBoolean();
        final AtomicInteger rejectedWith = new AtomicInteger(-1);
        final AtomicInteger reauthentications = new AtomicInteger();

        ScramMechanism(String method, String user, String password, boolean stallAfterFirst) {
            this.method = method;
            this.user = user;
            this.password = password;
            this.stallAfterFirst = stallAfterFirst;
        }

        ScramMechanism(String user, String password) {
            this(METHOD, user, password, false);
        }

        @Override
        public MqttUtf8String getMethod() {
            return MqttUtf8String.of(method);
        }

        @Override
        public int getTimeout() {
            return 30;
        }

        @Override
        public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect,
                                              Mqtt5EnhancedAuthBuilder auth) {
            scram = new ScramClient(user, password, "c" + System.nanoTime());
            auth.data(scram.clientFirst());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder auth) {
            scram = new ScramClient(user, password, "r" + System.nanoTime());
            auth.data(scram.clientFirst());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth,
                                                     Mqtt5AuthBuilder reply) {
            if (stallAfterFirst) {
                return new CompletableFuture<>(); // never answers the server-first-message
            }
            try {
                reply.data(scram.clientFinal(bytes(auth.getData().orElseThrow())));
                return CompletableFuture.completedFuture(true);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
            boolean valid = connAck.getEnhancedAuth().flatMap(a -> a.getData()).map(d -> scram.serverFinalValid(bytes(d)))
                    .orElse(false);
            serverVerified.set(valid);
            return CompletableFuture.completedFuture(valid); // false: the client refuses an unproven server
        }

        @Override
        public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
            boolean valid = auth.getData().map(d -> scram.serverFinalValid(bytes(d))).orElse(false);
            if (valid) {
                reauthentications.incrementAndGet();
            }
            return CompletableFuture.completedFuture(valid);
        }

        @Override
        public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
            rejectedWith.set(connAck.getReasonCode().getCode());
        }

        @Override
        public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
        }

        @Override
        public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }

        @Override
        public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }

        private static byte[] bytes(ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
    }

    private Mqtt5BlockingClient hivemq(String id, ScramMechanism mechanism) {
        return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(server.mqttPort())
                .enhancedAuth(mechanism).buildBlocking();
    }

    private int refusedWith(String id, ScramMechanism mechanism) {
        Mqtt5BlockingClient client = hivemq(id, mechanism);
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(client::connect);
        assertThat(t).isInstanceOf(Mqtt5ConnAckException.class);
        return ((Mqtt5ConnAckException) t).getMqttMessage().getReasonCode().getCode();
    }

    @Test
    void scramLoginProvesBothSidesAndTheAclDecidesOnThatUser() throws Exception {
        ScramMechanism mechanism = new ScramMechanism("alice", "a-pass");
        Mqtt5BlockingClient alice = hivemq("scram-alice", mechanism);
        Mqtt5ConnAck connAck = alice.connect();
        assertThat(connAck.getReasonCode().getCode()).isZero();
        assertThat(connAck.getEnhancedAuth().orElseThrow().getMethod().toString()).isEqualTo(METHOD);
        assertThat(mechanism.serverVerified).isTrue();

        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = alice.publishes(
                com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            assertThat(alice.subscribeWith().topicFilter("users/alice/#").qos(MqttQos.AT_LEAST_ONCE).send()
                    .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
            assertThatThrownBy(() -> alice.subscribeWith().topicFilter("users/bob/#").send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
            alice.publishWith().topic("users/alice/hello").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("hi".getBytes(StandardCharsets.UTF_8)).send();
            var received = publishes.receive(5, TimeUnit.SECONDS);
            assertThat(received).isPresent();
            assertThat(received.get().getTopic().toString()).isEqualTo("users/alice/hello");
        }

        // Re-authentication (§4.12.1): AUTH 0x19, the same exchange, AUTH 0x00 with the server's signature.
        alice.reauth();
        assertThat(mechanism.reauthentications).hasValue(1);
        assertThat(alice.getState().isConnected()).isTrue();
        alice.disconnect();
    }

    @Test
    void wrongPasswordAndUnknownUserAreBothBadUserNameOrPassword() throws Exception {
        assertThat(refusedWith("scram-wrong", new ScramMechanism("alice", "wrong"))).isEqualTo(0x86);
        assertThat(refusedWith("scram-nobody", new ScramMechanism("nobody", "a-pass"))).isEqualTo(0x86);
        assertThat(server.scrapeMetrics())
                .contains("ratatoskr_auth_failures_total{protocol=\"mqtt\",reason=\"bad_password\"} 1.0")
                .contains("ratatoskr_auth_failures_total{protocol=\"mqtt\",reason=\"unknown_user\"} 1.0");
    }

    @Test
    void unknownUserGetsAServerFirstMessageOfTheSameShapeAsAKnownOne() throws Exception {
        String known = serverFirst("alice");
        String unknown = serverFirst("nobody");
        // nonce = the client's + 24 base64 characters, a 16-byte salt, the iteration count of the file's entries.
        String shape = "r=cnonce[A-Za-z0-9+/]{24},s=[A-Za-z0-9+/]{22}==,i=" + AuthFixture.TEST_ITERATIONS;
        assertThat(known).matches(shape);
        assertThat(unknown).matches(shape);
        assertThat(serverFirst("nobody").split(",")[1]).isEqualTo(unknown.split(",")[1]); // a stable fake salt
    }

    /** CONNECT with a client-first-message; returns the server-first-message of the AUTH 0x18 answer. */
    private String serverFirst(String user) throws Exception {
        try (RawMqttClient raw = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5)) {
            raw.send(scramConnect("raw-" + user, "n,,n=" + user + ",r=cnonce"));
            MqttPacket.Auth auth = (MqttPacket.Auth) raw.receive(WAIT);
            assertThat(auth.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            assertThat(auth.properties().authenticationMethod()).isEqualTo(METHOD); // [MQTT-4.12.0-5]
            return new String(auth.properties().authenticationData(), StandardCharsets.UTF_8);
        }
    }

    private static MqttPacket.Connect scramConnect(String clientId, String clientFirst) {
        return new MqttPacket.Connect(MqttVersion.V5, clientId, true, 30, null, null, null,
                MqttProperties.builder().authenticationMethod(METHOD)
                        .authenticationData(clientFirst.getBytes(StandardCharsets.UTF_8)).build());
    }

    @Test
    void unsupportedMethodIsBadAuthenticationMethod() throws Exception {
        assertThat(refusedWith("scram-sha1", new ScramMechanism("SCRAM-SHA-1", "alice", "a-pass", false)))
                .isEqualTo(0x8C);
    }

    @Test
    void scramIsOffUnlessConfigured() throws Exception {
        server.close();
        server = start(false);
        assertThat(refusedWith("scram-off", new ScramMechanism("alice", "a-pass"))).isEqualTo(0x8C);
    }

    @Test
    void clientThatStallsMidExchangeIsClosedAtTheConnectTimeout() throws Exception {
        try (RawMqttClient raw = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5)) {
            raw.send(scramConnect("stalls", "n,,n=alice,r=cnonce"));
            assertThat(raw.receive(WAIT)).isInstanceOf(MqttPacket.Auth.class);
            assertThat(raw.awaitClosed(WAIT)).isTrue(); // 1 s CONNECT timeout, no CONNACK
        }
        ScramMechanism stalling = new ScramMechanism(METHOD, "alice", "a-pass", true);
        Mqtt5BlockingClient client = hivemq("stalls-hivemq", stalling);
        assertThatThrownBy(client::connect).isNotNull();
        assertThat(client.getState().isConnected()).isFalse();
    }

    @Test
    void packetsOutOfTheExchangeAreProtocolErrors() throws Exception {
        // [MQTT-3.1.2-30]: only AUTH or DISCONNECT before CONNACK.
        try (RawMqttClient raw = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5)) {
            raw.send(scramConnect("early-publish", "n,,n=alice,r=cnonce"));
            assertThat(raw.receive(WAIT)).isInstanceOf(MqttPacket.Auth.class);
            raw.send(new MqttPacket.Publish("users/alice/x", 0, false, false, 0, new byte[1], MqttProperties.EMPTY));
            assertConnAckThenClosed(raw, ReasonCode.PROTOCOL_ERROR);
        }
        // [MQTT-4.12.0-5]: every AUTH carries the CONNECT's method.
        try (RawMqttClient raw = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5)) {
            raw.send(scramConnect("other-method", "n,,n=alice,r=cnonce"));
            assertThat(raw.receive(WAIT)).isInstanceOf(MqttPacket.Auth.class);
            raw.send(new MqttPacket.Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                    MqttProperties.builder().authenticationMethod("PLAIN").build()));
            assertConnAckThenClosed(raw, ReasonCode.PROTOCOL_ERROR);
        }
        // [MQTT-4.12.0-7]: no AUTH from a client that did not name a method at CONNECT.
        try (RawMqttClient raw = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5)) {
            raw.send(new MqttPacket.Connect(MqttVersion.V5, "plain-login", true, 30, "alice",
                    "a-pass".getBytes(StandardCharsets.UTF_8), null, MqttProperties.EMPTY));
            assertThat(((MqttPacket.ConnAck) raw.receive(WAIT)).reasonCode()).isZero();
            raw.send(new MqttPacket.Auth(ReasonCode.RE_AUTHENTICATE,
                    MqttProperties.builder().authenticationMethod(METHOD).build()));
            assertThat(((MqttPacket.Disconnect) raw.receive(WAIT)).reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
            assertThat(raw.awaitClosed(WAIT)).isTrue();
        }
    }

    @Test
    void reauthenticationWithAnotherMethodOrAsAnotherUserEndsTheConnection() throws Exception {
        // [MQTT-4.12.1-1]: the method of the CONNECT.
        Mqtt5BlockingClient alice = hivemq("reauth-method", new ScramMechanism("alice", "a-pass"));
        alice.connect();
        // HiveMQ only re-authenticates with its own method, so a raw connection does the bad one.
        try (RawMqttClient raw = scramConnected("raw-reauth", "alice", "a-pass")) {
            raw.send(new MqttPacket.Auth(ReasonCode.RE_AUTHENTICATE,
                    MqttProperties.builder().authenticationMethod("SCRAM-SHA-1").build()));
            assertThat(((MqttPacket.Disconnect) raw.receive(WAIT)).reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        }
        // A re-authentication cannot change the user: Not authorized ([MQTT-4.12.1-2]; DISCONNECT has no 0x86).
        try (RawMqttClient raw = scramConnected("raw-reauth-bob", "alice", "a-pass")) {
            ScramClient bob = new ScramClient("bob", "b-pass", "bnonce");
            raw.send(new MqttPacket.Auth(ReasonCode.RE_AUTHENTICATE, MqttProperties.builder()
                    .authenticationMethod(METHOD).authenticationData(bob.clientFirst()).build()));
            MqttPacket.Auth challenge = (MqttPacket.Auth) raw.receive(WAIT);
            raw.send(new MqttPacket.Auth(ReasonCode.CONTINUE_AUTHENTICATION, MqttProperties.builder()
                    .authenticationMethod(METHOD)
                    .authenticationData(bob.clientFinal(challenge.properties().authenticationData())).build()));
            assertThat(((MqttPacket.Disconnect) raw.receive(WAIT)).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            assertThat(raw.awaitClosed(WAIT)).isTrue();
        }
        assertThat(alice.getState().isConnected()).isTrue();
        alice.disconnect();
    }

    /** A raw v5 connection that completed a SCRAM login. */
    private RawMqttClient scramConnected(String clientId, String user, String password) throws Exception {
        RawMqttClient raw = RawMqttClient.connect("127.0.0.1", server.mqttPort(), MqttVersion.V5);
        ScramClient scram = new ScramClient(user, password, "rawnonce");
        raw.send(scramConnect(clientId, new String(scram.clientFirst(), StandardCharsets.UTF_8)));
        MqttPacket.Auth challenge = (MqttPacket.Auth) raw.receive(WAIT);
        raw.send(new MqttPacket.Auth(ReasonCode.CONTINUE_AUTHENTICATION, MqttProperties.builder()
                .authenticationMethod(METHOD)
                .authenticationData(scram.clientFinal(challenge.properties().authenticationData())).build()));
        MqttPacket.ConnAck connAck = (MqttPacket.ConnAck) raw.receive(WAIT);
        assertThat(connAck.reasonCode()).isZero();
        assertThat(scram.serverFinalValid(connAck.properties().authenticationData())).isTrue();
        return raw;
    }

    private static void assertConnAckThenClosed(RawMqttClient raw, int reasonCode) throws Exception {
        assertThat(((MqttPacket.ConnAck) raw.receive(WAIT)).reasonCode()).isEqualTo(reasonCode);
        assertThat(raw.awaitClosed(WAIT)).isTrue();
    }

    @Test
    void failedScramLoginsSpendTheAddressBudgetLikePasswords() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(refusedWith("guess" + i, new ScramMechanism("alice", "guess" + i))).isEqualTo(0x86);
        }
        // Over budget: refused at the first message, before any proof is looked at.
        assertThat(refusedWith("limited", new ScramMechanism("alice", "a-pass"))).isEqualTo(0x9F);
    }

    @Test
    void passwordLoginsOfBothVersionsAreUnaffected() throws Exception {
        var v3 = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "v3-plain",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("bob");
        o.setPassword("b-pass".toCharArray());
        v3.connect(o);
        assertThat(v3.isConnected()).isTrue();
        v3.disconnect();
        v3.close();
        Mqtt5BlockingClient v5 = Mqtt5Client.builder().identifier("v5-plain").serverHost("127.0.0.1")
                .serverPort(server.mqttPort()).simpleAuth().username("bob")
                .password("b-pass".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        Mqtt5ConnAck connAck = v5.connect();
        assertThat(connAck.getReasonCode().getCode()).isZero();
        assertThat(connAck.getEnhancedAuth()).isEmpty(); // [MQTT-4.12.0-6]
        v5.disconnect();
    }
}
