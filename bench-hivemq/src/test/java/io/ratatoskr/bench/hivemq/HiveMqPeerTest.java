package io.ratatoskr.bench.hivemq;

import com.hivemq.embedded.EmbeddedHiveMQ;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HiveMQ peer starts with the benchmark's configuration and accepts an anonymous MQTT 3.1.1 client. */
class HiveMqPeerTest {

    @Test
    void theConfigurationStatesInMemoryPersistenceAndRatatoskrsLimits() {
        String xml = HiveMqPeer.configXml(HiveMqPeer.Options.parse(new String[] {"--port", "1884", "--data-dir",
                "/tmp/x"}));

        assertThat(xml).contains("<port>1884</port>", "<bind-address>127.0.0.1</bind-address>",
                "<mode>in-memory</mode>", "<max-queue-size>1000</max-queue-size>",
                "<strategy>discard-oldest</strategy>", "<server-receive-maximum>1024</server-receive-maximum>",
                "<max-packet-size>1048576</max-packet-size>");
        assertThatThrownBy(() -> HiveMqPeer.Options.parse(new String[] {"--port", "1884"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void thePeerAcceptsAnAnonymousConnection(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        HiveMqPeer.Options options = HiveMqPeer.Options.parse(new String[] {"--port", Integer.toString(port),
                "--data-dir", dir.toString()});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] connack;
        try (EmbeddedHiveMQ hivemq = HiveMqPeer.start(options, new PrintStream(out, true))) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                OutputStream os = socket.getOutputStream();
                // CONNECT, MQTT 3.1.1, clean session, keep-alive 10 s, client id "t", no user name.
                os.write(new byte[] {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10, 0, 1, 't'});
                os.flush();
                InputStream is = socket.getInputStream();
                connack = is.readNBytes(4);
            }
        }

        assertThat(out.toString()).contains("hivemq-peer: listening on 127.0.0.1:" + port);
        // CONNACK, session present 0, return code 0 (accepted): anonymous clients are allowed.
        assertThat(connack).containsExactly((byte) 0x20, (byte) 0x02, (byte) 0x00, (byte) 0x00);
    }
}
