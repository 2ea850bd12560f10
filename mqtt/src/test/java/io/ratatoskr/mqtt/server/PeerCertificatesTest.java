package io.ratatoskr.mqtt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.testkit.SelfSignedCert;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS listener that asks for client certificates hands the verified chain to the connection
 * ({@link MqttConnection#peerCertificates}), where authentication maps it to a user.
 */
class PeerCertificatesTest {
    @TempDir
    static Path dir;
    private static SelfSignedCert serverCert;
    private static SelfSignedCert clientCert;
    private static MqttServer server;

    @BeforeAll
    static void start() throws Exception {
        serverCert = SelfSignedCert.create(Files.createDirectories(dir.resolve("server")));
        clientCert = SelfSignedCert.create(Files.createDirectories(dir.resolve("client")));
        SslContext tls = SslContextBuilder.forServer(serverCert.certPem().toFile(), serverCert.keyPem().toFile())
                .sslProvider(SslProvider.JDK).clientAuth(ClientAuth.OPTIONAL)
                .trustManager(clientCert.certPem().toFile()).build();
        Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), Clock.systemUTC(),
                new BrokerMetrics(new SimpleMeterRegistry()));
        server = new MqttServer(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0), broker, new SplittableRandom(7));
        server.listen(MqttListener.tls(0, () -> tls));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void verifiedClientChainIsVisibleToTheConnection() throws Exception {
        MqttClient client = connect("with-cert", true);
        try {
            List<X509Certificate> chain = peerCertificatesOfTheOnlyConnection();
            assertThat(chain).hasSize(1);
            assertThat(chain.getFirst()).isEqualTo(read(clientCert.certPem()));
        } finally {
            client.disconnect();
            client.close(true);
        }
    }

    @Test
    void clientWithoutCertificateHasNoPeerCertificates() throws Exception {
        MqttClient client = connect("without-cert", false);
        try {
            assertThat(peerCertificatesOfTheOnlyConnection()).isEmpty();
        } finally {
            client.disconnect();
            client.close(true);
        }
    }

    private static MqttClient connect(String id, boolean withCert) throws Exception {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(serverCert.certPem().toFile());
        if (withCert) {
            b.keyManager(clientCert.certPem().toFile(), clientCert.keyPem().toFile());
        }
        SSLContext jdk = ((JdkSslContext) b.build()).context();
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(jdk.getSocketFactory());
        MqttClient client = new MqttClient("ssl://localhost:" + server.port(MqttListener.Kind.TLS), id,
                new MemoryPersistence());
        client.connect(options);
        return client;
    }

    private static List<X509Certificate> peerCertificatesOfTheOnlyConnection() {
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connections().size() == 1);
        return server.connections().getFirst().peerCertificates();
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
