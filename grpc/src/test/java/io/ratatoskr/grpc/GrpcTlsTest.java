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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    void aReplacedCertificateServesNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
        SelfSignedCert first = SelfSignedCert.create(Files.createDirectories(dir.resolve("first")));
        SelfSignedCert second = SelfSignedCert.create(Files.createDirectories(dir.resolve("second")));
        Path cert = Files.copy(first.certPem(), dir.resolve("cert.pem"));
        Path key = Files.copy(first.keyPem(), dir.resolve("key.pem"));
        try (GrpcTestBroker b = GrpcTestBroker.start(dir.resolve("data"), g -> g.withTls(new GrpcTls(cert, key)))) {
            ManagedChannel old = trusting(first.certPem(), b.port());
            try {
                assertThat(health(old)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                assertThat(b.server().reloadTlsIfChanged()).as("unchanged files").isFalse();

                Files.copy(second.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(second.certPem(), cert, StandardCopyOption.REPLACE_EXISTING);
                assertThat(b.server().reloadTlsIfChanged()).isTrue();

                ManagedChannel renewed = trusting(second.certPem(), b.port());
                ManagedChannel stale = trusting(first.certPem(), b.port());
                try {
                    assertThat(health(renewed)).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                    assertThatThrownBy(() -> health(stale)).isInstanceOf(StatusRuntimeException.class);
                    assertThat(health(old)).as("the connection made before the reload")
                            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                } finally {
                    renewed.shutdownNow();
                    stale.shutdownNow();
                }
                assertThat(b.registry().get("ratatoskr.tls.reloads").tag("listener", "grpc").tag("result", "success")
                        .counter().count()).isEqualTo(1);
            } finally {
                old.shutdownNow();
            }
        }
    }

    private static ManagedChannel trusting(Path certPem, int port) throws Exception {
        return NettyChannelBuilder.forAddress("localhost", port)
                .sslContext(GrpcSslContexts.forClient().trustManager(certPem.toFile()).build()).build();
    }

    private static HealthCheckResponse.ServingStatus health(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    @Test
    void missingCertificateFilesAreAClearConfigurationError() {
        assertThatThrownBy(() -> new GrpcTls(dir.resolve("none.pem"), dir.resolve("none.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none.pem");
    }
}
