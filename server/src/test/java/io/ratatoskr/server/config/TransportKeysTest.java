package io.ratatoskr.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.server.tls.TlsFiles;
import io.ratatoskr.server.tls.TransportConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mqtt.tls.*, mqtt.websocket.*, mqtt.wss.*, http.tls.* and tls.* keys reach {@link TransportConfig}. */
class TransportKeysTest {
    @TempDir
    Path dir;

    @Test
    void transportKeysFromTheFileReachTheTransportConfig() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path f = Files.writeString(dir.resolve("ratatoskr.yaml"), """
                mqtt:
                  tls:
                    cert: %s
                    key: %s
                    client-auth: required
                    client-ca: %s
                  websocket:
                    port: 8083
                  wss:
                    port: 8084
                http.tls.cert: %s
                http.tls.key: %s
                http.tls.client-auth: optional
                http.tls.client-ca: %s
                tls.reload-interval: 2s
                """.formatted(cert, key, ca, cert, key, ca));
        TransportConfig t = ConfigLoader.load(f, Map.of(), List.of()).settings().server().transports();
        assertThat(t.mqttTls()).isEqualTo(new TlsFiles(cert, key, TlsFiles.ClientAuthMode.REQUIRED, ca));
        assertThat(t.mqttTlsPort()).isEqualTo(8883);
        assertThat(t.websocketPort()).isEqualTo(8083);
        assertThat(t.websocketPath()).isEqualTo("/mqtt");
        assertThat(t.wssPort()).isEqualTo(8084);
        assertThat(t.httpTls()).isEqualTo(new TlsFiles(cert, key, TlsFiles.ClientAuthMode.OPTIONAL, ca));
        assertThat(t.reloadIntervalMs()).isEqualTo(2_000);
    }

    @Test
    void adminClientCertificatesWithoutHttpsOrACaAreRefused() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path noHttps = Files.writeString(dir.resolve("no-https.yaml"), """
                http.tls.client-auth: required
                http.tls.client-ca: %s
                """.formatted(ca));
        assertThatThrownBy(() -> ConfigLoader.load(noHttps, Map.of(), List.of())).isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).problems()).asString()
                .contains("http.tls.client-auth needs HTTPS");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path noCa = Files.writeString(dir.resolve("no-ca.yaml"), """
                http.tls.cert: %s
                http.tls.key: %s
                http.tls.client-auth: optional
                """.formatted(cert, cert));
        assertThatThrownBy(() -> ConfigLoader.load(noCa, Map.of(), List.of())).isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).problems()).asString()
                .contains("http.tls.client-auth optional needs http.tls.client-ca");
    }

    @Test
    void secureWebSocketWithoutACertificateIsRefused() throws Exception {
        Path f = Files.writeString(dir.resolve("ratatoskr.yaml"), "mqtt.wss.port: 8084\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), List.of())).isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).problems()).asString()
                .contains("mqtt.wss.port needs mqtt.tls.cert and mqtt.tls.key");
    }

    @Test
    void byDefaultNoTransportBeyondPlainMqttIsOn() throws Exception {
        TransportConfig t = ConfigLoader.load(null, Map.of(), List.of()).settings().server().transports();
        assertThat(t.mqttTls()).isNull();
        assertThat(t.httpTls()).isNull();
        assertThat(t.websocketPort()).isEqualTo(-1);
        assertThat(t.wssPort()).isEqualTo(-1);
    }
}
