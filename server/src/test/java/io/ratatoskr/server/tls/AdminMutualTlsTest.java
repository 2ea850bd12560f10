package io.ratatoskr.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.auth.AuthConfig;
import io.ratatoskr.server.security.AclConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.tls.client-auth}: the admin API's HTTPS listener asks for client certificates, checks them
 * against {@code http.tls.client-ca}, and the verified certificate logs the caller in as its common name,
 * whose ACL {@code admin-api} role then decides. Real server, the JDK's {@link HttpClient}, certificates
 * made by {@code openssl} through {@link DevCertificates}.
 */
class AdminMutualTlsTest {
    private static final String TOKEN = "scripts-t0ken";

    @TempDir
    static Path dir;
    private static DevCertificates.Files certs;
    private static Path acl;
    private static Path[] operator;
    private static Path[] viewer;
    private static Path[] stranger;

    @BeforeAll
    static void certificates() throws Exception {
        certs = DevCertificates.create(dir.resolve("certs"), "localhost", List.of());
        operator = DevCertificates.client(certs.caCert().getParent(), "operator");
        viewer = DevCertificates.client(certs.caCert().getParent(), "viewer");
        DevCertificates.Files other = DevCertificates.create(dir.resolve("other"), "other", List.of());
        stranger = DevCertificates.client(other.caCert().getParent(), "operator");
        acl = Files.writeString(dir.resolve("acl.conf"), """
                ratatoskr-acl 1
                user operator
                allow admin-api write
                allow admin #
                user viewer
                allow admin-api read
                """);
    }

    private static RatatoskrServer start(String name, TlsFiles.ClientAuthMode mode) throws InterruptedException {
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve(name))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null)
                .withHttp(HttpConfig.DEFAULTS.withPort(0).withBearerToken(TOKEN))
                .withTransports(TransportConfig.DEFAULTS.withHttpTls(certs.serverCert(), certs.serverKey())
                        .withHttpClientAuth(mode, certs.caCert()))
                .withAuth(AuthConfig.DEFAULTS.withAnonymous(false))
                .withAcl(AclConfig.DEFAULTS.withFile(acl)));
    }

    /** A client trusting the test CA, presenting {@code clientCert} (cert, key) unless null. */
    private static HttpClient client(Path[] clientCert) throws Exception {
        SSLContext tls = clientCert == null ? TestTls.trusting(certs.caCert())
                : TestTls.context(certs.caCert(), clientCert[0], clientCert[1]);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static int call(HttpClient client, RatatoskrServer server, String method, String path, String body,
                            String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.httpPort() + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static int createTopic(HttpClient client, RatatoskrServer server, String name) throws Exception {
        return call(client, server, "POST", "/api/v1/topics", "{\"name\": \"" + name + "\"}", null);
    }

    @Test
    void requiredClientCertificatesLogTheCallerInWithTheRoleTheAclGivesIt() throws Exception {
        try (RatatoskrServer server = start("required", TlsFiles.ClientAuthMode.REQUIRED)) {
            HttpClient asOperator = client(operator);
            assertThat(createTopic(asOperator, server, "made-by-operator")).isEqualTo(201);
            assertThat(call(asOperator, server, "GET", "/api/v1/topics/made-by-operator", null, null))
                    .isEqualTo(200);

            HttpClient asViewer = client(viewer);
            assertThat(call(asViewer, server, "GET", "/api/v1/topics", null, null)).as("admin-api read")
                    .isEqualTo(200);
            assertThat(createTopic(asViewer, server, "made-by-viewer")).as("a write needs admin-api write")
                    .isEqualTo(403);
            assertThat(server.durableTopics().list()).extracting(t -> t.name()).contains("made-by-operator")
                    .doesNotContain("made-by-viewer");
        }
    }

    @Test
    void requiredClientCertificatesRefuseTheHandshakeWithoutATrustedOne() throws Exception {
        try (RatatoskrServer server = start("refused", TlsFiles.ClientAuthMode.REQUIRED)) {
            assertThatThrownBy(() -> call(client(null), server, "GET", "/api/v1/topics", null, "Bearer " + TOKEN))
                    .as("no certificate, even with the token").isInstanceOf(IOException.class);
            assertThatThrownBy(() -> call(client(stranger), server, "GET", "/api/v1/topics", null, null))
                    .as("a certificate of another CA").isInstanceOf(IOException.class);
            assertThat(call(client(operator), server, "GET", "/api/v1/topics", null, null)).isEqualTo(200);
        }
    }

    @Test
    void optionalClientCertificatesLetACallerWithoutOneUseTheToken() throws Exception {
        try (RatatoskrServer server = start("optional", TlsFiles.ClientAuthMode.OPTIONAL)) {
            HttpClient noCertificate = client(null);
            assertThat(call(noCertificate, server, "GET", "/api/v1/topics", null, null)).as("no credentials")
                    .isEqualTo(401);
            assertThat(call(noCertificate, server, "POST", "/api/v1/topics", "{\"name\": \"by-token\"}",
                    "Bearer " + TOKEN)).as("the static token").isEqualTo(201);
            assertThat(createTopic(client(operator), server, "by-certificate")).isEqualTo(201);
            assertThatThrownBy(() -> call(client(stranger), server, "GET", "/api/v1/topics", null, null))
                    .as("a certificate sent is checked: another CA's fails the handshake")
                    .isInstanceOf(IOException.class);
        }
    }
}
