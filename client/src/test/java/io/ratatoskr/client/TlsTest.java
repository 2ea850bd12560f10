package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.grpc.GrpcTls;
import io.ratatoskr.testkit.SelfSignedCert;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {
    @TempDir
    Path dir;

    @Test
    void aClientTrustingTheBrokersCertificatePublishesOverTlsAndAPlaintextClientCannot() throws Exception {
        SelfSignedCert cert = SelfSignedCert.create(dir);
        try (TestBroker server = TestBroker.start(dir.resolve("data"),
                GrpcConfig.DEFAULTS.withTls(new GrpcTls(cert.certPem(), cert.keyPem())))) {
            server.durableTopics().create("orders", TopicConfig.DEFAULTS);

            try (RatatoskrClient tls = RatatoskrClient.builder().host("localhost").port(server.grpcPort())
                    .tls(cert.certPem()).defaultDeadline(Duration.ofSeconds(10)).build();
                 RatatoskrClient plain = RatatoskrClient.builder().host("127.0.0.1").port(server.grpcPort())
                         .defaultDeadline(Duration.ofSeconds(10)).build()) {
                PublishResult r = tls.publish("orders", "over tls").join();
                assertThat(r.stored()).isTrue();
                assertThat(server.durableTopics().describe("orders").messages()).isEqualTo(1);

                assertThatThrownBy(() -> plain.publish("orders", "in clear").join())
                        .isInstanceOf(CompletionException.class).cause()
                        .isInstanceOfSatisfying(RatatoskrClientException.class,
                                e -> assertThat(e.status()).isEqualTo(Status.Code.UNAVAILABLE));
                assertThat(server.durableTopics().describe("orders").messages()).isEqualTo(1);
            }
        }
    }
}
