package io.ratatoskr.grpc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the gRPC listener: the server's certificate chain and private key, PEM files, and whether
 * clients must present a certificate (mutual TLS). Only TLS 1.3 and 1.2 are offered, with the JDK's or
 * OpenSSL's default modern cipher suites (grpc-java's HTTP/2 profile, which excludes the suites HTTP/2
 * forbids). A verified client certificate chain reaches the authenticator with each call
 * ({@code Credentials.peerCertificates}), which may map it to a user name.
 *
 * <p>Thread-safety: immutable.
 *
 * @param certChainPem  the certificate chain, leaf first (PEM)
 * @param privateKeyPem the private key of the leaf certificate (PKCS#8 PEM)
 * @param clientAuth    whether a client certificate is asked for (null: {@link ClientAuth#NONE})
 * @param clientCa      the CA certificates (PEM) a client certificate must chain to; required unless
 *                      {@code clientAuth} is {@link ClientAuth#NONE}
 */
public record GrpcTls(Path certChainPem, Path privateKeyPem, ClientAuth clientAuth, Path clientCa) {
    /** Client certificates (mutual TLS) on the gRPC listener, as {@code mqtt.tls.client-auth}. */
    public enum ClientAuth {
        /** None asked for. */
        NONE,
        /** Asked for; one sent must chain to {@code clientCa}; a client may send none. */
        OPTIONAL,
        /** A client without a certificate from {@code clientCa} fails the handshake. */
        REQUIRED
    }

    /** TLS without client certificates. */
    public GrpcTls(Path certChainPem, Path privateKeyPem) {
        this(certChainPem, privateKeyPem, ClientAuth.NONE, null);
    }

    public GrpcTls {
        Objects.requireNonNull(certChainPem, "certChainPem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        clientAuth = clientAuth == null ? ClientAuth.NONE : clientAuth;
        if (clientAuth != ClientAuth.NONE && clientCa == null) {
            throw new IllegalArgumentException("grpc.tls.client-auth " + clientAuth.name().toLowerCase(
                    java.util.Locale.ROOT) + " needs grpc.tls.client-ca (the CA certificates of the clients)");
        }
        for (Path p : clientCa == null ? new Path[] {certChainPem, privateKeyPem}
                : new Path[] {certChainPem, privateKeyPem, clientCa}) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("gRPC TLS file " + p + " does not exist or is not readable");
            }
        }
    }
}
