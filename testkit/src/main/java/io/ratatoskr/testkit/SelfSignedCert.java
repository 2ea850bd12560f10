package io.ratatoskr.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for localhost and 127.0.0.1 (EC P-256, one day), made by the
 * {@code openssl} command (installed by .ci/run), for TLS tests.
 *
 * <p>Thread-safety: immutable.
 *
 * @param certPem the certificate, PEM; also what a client trusts
 * @param keyPem  its private key, PKCS#8 PEM
 */
public record SelfSignedCert(Path certPem, Path keyPem) {

    /** Writes {@code cert.pem} and {@code key.pem} into {@code dir}. */
    public static SelfSignedCert create(Path dir) throws IOException, InterruptedException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl could not make a test certificate: " + output);
        }
        return new SelfSignedCert(cert, key);
    }
}
