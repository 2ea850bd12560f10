package io.ratatoskr.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttListener;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing the certificate files of a running node: new connections (MQTT over TLS and HTTPS) get
 * the new certificate, open ones stay connected, and files that do not load leave the served
 * certificate as it was.
 */
class CertificateReloadTest {
    @TempDir
    Path dir;

    @Test
    void newConnectionsSeeAReplacedCertificateWhileOpenOnesStay() throws Exception {
        DevCertificates.Files first = DevCertificates.create(dir.resolve("first"), "first", List.of());
        DevCertificates.Files second = DevCertificates.create(dir.resolve("second"), "second", List.of());
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server-key.pem");
        Files.copy(first.serverCert(), cert);
        Files.copy(first.serverKey(), key);
        SSLContext trustsFirst = TestTls.trusting(first.caCert());
        SSLContext trustsSecond = TestTls.trusting(second.caCert());
        try (RatatoskrServer server = start(cert, key)) {
            int port = server.mqttPort(MqttListener.Kind.TLS);
            assertThat(servedSerial(trustsFirst, port)).isEqualTo(serial(first.serverCert()));
            MqttClient open = new MqttClient("ssl://localhost:" + port, "stays", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setSocketFactory(trustsFirst.getSocketFactory());
            open.connect(options);
            try {
                // The key first, then the certificate: between the two the pair does not match and must
                // not be served.
                replace(second.serverKey(), key);
                replace(second.serverCert(), cert);
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                        assertThat(servedSerial(trustsSecond, port)).isEqualTo(serial(second.serverCert())));
                assertThat(httpsSerial(trustsSecond, server.httpPort())).isEqualTo(serial(second.serverCert()));
                assertThat(reloads(server, "mqtt", "success")).isGreaterThanOrEqualTo(1);

                CompletableFuture<String> received = new CompletableFuture<>();
                open.subscribe("reload/check", 1, (t, m) ->
                        received.complete(new String(m.getPayload(), StandardCharsets.UTF_8)));
                open.publish("reload/check", "still here".getBytes(StandardCharsets.UTF_8), 1, false);
                assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("still here");
                assertThat(open.isConnected()).isTrue();
            } finally {
                open.disconnect();
                open.close(true);
            }
        }
    }

    @Test
    void filesThatDoNotLoadKeepTheServedCertificateAndAreCounted() throws Exception {
        DevCertificates.Files certs = DevCertificates.create(dir.resolve("certs"), "kept", List.of());
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server-key.pem");
        Files.copy(certs.serverCert(), cert);
        Files.copy(certs.serverKey(), key);
        SSLContext trusting = TestTls.trusting(certs.caCert());
        try (RatatoskrServer server = start(cert, key)) {
            int port = server.mqttPort(MqttListener.Kind.TLS);
            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(reloads(server, "mqtt", "failure")).isGreaterThanOrEqualTo(1));
            assertThat(servedSerial(trusting, port)).isEqualTo(serial(certs.serverCert()));
            assertThat(reloads(server, "mqtt", "success")).isZero();
        }
    }

    private static RatatoskrServer start(Path cert, Path key) throws Exception {
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(Files.createTempDirectory("reload-data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0))
                .withTransports(TransportConfig.DEFAULTS.withMqttTls(0, cert, key).withHttpTls(cert, key)
                        .withReloadIntervalMs(200)));
    }

    /** Atomically, as a deployment tool would (write elsewhere, rename over). */
    private static void replace(Path from, Path to) throws Exception {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static BigInteger servedSerial(SSLContext trusting, int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static BigInteger httpsSerial(SSLContext trusting, int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    private static BigInteger serial(Path pem) throws Exception {
        return TestTls.certificate(pem).getSerialNumber();
    }

    private static double reloads(RatatoskrServer server, String listener, String result) {
        Counter c = server.meterRegistry().find("ratatoskr.tls.reloads").tag("listener", listener)
                .tag("result", result).counter();
        return c == null ? 0 : c.count();
    }
}
