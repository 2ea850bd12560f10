package io.ratatoskr.server.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes development certificates with the {@code openssl} command (OpenSSL 1.1.1 or 3): a private
 * CA, a server certificate signed by it for localhost, 127.0.0.1, ::1 and any given names, and client
 * certificates for mTLS. EC P-256 keys, PKCS#8 PEM. The same steps are in docs/security.md for doing
 * by hand.
 *
 * <p>The JDK can read certificates but has no public API to issue them, and a library only for
 * development certificates is not worth a dependency; openssl is everywhere the broker runs.
 *
 * <p>Thread-safety: stateless; concurrent calls must use different directories.
 */
public final class DevCertificates {
    /** How long a development server certificate is valid (825 days: what browsers still accept). */
    static final int SERVER_DAYS = 825;
    static final int CA_DAYS = 3650;
    private static final long OPENSSL_TIMEOUT_SECONDS = 60;

    private DevCertificates() {}

    /**
     * The files written into one directory.
     *
     * @param caCert     the CA certificate: what clients trust ({@code ca.pem})
     * @param caKey      the CA's private key, for signing more certificates ({@code ca-key.pem})
     * @param serverCert the server certificate ({@code server.pem}): {@code mqtt.tls.cert}, {@code http.tls.cert}
     * @param serverKey  its private key ({@code server-key.pem}): {@code mqtt.tls.key}, {@code http.tls.key}
     */
    public record Files(Path caCert, Path caKey, Path serverCert, Path serverKey) {}

    /**
     * Writes a new CA (unless {@code dir} holds one already) and a server certificate for
     * localhost, 127.0.0.1, ::1 and {@code hosts} (DNS names or IP addresses).
     *
     * @param subject the server certificate's common name
     */
    public static Files create(Path dir, String subject, List<String> hosts) throws IOException, InterruptedException {
        java.nio.file.Files.createDirectories(dir);
        Path ca = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca-key.pem");
        if (!java.nio.file.Files.exists(ca) || !java.nio.file.Files.exists(caKey)) {
            openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", Integer.toString(CA_DAYS), "-subj", "/CN=Ratatoskr development CA",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                    "-keyout", caKey.toString(), "-out", ca.toString());
        }
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        names.addAll(hosts);
        List<String> san = new ArrayList<>();
        for (String n : names) {
            san.add((isIpAddress(n) ? "IP:" : "DNS:") + n);
        }
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server-key.pem");
        sign(dir, ca, caKey, subject, "subjectAltName=" + String.join(",", san) + "\nextendedKeyUsage=serverAuth\n"
                + "keyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n", cert, key, SERVER_DAYS);
        return new Files(ca, caKey, cert, key);
    }

    /**
     * Writes a client certificate {@code <name>.pem} and key {@code <name>-key.pem} signed by the CA
     * in {@code dir} (made by {@link #create}), for mTLS; its common name is {@code name}.
     */
    public static Path[] client(Path dir, String name) throws IOException, InterruptedException {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        sign(dir, dir.resolve("ca.pem"), dir.resolve("ca-key.pem"), name, "extendedKeyUsage=clientAuth\n"
                + "keyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n", cert, key, SERVER_DAYS);
        return new Path[] {cert, key};
    }

    private static void sign(Path dir, Path ca, Path caKey, String subject, String extensions, Path cert, Path key,
                             int days) throws IOException, InterruptedException {
        Path csr = java.nio.file.Files.createTempFile(dir, "request", ".csr");
        Path ext = java.nio.file.Files.createTempFile(dir, "extensions", ".cnf");
        try {
            java.nio.file.Files.writeString(ext, extensions);
            openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-subj", "/CN=" + subject.replace("/", "\\/"), "-keyout", key.toString(), "-out", csr.toString());
            openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                    "-set_serial", "0x" + randomSerial(), "-days", Integer.toString(days), "-sha256",
                    "-extfile", ext.toString(), "-out", cert.toString());
        } finally {
            java.nio.file.Files.deleteIfExists(csr);
            java.nio.file.Files.deleteIfExists(ext);
        }
    }

    /** 64 random bits: serials must be unique per CA (RFC 5280 §4.1.2.2). */
    private static String randomSerial() {
        byte[] b = new byte[8];
        new java.security.SecureRandom().nextBytes(b);
        b[0] &= 0x7f;
        return java.util.HexFormat.of().formatHex(b);
    }

    private static boolean isIpAddress(String name) {
        return name.contains(":") || name.matches("[0-9.]+");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("the openssl command is needed to make certificates and was not found ("
                    + e.getMessage() + "); install OpenSSL or follow docs/security.md", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(OPENSSL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl " + args[0] + " failed: " + output.strip());
        }
    }
}
