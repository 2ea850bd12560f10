package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ratatoskr cert dev}: a CA and a server certificate it signed, for the local names and the given hosts. */
class CertCommandTest {
    @TempDir
    Path dir;

    @Test
    void certDevWritesACaAndAServerCertificateForLocalhostAndTheGivenHosts() throws Exception {
        CliRun run = CliRun.run("cert", "dev", "--dir", dir.toString(), "--host", "broker.example", "--host", "10.1.2.3");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("mqtt.tls.cert: " + dir.resolve("server.pem").toAbsolutePath());

        X509Certificate ca = read(dir.resolve("ca.pem"));
        X509Certificate server = read(dir.resolve("server.pem"));
        server.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        List<String> names = server.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1)))
                .toList();
        assertThat(names).contains("localhost", "127.0.0.1", "broker.example", "10.1.2.3")
                .anySatisfy(ip -> assertThat(ip).startsWith("0:0:0:0:0:0:0:1"));
        assertThat(Files.readString(dir.resolve("server-key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");

        // A second run keeps the CA: clients that trust it keep working.
        assertThat(CliRun.run("cert", "dev", "--dir", dir.toString()).exit()).isZero();
        assertThat(read(dir.resolve("ca.pem"))).isEqualTo(ca);
        read(dir.resolve("server.pem")).verify(ca.getPublicKey());
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList())
                .isEqualTo(List.of("ca-key.pem", "ca.pem", "server-key.pem", "server.pem"));
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
