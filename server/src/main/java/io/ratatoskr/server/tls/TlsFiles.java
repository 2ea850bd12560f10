package io.ratatoskr.server.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files of one TLS server identity and how it treats client certificates.
 *
 * <p>Thread-safety: immutable.
 *
 * @param cert       certificate chain, leaf first
 * @param key        the leaf's private key, PKCS#8 ({@code BEGIN PRIVATE KEY})
 * @param clientAuth whether clients must present a certificate (mTLS)
 * @param clientCa   the CA certificates a client certificate must chain to; null: none (then
 *                   {@code clientAuth} must be {@code NONE})
 */
public record TlsFiles(Path cert, Path key, ClientAuthMode clientAuth, Path clientCa) {
    public TlsFiles {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (clientAuth != ClientAuthMode.NONE && clientCa == null) {
            throw new IllegalArgumentException("client certificates (" + clientAuth.name().toLowerCase(
                    java.util.Locale.ROOT) + ") need a CA bundle to check them against");
        }
    }

    /** A server identity that asks no client certificate. */
    public TlsFiles(Path cert, Path key) {
        this(cert, key, ClientAuthMode.NONE, null);
    }

    /** Whether a client must, may or need not present a certificate. */
    public enum ClientAuthMode { NONE, OPTIONAL, REQUIRED }
}
