package io.ratatoskr.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import io.ratatoskr.testkit.SelfSignedCert;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC over TLS with a self-signed certificate. */
class GrpcTlsTest {
    @TempDir
    Path dir;

    @Test
    void aClientTrustingTheCertificateTalksTlsAndAPlaintextClientIsRefused() throws Exception {
        SelfSignedCert tlsFiles = SelfSignedCert.create(dir);
        Path cert = tlsFiles.certPem();
        Path key = tlsFiles.keyPem();

        try (GrpcTestBroker b = GrpcTestBroker.start(dir, g -> g.withTls(new GrpcTls(cert, key)))) {
            ManagedChannel tls = NettyChannelBuilder.forAddress("localhost", b.port())
                    .sslContext(GrpcSslContexts.forClient().trustManager(cert.toFile()).build()).build();
            try {
                HealthCheckResponse r = HealthGrpc.newBlockingStub(tls).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

                // The fixture's own channel is plaintext.
                assertThatThrownBy(() -> HealthGrpc.newBlockingStub(b.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            } finally {
                tls.shutdownNow();
            }
        }
    }

    @Test
    void missingCertificateFilesAreAClearConfigurationError() {
        assertThatThrownBy(() -> new GrpcTls(dir.resolve("none.pem"), dir.resolve("none.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none.pem");
    }
}
