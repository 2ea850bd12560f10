package io.ratatoskr.core.security;

import java.util.concurrent.CompletableFuture;

/**
 * Decides who a connecting client is. Checking a password hash or a token signature is slow on
 * purpose, so the answer is a future: callers (network threads) must not wait for it, and
 * implementations do the slow work on their own bounded executor.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
@FunctionalInterface
public interface Authenticator {

    /** Everyone is let in, as an anonymous principal: the embedded default (loopback only). */
    Authenticator ANONYMOUS = c -> CompletableFuture.completedFuture(
            new AuthResult.Accepted(Principal.anonymous(c.clientId())));

    /** Completes with the outcome; never completes exceptionally for bad credentials. */
    CompletableFuture<AuthResult> authenticate(Credentials credentials);

    /**
     * Starts a challenge-response authentication with the named method (MQTT 5 Authentication Method,
     * e.g. {@code SCRAM-SHA-256}), or returns null when this authenticator does not offer that method.
     * The user name, if the method has one, comes in the exchange's messages, not in {@code credentials}.
     * Cheap: no slow work before the first {@link AuthExchange#respond}.
     */
    default AuthExchange exchange(String method, Credentials credentials) {
        return null;
    }
}
