package io.ratatoskr.mqtt.spec;

import io.micrometer.core.instrument.Counter;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.mqtt.codec.MqttPacket.Auth;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.ratatoskr.mqtt.spec.BrokerFixture.eventually;
import static io.ratatoskr.mqtt.spec.RawClients.TIMEOUT;
import static io.ratatoskr.mqtt.spec.RawClients.connectPacket;
import static io.ratatoskr.mqtt.spec.RawClients.encode;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input over real sockets (PRODUCT.md, "Bad input and faults"): the offending client gets the answer
 * the spec prescribes — MQTT 5: CONNACK or DISCONNECT with the reason code; 3.1.1: the connection closed,
 * without a word — the refusal is counted, and nobody else notices: one well-behaved client stays
 * connected to the same broker through every test of this class and still publishes and receives.
 */
class BadInputTest {
    /** Small, so that a packet over the limit is cheap to send. */
    static final int MAX_PACKET_SIZE = 2048;
    static final String ERRORS = "ratatoskr.mqtt.protocol.errors";
    static final String REFUSED = "ratatoskr.mqtt.connections.refused";

    static TestBroker broker;
    static PahoV3Client bystander;

    final List<RawMqttClient> offenders = new ArrayList<>();
    Map<String, Double> errorsBefore;
    Map<String, Double> refusedBefore;
    int clients;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(b -> b, m -> m.withMaxPacketSize(MAX_PACKET_SIZE));
        bystander = PahoV3Client.connect(broker, "bystander");
    }

    @AfterAll
    static void stop() throws Exception {
        bystander.close();
        broker.close();
    }

    @BeforeEach
    void countBefore() {
        errorsBefore = counts(ERRORS);
        refusedBefore = counts(REFUSED);
    }

    @AfterEach
    void nobodyElseIsAffected() throws Exception {
        for (RawMqttClient c : offenders) {
            c.close();
        }
        eventually().until(() -> broker.broker().metrics().connectionsActive() == 1);
        assertThat(bystander.isConnected()).as("the bystander is still connected").isTrue();
        bystander.assertNothingMore();
    }

    // ---------------------------------------------------------------------------------------
    // Framing and fixed header

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void remainingLengthOfFiveBytesIsMalformed(MqttVersion version) throws Exception {
        RawMqttClient c = connected(version);

        c.sendRaw(hex("30 FF FF FF FF 01")); // §2.1.4: at most four bytes

        assertRefused(c, ReasonCode.MALFORMED_PACKET);
        assertCountedOnce(ERRORS, "malformed_packet");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void publishWithQos3IsMalformed(MqttVersion version) throws Exception {
        RawMqttClient c = connected(version);
        byte[] publish = encode(new Publish("t", 1, false, false, 1, new byte[] {1}, MqttProperties.EMPTY), version);
        publish[0] |= 0b0110; // QoS bits 11

        c.sendRaw(publish);

        assertRefused(c, ReasonCode.MALFORMED_PACKET); // [MQTT-3.3.1-4]
        assertCountedOnce(ERRORS, "malformed_packet");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void subscribeWithWrongFixedHeaderFlagsIsMalformed(MqttVersion version) throws Exception {
        RawMqttClient c = connected(version);
        byte[] subscribe = encode(new Subscribe(1, List.of(new Subscription("t", 0)), MqttProperties.EMPTY), version);
        subscribe[0] &= (byte) 0xF0; // flags 0000 instead of 0010

        c.sendRaw(subscribe);

        assertRefused(c, ReasonCode.MALFORMED_PACKET); // [MQTT-3.8.1-1], [MQTT-2.1.3-1]
        assertCountedOnce(ERRORS, "malformed_packet");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void packetOverTheMaximumPacketSizeIsRefused(MqttVersion version) throws Exception {
        RawMqttClient c = open(version);
        c.send(connectPacket(version, "offender", true, 60));
        ConnAck ack = expect(c, ConnAck.class);
        if (version == MqttVersion.V5) {
            assertThat(ack.properties().maximumPacketSize()).isEqualTo(MAX_PACKET_SIZE);
        }

        c.send(new Publish("big", 0, false, false, 0, new byte[MAX_PACKET_SIZE], MqttProperties.EMPTY));

        assertRefused(c, ReasonCode.PACKET_TOO_LARGE); // §3.1.2.11.4, §3.2.2.3.6
        assertCountedOnce(ERRORS, "packet_too_large");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void hugeRemainingLengthIsRefusedWithoutWaitingForTheBytes(MqttVersion version) throws Exception {
        RawMqttClient c = connected(version);

        c.sendRaw(hex("30 FF FF FF 7F")); // a PUBLISH of 268,435,455 bytes, of which none follow

        assertRefused(c, ReasonCode.PACKET_TOO_LARGE);
        assertCountedOnce(ERRORS, "packet_too_large");
    }

    // ---------------------------------------------------------------------------------------
    // CONNECT

    @Test
    void connectLargerThanTheMaximumPacketSizeClosesTheConnectionAtOnce() throws Exception {
        RawMqttClient c = open(MqttVersion.V5);

        c.sendRaw(hex("10 FF FF FF 7F")); // a CONNECT of 268,435,455 bytes, of which none follow

        assertClosedSilently(c); // its version is not known yet: no CONNACK
        assertCountedOnce(ERRORS, "packet_too_large");
    }

    @Test
    void packetBeforeConnectClosesTheConnection() throws Exception {
        RawMqttClient c = open(MqttVersion.V3_1_1);

        c.sendRaw(hex("C0 00")); // PINGREQ

        assertClosedSilently(c); // [MQTT-3.1.0-1]
        assertCountedOnce(ERRORS, "protocol_error");
    }

    @Test
    void wrongProtocolNameClosesTheConnectionWithoutConnack() throws Exception {
        RawMqttClient c = open(MqttVersion.V3_1_1);

        c.sendRaw(hex("10 0D 00 04 4D 51 54 58 04 02 00 3C 00 01 63")); // "MQTX", level 4

        assertClosedSilently(c); // [MQTT-3.1.2-1]
        assertCountedOnce(ERRORS, "protocol_error");
    }

    @ParameterizedTest
    @CsvSource({
        "MQTT level 0,   10 0D 00 04 4D 51 54 54 00 02 00 3C 00 01 63",
        "MQTT level 3,   10 0D 00 04 4D 51 54 54 03 02 00 3C 00 01 63",
        "MQIsdp level 4, 10 0F 00 06 4D 51 49 73 64 70 04 02 00 3C 00 01 63",
        "MQTT level 255, 10 0D 00 04 4D 51 54 54 FF 02 00 3C 00 01 63",
    })
    void unsupportedProtocolLevelIsAnsweredWithReturnCode1In311Format(String what, String connect) throws Exception {
        RawMqttClient c = open(MqttVersion.V3_1_1);

        c.sendRaw(hex(connect));

        // [MQTT-3.1.2-2]: CONNACK 0x01, then close. The 3.1.1 format is one that every version can read.
        ConnAck ack = expect(c, ConnAck.class);
        assertThat(ack.reasonCode()).as(what).isEqualTo(ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION);
        assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        assertCountedOnce(ERRORS, "unsupported_protocol_version");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void reservedConnectFlagIsMalformed(MqttVersion version) throws Exception {
        RawMqttClient c = open(version);
        byte[] connect = encode(connectPacket(version, "offender", true, 60), version);
        connect[9] |= 0x01; // the reserved bit of the connect flags, after "MQTT" and the level

        c.sendRaw(connect);

        // [MQTT-3.1.2-3]. Before CONNACK a v5 server may answer with a CONNACK reason code (§4.13).
        if (version == MqttVersion.V5) {
            assertThat(expect(c, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.MALFORMED_PACKET);
            assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        } else {
            assertClosedSilently(c);
        }
        assertCountedOnce(ERRORS, "malformed_packet");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void secondConnectIsAProtocolError(MqttVersion version) throws Exception {
        RawMqttClient c = connected(version);

        c.send(connectPacket(version, "offender", true, 60));

        assertRefused(c, ReasonCode.PROTOCOL_ERROR); // [MQTT-3.1.0-2]
        assertCountedOnce(ERRORS, "protocol_error");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void willTopicWithAWildcardIsRefused(MqttVersion version) throws Exception {
        RawMqttClient c = open(version);
        Will will = new Will("status/+", new byte[] {1}, 0, false, MqttProperties.EMPTY);

        c.send(connectPacket(version, "offender", true, 60, will));

        // [MQTT-3.3.2-2]: the will topic is a topic name. 3.1.1 has no CONNACK code for it: a protocol
        // violation closes the connection [MQTT-4.8.0-1]; v5 answers CONNACK 0x90.
        if (version == MqttVersion.V5) {
            assertThat(expect(c, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
            assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        } else {
            assertClosedSilently(c);
        }
        assertCountedOnce(REFUSED, "will_topic_invalid");
    }

    @Test
    void v5ConnectWithAnAuthenticationMethodIsRefusedWithBadAuthenticationMethod() throws Exception {
        RawMqttClient c = open(MqttVersion.V5);

        c.send(new Connect(MqttVersion.V5, "offender", true, 60, null, null, null,
                MqttProperties.builder().authenticationMethod("SCRAM-SHA-1").build()));

        // §4.12: the server does not support that method (it supports none).
        ConnAck ack = expect(c, ConnAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        assertCountedOnce(REFUSED, "bad_authentication_method");
    }

    // ---------------------------------------------------------------------------------------
    // Topic names

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void wildcardInAPublishTopicIsRefused(MqttVersion version) throws Exception {
        RawMqttClient c = connected(version);

        c.send(new Publish("sensors/+/temp", 0, false, false, 0, new byte[] {1}, MqttProperties.EMPTY));

        assertRefused(c, ReasonCode.TOPIC_NAME_INVALID); // [MQTT-3.3.2-2]
        assertCountedOnce(ERRORS, "topic_name_invalid");
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void topicNameWithMoreLevelsThanTheMaximumIsRefused(MqttVersion version) throws Exception {
        RawMqttClient c = connected(version);
        String deep = "l/".repeat(BrokerConfig.DEFAULTS.maxTopicLevels()) + "l";

        c.send(new Publish(deep, 0, false, false, 0, new byte[] {1}, MqttProperties.EMPTY));

        assertRefused(c, ReasonCode.TOPIC_NAME_INVALID);
        assertCountedOnce(ERRORS, "topic_name_invalid");
    }

    @ParameterizedTest
    @CsvSource({
        "V3_1_1, FF", "V5, FF",          // never valid in UTF-8
        "V3_1_1, C0", "V5, C0",          // start of an overlong encoding: C0 AF is '/' in two bytes
        "V3_1_1, 00", "V5, 00",          // U+0000 [MQTT-1.5.4-2]
    })
    void topicThatIsNotWellFormedUtf8IsMalformed(MqttVersion version, String badByte) throws Exception {
        RawMqttClient c = connected(version);
        byte[] publish = encode(new Publish("a_b", 0, false, false, 0, new byte[] {1}, MqttProperties.EMPTY), version);
        publish[5] = (byte) Integer.parseInt(badByte, 16); // the '_' of "a_b", after type, length and string length

        c.sendRaw(publish);

        assertRefused(c, ReasonCode.MALFORMED_PACKET); // [MQTT-1.5.4-1]
        assertCountedOnce(ERRORS, "malformed_packet");
    }

    // ---------------------------------------------------------------------------------------
    // MQTT 5 properties and packets

    @Test
    void v5PublishWithASubscriptionIdentifierIsAProtocolError() throws Exception {
        RawMqttClient c = connected(MqttVersion.V5);

        c.send(new Publish("t", 0, false, false, 0, new byte[] {1},
                MqttProperties.builder().addSubscriptionIdentifier(7).build()));

        assertRefused(c, ReasonCode.PROTOCOL_ERROR); // [MQTT-3.3.4-6]
        assertCountedOnce(ERRORS, "protocol_error");
    }

    @Test
    void v5PublishWithAWildcardResponseTopicIsAProtocolError() throws Exception {
        RawMqttClient c = connected(MqttVersion.V5);

        c.send(new Publish("requests", 1, false, false, 1, new byte[] {1},
                MqttProperties.builder().responseTopic("replies/#").build()));

        assertRefused(c, ReasonCode.PROTOCOL_ERROR); // [MQTT-3.3.2-14]
        assertCountedOnce(ERRORS, "protocol_error");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 65}) // 65: one above the default Topic Alias Maximum of 64
    void v5TopicAliasOutsideTheAnnouncedRangeIsInvalid(int alias) throws Exception {
        RawMqttClient c = open(MqttVersion.V5);
        c.send(connectPacket(MqttVersion.V5, "offender", true, 60));
        assertThat(expect(c, ConnAck.class).properties().topicAliasMaximum()).isEqualTo(64);
        byte[] publish = encode(new Publish("t", 0, false, false, 0, new byte[] {1},
                MqttProperties.builder().topicAlias(1).build()), MqttVersion.V5);
        publish[8] = (byte) alias; // the low byte of the alias: 30 len 00 01 't' 03 23 00 [01]

        c.sendRaw(publish);

        assertRefused(c, ReasonCode.TOPIC_ALIAS_INVALID); // [MQTT-3.3.2-8], [MQTT-3.3.2-9]
        assertCountedOnce(ERRORS, "topic_alias_invalid");
    }

    @Test
    void v5AuthPacketWithoutAnAuthenticationMethodIsAProtocolError() throws Exception {
        RawMqttClient c = connected(MqttVersion.V5);

        c.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                MqttProperties.builder().authenticationMethod("SCRAM-SHA-1").build()));

        assertRefused(c, ReasonCode.PROTOCOL_ERROR); // [MQTT-4.12.0-1]
        assertCountedOnce(ERRORS, "protocol_error");
    }

    @Test
    void v311PacketOfTheReservedType15IsMalformed() throws Exception {
        RawMqttClient c = connected(MqttVersion.V3_1_1);

        c.sendRaw(hex("F0 00")); // AUTH exists only in MQTT 5

        assertClosedSilently(c);
        assertCountedOnce(ERRORS, "malformed_packet");
    }

    // ---------------------------------------------------------------------------------------

    private RawMqttClient open(MqttVersion version) throws IOException {
        RawMqttClient c = RawClients.open(broker, version);
        offenders.add(c);
        return c;
    }

    private RawMqttClient connected(MqttVersion version) throws IOException {
        RawMqttClient c = open(version);
        c.send(connectPacket(version, "offender-" + ++clients, true, 60));
        assertThat(expect(c, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        return c;
    }

    /** v5: DISCONNECT with {@code v5ReasonCode}, then close [MQTT-4.13.1-1]; 3.1.1: close, nothing sent. */
    private static void assertRefused(RawMqttClient c, int v5ReasonCode) throws IOException {
        if (c.version() == MqttVersion.V5) {
            Disconnect d = expect(c, Disconnect.class);
            assertThat(d.reasonCode()).as("DISCONNECT reason code %s", ReasonCode.name(d.reasonCode()))
                    .isEqualTo(v5ReasonCode);
            assertThat(c.awaitClosed(TIMEOUT)).as("closed").isTrue();
        } else {
            assertClosedSilently(c);
        }
    }

    private static void assertClosedSilently(RawMqttClient c) throws IOException {
        assertThat(c.awaitClosed(TIMEOUT)).as("closed").isTrue();
        assertThatThrownBy(() -> c.receive(Duration.ofMillis(1))).as("nothing sent before closing")
                .isInstanceOf(EOFException.class);
    }

    /** The counter of {@code reason} went up by one, and no other reason of the same counter moved. */
    private void assertCountedOnce(String name, String reason) {
        Map<String, Double> before = name.equals(ERRORS) ? errorsBefore : refusedBefore;
        Map<String, Double> expected = new HashMap<>(before);
        expected.merge(reason, 1.0, Double::sum);
        eventually().untilAsserted(() -> assertThat(counts(name)).isEqualTo(expected));
    }

    private static Map<String, Double> counts(String name) {
        Map<String, Double> counts = new HashMap<>();
        for (Counter counter : broker.registry().find(name).counters()) {
            counts.put(counter.getId().getTag("reason"), counter.count());
        }
        return counts;
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }
}
