package io.ratatoskr.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.grpc.GrpcTls;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.auth.AuthConfig;
import io.ratatoskr.server.security.AclConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grpc.tls.client-auth}: the gRPC listener asks for client certificates, checks them against
 * {@code grpc.tls.client-ca}, and the verified certificate logs the caller in as its common name, whose
 * ACL rules then decide. Certificates are made by {@code openssl} through {@link DevCertificates}.
 */
class GrpcMutualTlsTest {
    @TempDir
    static Path dir;
    private static DevCertificates.Files certs;
    private static Path acl;
    private static Path[] device;

    @BeforeAll
    static void certificates() throws Exception {
        certs = DevCertificates.create(dir.resolve("certs"), "localhost", List.of());
        device = DevCertificates.client(certs.caCert().getParent(), "device-1");
        acl = Files.writeString(dir.resolve("acl.conf"), """
                ratatoskr-acl 1
                user device-1
                allow admin devices.device-1
                """);
    }

    private static RatatoskrServer start(String name, GrpcTls.ClientAuth mode) throws InterruptedException {
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve(name))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withHttp(null)
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0).withTls(new GrpcTls(certs.serverCert(), certs.serverKey(),
                        mode, certs.caCert())))
                .withAuth(AuthConfig.DEFAULTS.withAnonymous(false))
                .withAcl(AclConfig.DEFAULTS.withFile(acl)));
    }

    private static ManagedChannel channel(RatatoskrServer server, Path[] clientCert) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(certs.caCert().toFile());
        if (clientCert != null) {
            ssl.keyManager(clientCert[0].toFile(), clientCert[1].toFile());
        }
        return NettyChannelBuilder.forAddress("localhost", server.grpcPort()).sslContext(ssl.build()).build();
    }

    private static void shutdown(ManagedChannel... channels) {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
    }

    private static void createTopic(ManagedChannel channel, String name) {
        RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .createTopic(CreateTopicRequest.newBuilder().setName(name).build());
    }

    private static Status.Code failure(ManagedChannel channel, String topic) {
        try {
            createTopic(channel, topic);
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("the call was expected to fail");
    }

    @Test
    void requiredClientCertificatesLogTheCallerInAsTheirCommonName() throws Exception {
        DevCertificates.Files other = DevCertificates.create(dir.resolve("other"), "other", List.of());
        Path[] stranger = DevCertificates.client(other.caCert().getParent(), "device-1");
        try (RatatoskrServer server = start("required", GrpcTls.ClientAuth.REQUIRED)) {
            ManagedChannel withCert = channel(server, device);
            ManagedChannel withoutCert = channel(server, null);
            ManagedChannel foreign = channel(server, stranger);
            try {
                createTopic(withCert, "devices.device-1");
                assertThat(failure(withCert, "devices.device-2")).as("the ACL decided for user device-1")
                        .isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(failure(withoutCert, "devices.device-1")).as("no certificate: no handshake")
                        .isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(failure(foreign, "devices.device-1")).as("a certificate of another CA")
                        .isEqualTo(Status.Code.UNAVAILABLE);
            } finally {
                shutdown(withCert, withoutCert, foreign);
            }
        }
    }

    @Test
    void optionalClientCertificatesLetACallerWithoutOneReachAuthentication() throws Exception {
        try (RatatoskrServer server = start("optional", GrpcTls.ClientAuth.OPTIONAL)) {
            ManagedChannel withCert = channel(server, device);
            ManagedChannel withoutCert = channel(server, null);
            try {
                createTopic(withCert, "devices.device-1");
                assertThat(failure(withoutCert, "devices.device-1")).as("connected, but no credentials")
                        .isEqualTo(Status.Code.UNAUTHENTICATED);
            } finally {
                shutdown(withCert, withoutCert);
            }
        }
        assertThatThrownBy(() -> new GrpcTls(certs.serverCert(), certs.serverKey(), GrpcTls.ClientAuth.REQUIRED, null))
                .hasMessageContaining("grpc.tls.client-ca");
    }
}
