package io.ratatoskr.http;

import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import java.util.Objects;

/**
 * Who may use the admin API besides the holder of the static bearer token ({@link HttpConfig#bearerToken}):
 * the broker's {@link Authenticator} (the one MQTT and gRPC use) checks HTTP Basic user names and
 * passwords, bearer JWTs and TLS client certificates, and the {@link Authorizer} grants read or write
 * access by role ({@link Authorizer#mayUseAdminApi}) and per durable topic ({@link Authorizer#mayAdminister}).
 *
 * <p>Thread-safety: immutable; the parts are thread-safe.
 *
 * @param authenticator checks credentials; {@link Authenticator#ANONYMOUS}: none are checked (only the
 *                      static token counts)
 * @param authorizer    decides by role; {@link Authorizer#ALLOW_ALL} when there are no ACLs
 * @param roles         whether access is decided by ACL rules ({@code acl.file} set): then a call without
 *                      credentials is asked about as the anonymous principal (deny by default); without
 *                      rules, such a call is let in only when no token is configured and the
 *                      authenticator admits anonymous clients (the broker's open default)
 */
public record AdminSecurity(Authenticator authenticator, Authorizer authorizer, boolean roles) {
    /** Only the static token, if any: the admin API as it is without authentication configured. */
    public static final AdminSecurity NONE = new AdminSecurity(Authenticator.ANONYMOUS, Authorizer.ALLOW_ALL, false);

    /**
     * While the broker starts and its authenticator is not up yet: only the static token (and the
     * probes) get through; anything else is answered 503.
     */
    public static final AdminSecurity STARTING = new AdminSecurity(c -> java.util.concurrent.CompletableFuture
            .completedFuture(new io.ratatoskr.core.security.AuthResult.Refused(
                    io.ratatoskr.core.security.AuthResult.Reason.UNAVAILABLE, "the node is starting")),
            Authorizer.ALLOW_ALL, true);

    public AdminSecurity {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(authorizer, "authorizer");
    }

    /** Whether credentials other than the static token are checked at all. */
    boolean checksCredentials() {
        return authenticator != Authenticator.ANONYMOUS;
    }
}
