package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Credentials;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client certificates (made by openssl) map to user names by CN or SAN. */
class CertificateUsernamesTest {
    @TempDir
    Path dir;

    private X509Certificate certificate(String subject, String san) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.resolve("key.pem").toString(), "-out",
                cert.toString(), "-days", "1", "-subj", subject, "-addext", "subjectAltName=" + san)
                .redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        try (InputStream in = Files.newInputStream(cert)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void leafCertificateMapsByCommonNameOrAlternativeName() throws Exception {
        X509Certificate cert = certificate("/O=Ratatoskr/OU=devices/CN=sensor-17",
                "email:ops@example.test,DNS:sensor-17.example.test,URI:spiffe://example.test/sensor-17");
        List<X509Certificate> chain = List.of(cert);
        assertThat(CertificateUsernames.username(chain, CertificateUsernames.Source.CN)).contains("sensor-17");
        assertThat(CertificateUsernames.username(chain, CertificateUsernames.Source.SAN_EMAIL))
                .contains("ops@example.test");
        assertThat(CertificateUsernames.username(chain, CertificateUsernames.Source.SAN_DNS))
                .contains("sensor-17.example.test");
        assertThat(CertificateUsernames.username(chain, CertificateUsernames.Source.SAN_URI))
                .contains("spiffe://example.test/sensor-17");
        assertThat(CertificateUsernames.username(List.of(), CertificateUsernames.Source.CN)).isEmpty();
    }

    @Test
    void authenticatorAcceptsAVerifiedCertificateAsItsCommonName() throws Exception {
        X509Certificate cert = certificate("/CN=gateway", "DNS:gateway.example.test");
        assertThat(CertificateUsernames.username(List.of(cert), CertificateUsernames.Source.SAN_EMAIL)).isEmpty();
        try (CredentialsAuthenticator auth = new CredentialsAuthenticator(AuthConfig.DEFAULTS.withAnonymous(false),
                new SimpleMeterRegistry(), java.time.Clock.systemUTC())) {
            AuthResult r = auth.authenticate(new Credentials("mqtt", "gw", null, null, List.of(cert),
                    new InetSocketAddress("127.0.0.1", 1))).get();
            assertThat(r).isInstanceOfSatisfying(AuthResult.Accepted.class, a -> {
                assertThat(a.principal().username()).isEqualTo("gateway");
                assertThat(a.principal().method()).isEqualTo("mtls");
            });
        }
    }
}
