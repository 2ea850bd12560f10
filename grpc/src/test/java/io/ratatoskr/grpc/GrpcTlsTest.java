package io.ratatoskr.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupsConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.testkit.SelfSignedCert;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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

        ScheduledExecutorService pool = Executors.newScheduledThreadPool(1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), Clock.systemUTC(),
                new BrokerMetrics(registry));
        try (DurableTopics topics = DurableTopics.open(dir.resolve("topics"), DurableTopicsConfig.DEFAULTS,
                LogEnvironment.system(), registry);
             ConsumerGroups groups = ConsumerGroups.open(dir.resolve("groups"), topics, Clock.systemUTC(), pool,
                     registry, GroupsConfig.DEFAULTS);
             GrpcServer server = new GrpcServer(GrpcConfig.DEFAULTS.withPort(0).withTls(new GrpcTls(cert, key)),
                     new GrpcBackend(broker, topics, groups), registry)) {
            server.start();

            ManagedChannel tls = NettyChannelBuilder.forAddress("localhost", server.port())
                    .sslContext(GrpcSslContexts.forClient().trustManager(cert.toFile()).build()).build();
            ManagedChannel plain = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                HealthCheckResponse r = HealthGrpc.newBlockingStub(tls).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

                assertThatThrownBy(() -> HealthGrpc.newBlockingStub(plain).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            } finally {
                tls.shutdownNow();
                plain.shutdownNow();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingCertificateFilesAreAClearConfigurationError() {
        assertThatThrownBy(() -> new GrpcTls(dir.resolve("none.pem"), dir.resolve("none.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none.pem");
    }
}
