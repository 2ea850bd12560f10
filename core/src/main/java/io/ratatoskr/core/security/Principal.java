package io.ratatoskr.core.security;

import java.util.Objects;
import java.util.Set;

/**
 * Who a connection or an API call acts as, once authenticated: what authorization decides on.
 *
 * <p>Thread-safety: immutable.
 *
 * @param username the authenticated user name; null for an anonymous client (a user name an
 *                 anonymous client sent is not trusted, so it is not kept here)
 * @param clientId the MQTT client identifier, or the gRPC caller's stream/client name; never null
 * @param groups   ACL groups (from the password file's entry or a JWT claim); empty when none
 * @param method   how it was established: {@code anonymous}, {@code password}, {@code jwt}, {@code mtls}
 */
public record Principal(String username, String clientId, Set<String> groups, String method) {
    public static final String ANONYMOUS = "anonymous";

    public Principal {
        Objects.requireNonNull(clientId, "clientId");
        groups = Set.copyOf(groups);
        Objects.requireNonNull(method, "method");
    }

    /** An anonymous client (allowed only where the configuration allows anonymous access). */
    public static Principal anonymous(String clientId) {
        return new Principal(null, clientId, Set.of(), ANONYMOUS);
    }

    public boolean isAnonymous() {
        return username == null;
    }
}
