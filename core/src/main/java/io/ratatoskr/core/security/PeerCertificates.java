package io.ratatoskr.core.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The client certificates of a TLS connection, for {@link Credentials#peerCertificates}.
 *
 * <p>Thread-safety: stateless.
 */
public final class PeerCertificates {
    private PeerCertificates() {
    }

    /**
     * The peer's certificate chain, leaf first, as the handshake of {@code session} verified it; empty
     * when the peer sent none (or {@code session} is null).
     */
    public static List<X509Certificate> of(SSLSession session) {
        if (session == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return List.copyOf(chain);
        } catch (SSLPeerUnverifiedException none) {
            return List.of();
        }
    }
}
