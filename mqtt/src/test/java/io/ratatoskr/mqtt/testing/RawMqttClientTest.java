package io.ratatoskr.mqtt.testing;

import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RawMqttClient against a loopback ServerSocket that plays known bytes and echoes what it is sent. */
class RawMqttClientTest {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    ServerSocket server;
    ExecutorService serverThread;

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSoTimeout((int) TIMEOUT.toMillis());
        serverThread = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        serverThread.shutdownNow();
        assertThat(serverThread.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    interface Script {
        void play(InputStream in, OutputStream out) throws Exception;
    }

    /** Accepts one connection, plays {@code script} on it, then closes it. */
    Future<?> serve(Script script) {
        return serverThread.submit(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout((int) TIMEOUT.toMillis());
                script.play(s.getInputStream(), s.getOutputStream());
            }
            return null;
        });
    }

    RawMqttClient client(MqttVersion version) throws IOException {
        return RawMqttClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                version, TIMEOUT);
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    @Test
    void sentPacketsAndRawBytesComeBackDecoded() throws Exception {
        Future<?> done = serve((in, out) -> {
            byte[] echo = in.readNBytes(2 + 4); // PINGREQ, then a raw PUBACK
            out.write(echo);
            out.write(hex("20 03 01 00 00")); // v5 CONNACK: session present, success, no properties
            out.flush();
        });
        try (RawMqttClient client = client(MqttVersion.V5)) {
            client.send(PingReq.INSTANCE);
            client.sendRaw(hex("40 02 00 07"));
            assertThat(client.receive(TIMEOUT)).isEqualTo(PingReq.INSTANCE);
            assertThat(client.receive(TIMEOUT)).isEqualTo(new MqttPacket.PubAck(7));
            assertThat(client.receive(TIMEOUT)).isEqualTo(new ConnAck(true, 0, MqttProperties.EMPTY));
            assertThat(client.awaitClosed(TIMEOUT)).isTrue();
            assertThatThrownBy(() -> client.receive(TIMEOUT)).isInstanceOf(EOFException.class);
        }
        done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void connectIsWrittenAsTheCodecWritesIt() throws Exception {
        Connect connect = new Connect(MqttVersion.V3_1_1, "c", true, 60, null, null, null, MqttProperties.EMPTY);
        Future<?> done = serve((in, out) -> {
            assertThat(HEX.formatHex(in.readNBytes(15))).isEqualTo("10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63");
            out.write(hex("20 02 00 00"));
            out.flush();
        });
        try (RawMqttClient client = client(MqttVersion.V3_1_1)) {
            client.send(connect);
            assertThat(client.receive(TIMEOUT)).isEqualTo(new ConnAck(false, 0, MqttProperties.EMPTY));
        }
        done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void receiveTimesOutMidPacketAndResumesWhenTheRestArrives() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        byte[] publish = hex("30 07 00 01 74 68 65 6c 6c"); // PUBLISH "t", payload "hell"
        Future<?> done = serve((in, out) -> {
            out.write(publish, 0, 5);
            out.flush();
            assertThat(timedOut.await(5, TimeUnit.SECONDS)).isTrue();
            out.write(publish, 5, publish.length - 5);
            out.flush();
            in.read(); // hold the connection open until the client closes it
        });
        try (RawMqttClient client = client(MqttVersion.V3_1_1)) {
            assertThatThrownBy(() -> client.receive(Duration.ofMillis(100))).isInstanceOf(SocketTimeoutException.class);
            assertThat(client.awaitClosed(Duration.ofMillis(50))).as("still open").isFalse();
            timedOut.countDown();
            assertThat(client.receive(TIMEOUT)).isEqualTo(new Publish("t", 0, false, false, 0,
                    "hell".getBytes(StandardCharsets.US_ASCII), MqttProperties.EMPTY));
        }
        done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void packetsSentBeforeTheCloseCanStillBeReceivedAfterAwaitClosed() throws Exception {
        Future<?> done = serve((in, out) -> {
            out.write(hex("e0 01 81")); // v5 DISCONNECT, malformed packet
            out.flush();
        });
        try (RawMqttClient client = client(MqttVersion.V5)) {
            assertThat(client.awaitClosed(TIMEOUT)).isTrue();
            assertThat(client.receive(TIMEOUT)).isEqualTo(new Disconnect(ReasonCode.MALFORMED_PACKET, MqttProperties.EMPTY));
        }
        done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void malformedPacketFromTheServerIsAnIoExceptionThatSaysWhy() throws Exception {
        Future<?> done = serve((in, out) -> {
            out.write(hex("40 01 00")); // PUBACK too short for its packet identifier
            out.flush();
            in.read();
        });
        try (RawMqttClient client = client(MqttVersion.V3_1_1)) {
            assertThatThrownBy(() -> client.receive(TIMEOUT)).isInstanceOf(IOException.class)
                    .hasMessageContaining("malformed PUBACK from the server")
                    .hasMessageContaining("packet identifier");
        }
        done.get(5, TimeUnit.SECONDS);
    }
}
