package io.ratatoskr.core.security;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a client presented to be authenticated.
 *
 * <p>Thread-safety: immutable except {@code password}, which the authenticator must not keep or
 * change (the caller clears it afterwards).
 *
 * @param protocol         {@code mqtt} or {@code grpc}
 * @param clientId         the client identifier (MQTT: after assignment of an empty one)
 * @param username         the user name sent, or null (for JWT carried in the MQTT password field,
 *                         the user name may be empty or a hint)
 * @param password         the password bytes (MQTT password field: a password or a JWT), or null
 * @param peerCertificates the verified client certificate chain of a TLS connection (leaf first);
 *                         empty without mutual TLS
 * @param remoteAddress    where the connection comes from (failed-login rate limiting is per address)
 */
public record Credentials(String protocol, String clientId, String username, byte[] password,
                          List<X509Certificate> peerCertificates, SocketAddress remoteAddress) {
    public Credentials {
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "Credentials[" + protocol + ", clientId=" + clientId + ", username=" + username + ", password="
                + (password == null ? "none" : "[hidden]") + ", certificates=" + peerCertificates.size()
                + ", remote=" + remoteAddress + "]";
    }
}
