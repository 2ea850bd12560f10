package io.ratatoskr.server.auth;

import io.ratatoskr.core.security.AuthExchange;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.server.auth.CredentialsAuthenticator.FailureReason;
import io.ratatoskr.server.auth.CredentialsAuthenticator.Outcome;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One SCRAM-SHA-256 login through {@link CredentialsAuthenticator}: the failed-login limit is checked
 * before the first message, each step runs on the authentication threads (a full queue refuses as
 * unavailable), and a refusal is counted, logged and charged to the source address like a wrong password.
 * Messages: client-first in, server-first out; client-final in, server-final ({@code v=} signature) out
 * with the principal ({@code method = "scram-sha-256"}).
 *
 * <p>Thread-safety: steps are sequential (the {@link AuthExchange} contract); the volatile step count makes
 * each step's state visible to the next, which may run on another authentication thread.
 */
final class ScramLogin implements AuthExchange {
    static final String PRINCIPAL_METHOD = "scram-sha-256";

    private final CredentialsAuthenticator authenticator;
    private final ScramSha256.Exchange exchange;
    private final Credentials credentials;
    private volatile int steps;

    ScramLogin(CredentialsAuthenticator authenticator, ScramSha256.Exchange exchange, Credentials credentials) {
        this.authenticator = authenticator;
        this.exchange = exchange;
        this.credentials = credentials;
    }

    @Override
    public CompletableFuture<Step> respond(byte[] clientData) {
        int step = steps++;
        if (step == 0 && authenticator.limited(credentials)) {
            return CompletableFuture.completedFuture(refused(CredentialsAuthenticator.RATE_LIMITED));
        }
        byte[] data = clientData == null ? null : clientData.clone();
        return authenticator.onAuthThreads(() -> decide(step, data),
                () -> refused(CredentialsAuthenticator.OVERLOADED));
    }

    private Step decide(int step, byte[] data) {
        ScramSha256.Step answer = step == 0 ? exchange.first(data) : exchange.last(data);
        return switch (answer) {
            case ScramSha256.Step.Challenge c -> new Step.Challenge(c.serverFirst().getBytes(StandardCharsets.UTF_8));
            case ScramSha256.Step.Verified v -> new Step.Finished(new AuthResult.Accepted(new Principal(v.username(),
                    credentials.clientId(), authenticator.groupsOf(v.username()), PRINCIPAL_METHOD)),
                    v.serverFinal().getBytes(StandardCharsets.UTF_8));
            case ScramSha256.Step.Failed f -> refused(CredentialsAuthenticator.refused(AuthResult.Reason.BAD_CREDENTIALS,
                    switch (f.failure()) {
                        case MALFORMED -> FailureReason.BAD_SCRAM_MESSAGE;
                        case UNKNOWN_USER -> FailureReason.UNKNOWN_USER;
                        case BAD_PROOF -> FailureReason.BAD_PASSWORD;
                    }, "SCRAM-SHA-256: " + f.detail()));
        };
    }

    /** Counted and logged under the user name the client gave (if it got that far). */
    private Step refused(Outcome outcome) {
        Credentials named = new Credentials(credentials.protocol(), credentials.clientId(), exchange.username(), null,
                credentials.peerCertificates(), credentials.remoteAddress());
        return new Step.Finished(authenticator.finish(named, outcome), null);
    }
}
