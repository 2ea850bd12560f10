package io.ratatoskr.mqtt.spec;

import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.PingResp;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketWriter;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conversations with a {@link TestBroker} over {@link RawMqttClient}, for tests that must see or shape
 * the wire: open, connect, subscribe, and expect a packet of a given type. Stateless.
 */
public final class RawClients {
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private RawClients() {
    }

    /** A TCP connection to the broker; nothing sent yet. */
    public static RawMqttClient open(TestBroker broker, MqttVersion version) throws IOException {
        return RawMqttClient.connect("127.0.0.1", broker.port(), version);
    }

    /** A CONNECT without will, user name or properties. */
    public static Connect connectPacket(MqttVersion version, String clientId, boolean cleanStart, int keepAlive) {
        return connectPacket(version, clientId, cleanStart, keepAlive, null);
    }

    public static Connect connectPacket(MqttVersion version, String clientId, boolean cleanStart, int keepAlive,
                                        Will will) {
        return new Connect(version, clientId, cleanStart, keepAlive, null, null, will, MqttProperties.EMPTY);
    }

    /** Opens a connection, sends {@code connect} and asserts a successful CONNACK, which it returns. */
    public static RawMqttClient connected(TestBroker broker, Connect connect) throws IOException {
        RawMqttClient c = open(broker, connect.version());
        try {
            c.send(connect);
            ConnAck ack = expect(c, ConnAck.class);
            assertThat(ack.reasonCode()).as("CONNACK code").isEqualTo(ReasonCode.SUCCESS);
            return c;
        } catch (IOException | RuntimeException | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** A connection of {@code clientId} with the given version, clean start/session and keep-alive 60 s. */
    public static RawMqttClient connected(TestBroker broker, MqttVersion version, String clientId, boolean clean)
            throws IOException {
        return connected(broker, connectPacket(version, clientId, clean, 60));
    }

    /** Subscribes to one filter and returns the SUBACK's codes. */
    public static List<Integer> subscribe(RawMqttClient c, int packetId, String filter, int qos) throws IOException {
        c.send(new Subscribe(packetId, List.of(new Subscription(filter, qos)), MqttProperties.EMPTY));
        SubAck ack = expect(c, SubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCodes();
    }

    /** The next packet, which must be of {@code type}, within {@link #TIMEOUT}. */
    public static <T extends MqttPacket> T expect(RawMqttClient c, Class<T> type) throws IOException {
        MqttPacket p = c.receive(TIMEOUT);
        assertThat(p).as("the next packet from the server").isInstanceOf(type);
        return type.cast(p);
    }

    /**
     * Asserts that the server has nothing more to send right now and keeps the connection open: the
     * answer to a PINGREQ, which it writes after whatever it had queued, must be the next packet.
     */
    public static void assertNothingPending(RawMqttClient c) throws IOException {
        c.send(PingReq.INSTANCE);
        expect(c, PingResp.class);
    }

    /** The bytes of {@code packet} in {@code version}, for tests that alter them before sending. */
    public static byte[] encode(MqttPacket packet, MqttVersion version) {
        byte[] bytes = new byte[PacketWriter.encodedSize(packet, version)];
        PacketWriter.write(packet, version, Unpooled.wrappedBuffer(bytes).clear());
        return bytes;
    }
}
