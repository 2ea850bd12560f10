package io.ratatoskr.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttListener;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.auth.AuthConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mqtt.tls.client-auth: required}: only clients with a certificate from the configured CA get in. */
class MutualTlsTest {
    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static DevCertificates.Files certs;

    @BeforeAll
    static void start() throws Exception {
        certs = DevCertificates.create(dir.resolve("certs"), "localhost", List.of());
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null)
                .withTransports(TransportConfig.DEFAULTS.withMqttTls(0, certs.serverCert(), certs.serverKey())
                        .withClientAuth(TlsFiles.ClientAuthMode.REQUIRED, certs.caCert())));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void clientWithACertificateFromTheCaRoundTrips() throws Exception {
        Path[] device = DevCertificates.client(certs.caCert().getParent(), "device-1");
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(TestTls.context(certs.caCert(), device[0], device[1]).getSocketFactory());
        MqttTlsTest.assertRoundTripV3("ssl://localhost:" + server.mqttPort(MqttListener.Kind.TLS), options, "mtls/ok");
    }

    @Test
    void clientWithoutACertificateIsRefused() throws Exception {
        assertRefused(TestTls.trusting(certs.caCert()));
    }

    @Test
    void clientWithACertificateFromAnotherCaIsRefused() throws Exception {
        DevCertificates.Files other = DevCertificates.create(dir.resolve("other"), "other", List.of());
        Path[] stranger = DevCertificates.client(other.caCert().getParent(), "stranger");
        assertRefused(TestTls.context(certs.caCert(), stranger[0], stranger[1]));
    }

    @Test
    void withoutAnonymousAccessTheCertificateAloneLogsTheClientInAsItsCommonName() throws Exception {
        try (RatatoskrServer strict = RatatoskrServer.start(server.config().withDataDir(dir.resolve("strict"))
                .withAuth(AuthConfig.DEFAULTS.withAnonymous(false)))) {
            Path[] device = DevCertificates.client(certs.caCert().getParent(), "device-2");
            MqttConnectOptions withCert = new MqttConnectOptions();
            withCert.setSocketFactory(TestTls.context(certs.caCert(), device[0], device[1]).getSocketFactory());
            MqttTlsTest.assertRoundTripV3("ssl://localhost:" + strict.mqttPort(MqttListener.Kind.TLS), withCert,
                    "mtls/login");

            // The same broker refuses a client without credentials on its plain listener (no anonymous access).
            MqttClient plain = new MqttClient("tcp://127.0.0.1:" + strict.mqttPort(), "no-cert", new MemoryPersistence());
            MqttConnectOptions none = new MqttConnectOptions();
            none.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            none.setConnectionTimeout(5);
            try {
                assertThatThrownBy(() -> plain.connect(none)).isInstanceOf(MqttException.class)
                        .extracting(e -> ((MqttException) e).getReasonCode()).isEqualTo(5);
            } finally {
                plain.close(true);
            }
        }
    }

    private static void assertRefused(SSLContext context) {
        double before = handshakeFailures();
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(context.getSocketFactory());
        options.setConnectionTimeout(5);
        assertThatThrownBy(() -> {
            MqttClient client = new MqttClient("ssl://localhost:" + server.mqttPort(MqttListener.Kind.TLS),
                    "refused", new MemoryPersistence());
            try {
                client.connect(options);
            } finally {
                client.close(true);
            }
        }).isInstanceOf(MqttException.class);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(handshakeFailures()).isGreaterThan(before));
    }

    private static double handshakeFailures() {
        return server.meterRegistry().find("ratatoskr.tls.handshake.failures").counters().stream()
                .mapToDouble(Counter::count).sum();
    }
}
