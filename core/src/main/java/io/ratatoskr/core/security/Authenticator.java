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
}
