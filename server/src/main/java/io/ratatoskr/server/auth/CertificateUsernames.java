package io.ratatoskr.server.auth;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The user name of a verified TLS client certificate chain (leaf first): its subject's common name
 * or its first subject alternative name of a kind. The chain is trusted as given: the TLS layer has
 * verified it against the configured client CA before it gets here.
 *
 * <p>Thread-safety: stateless.
 */
public final class CertificateUsernames {

    /** Where the user name is read from. */
    public enum Source {
        /** The subject's CN (the most specific one, when there are several). */
        CN,
        /** The first rfc822Name subject alternative name. */
        SAN_EMAIL,
        /** The first dNSName subject alternative name. */
        SAN_DNS,
        /** The first uniformResourceIdentifier subject alternative name. */
        SAN_URI
    }

    private CertificateUsernames() {}

    /** The user name of {@code chain}'s leaf, or empty when the chain is empty or has no such name. */
    public static Optional<String> username(List<X509Certificate> chain, Source source) {
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate leaf = chain.get(0);
        return switch (source) {
            case CN -> commonName(leaf);
            case SAN_EMAIL -> alternativeName(leaf, 1);
            case SAN_DNS -> alternativeName(leaf, 2);
            case SAN_URI -> alternativeName(leaf, 6);
        };
    }

    private static Optional<String> commonName(X509Certificate cert) {
        try {
            List<Rdn> rdns = new LdapName(cert.getSubjectX500Principal().getName()).getRdns();
            // LdapName lists the RDNs from the least specific; the last CN is the most specific.
            String cn = null;
            for (Rdn rdn : rdns) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                }
            }
            return Optional.ofNullable(cn).filter(s -> !s.isBlank());
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    /** The first SAN of {@code type} (RFC 5280 §4.2.1.6 GeneralName tag: 1 email, 2 DNS, 6 URI). */
    private static Optional<String> alternativeName(X509Certificate cert, int type) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return Optional.empty();
            }
            for (List<?> name : names) {
                if (name.size() >= 2 && name.get(0) instanceof Integer t && t == type
                        && name.get(1) instanceof String value && !value.isBlank()) {
                    return Optional.of(value);
                }
            }
            return Optional.empty();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
    }
}
