package io.ratatoskr.grpc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the gRPC listener: the server's certificate chain and private key, PEM files. Only TLS 1.3
 * and 1.2 are offered, with the JDK's or OpenSSL's default modern cipher suites (grpc-java's
 * HTTP/2 profile, which excludes the suites HTTP/2 forbids).
 *
 * <p>Thread-safety: immutable.
 *
 * @param certChainPem  the certificate chain, leaf first (PEM)
 * @param privateKeyPem the private key of the leaf certificate (PKCS#8 PEM)
 */
public record GrpcTls(Path certChainPem, Path privateKeyPem) {
    public GrpcTls {
        Objects.requireNonNull(certChainPem, "certChainPem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        for (Path p : new Path[] {certChainPem, privateKeyPem}) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("gRPC TLS file " + p + " does not exist or is not readable");
            }
        }
    }
}
