package io.ratatoskr.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttListener;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code Origin} check of the MQTT WebSocket listener, over real sockets with hand-written upgrade
 * requests (the JDK's WebSocket client cannot send an Origin of our choosing): non-browser requests
 * without Origin and allowed origins upgrade and speak MQTT; other origins get 403, counted.
 */
class WebSocketOriginTest {
    /** A 3.1.1 CONNECT of client "ws", clean session, keep-alive 60 s. */
    private static final byte[] CONNECT = HexFormat.of().parseHex("100e00044d5154540402003c00027773");

    @TempDir
    static Path dir;
    private static RatatoskrServer listed;
    private static RatatoskrServer byDefault;

    @BeforeAll
    static void start() throws Exception {
        listed = start(dir.resolve("listed"), "https://app.example.com, http://localhost:3000");
        byDefault = start(dir.resolve("default"), null);
    }

    private static RatatoskrServer start(Path data, String origins) throws Exception {
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(data)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null)
                .withTransports(TransportConfig.DEFAULTS.withWebSocket(0, -1).withWebSocketAllowedOrigins(origins)));
    }

    @AfterAll
    static void stop() {
        listed.close();
        byDefault.close();
    }

    private static double refused(RatatoskrServer server) {
        Counter c = server.meterRegistry().find("ratatoskr.mqtt.connections.refused").tag("reason", "websocket_origin")
                .counter();
        return c == null ? 0 : c.count();
    }

    /** Sends an upgrade request to {@code server}'s ws listener; answers the status line, and the socket. */
    private static Socket upgrade(RatatoskrServer server, String origin, StringBuilder status) throws IOException {
        int port = server.mqttPort(MqttListener.Kind.WS);
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5_000);
        String request = "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: mqtt\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        String head = readHead(socket.getInputStream());
        status.append(head, 0, head.indexOf("\r\n"));
        return socket;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** After a 101: CONNECT in a masked binary frame (RFC 6455 §5.3), then the CONNACK frame back. */
    private static void assertSpeaksMqtt(Socket socket) throws IOException {
        byte[] mask = {1, 2, 3, 4};
        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {(byte) 0x82, (byte) (0x80 | CONNECT.length)});
        out.write(mask);
        byte[] masked = CONNECT.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= mask[i % 4];
        }
        out.write(masked);
        out.flush();
        byte[] frame = socket.getInputStream().readNBytes(6);
        assertThat(frame).as("a binary frame holding CONNACK, accepted")
                .containsExactly(0x82, 4, 0x20, 2, 0, 0);
    }

    @Test
    void requestsWithoutOriginAndFromListedOriginsUpgradeAndSpeakMqtt() throws Exception {
        for (String origin : new String[] {null, "https://app.example.com", "HTTP://LOCALHOST:3000"}) {
            StringBuilder status = new StringBuilder();
            try (Socket socket = upgrade(listed, origin, status)) {
                assertThat(status.toString()).as("origin %s", origin).contains(" 101 ");
                assertSpeaksMqtt(socket);
            }
        }
    }

    @Test
    void otherOriginsAreRefusedWith403AndCounted() throws Exception {
        double before = refused(listed);
        for (String origin : new String[] {"https://evil.example", "http://app.example.com", "null",
                "http://127.0.0.1:3000"}) {
            StringBuilder status = new StringBuilder();
            try (Socket socket = upgrade(listed, origin, status)) {
                assertThat(status.toString()).as("origin %s", origin).contains(" 403 ");
                assertThat(socket.getInputStream().read()).as("closed after the answer").isEqualTo(-1);
            }
        }
        assertThat(refused(listed)).isEqualTo(before + 4);
    }

    @Test
    void byDefaultOnlyPagesOfTheBrokersOwnHostNameUpgrade() throws Exception {
        StringBuilder sameHost = new StringBuilder();
        try (Socket socket = upgrade(byDefault, "http://127.0.0.1:3000", sameHost)) {
            assertThat(sameHost.toString()).as("a page of the same host, another port").contains(" 101 ");
            assertSpeaksMqtt(socket);
        }
        StringBuilder none = new StringBuilder();
        try (Socket socket = upgrade(byDefault, null, none)) {
            assertThat(none.toString()).as("no Origin: not a browser").contains(" 101 ");
        }
        double before = refused(byDefault);
        StringBuilder other = new StringBuilder();
        try (Socket socket = upgrade(byDefault, "https://evil.example", other)) {
            assertThat(other.toString()).contains(" 403 ");
        }
        assertThat(refused(byDefault)).isEqualTo(before + 1);
    }
}
