package io.ratatoskr.core.security;

import java.util.concurrent.CompletableFuture;

/**
 * One challenge-response (SASL-style) authentication in progress, as MQTT 5 enhanced authentication
 * carries it (MQTT 5.0 §4.12): the client's data goes in, the server's challenge or final answer comes
 * out, until {@link Step.Finished}. Started by {@link Authenticator#exchange}.
 *
 * <p>Thread-safety: steps are strictly sequential — the caller does not call {@link #respond} again
 * before the previous future completed. The slow work runs on the authenticator's own executor; the
 * futures may complete on any thread.
 */
public interface AuthExchange {

    /**
     * Takes the client's next message (the first one: the data that came with the method, possibly
     * null) and completes with what to send back. Never completes exceptionally for bad client input: that
     * is a {@link Step.Finished} with a {@link AuthResult.Refused}.
     */
    CompletableFuture<Step> respond(byte[] clientData);

    /** What the server answers to one client message. */
    sealed interface Step {
        /** More is needed: send {@code data} to the client and wait for its next message. */
        record Challenge(byte[] data) implements Step {}

        /**
         * The exchange is over. {@code data} is the server's last message (for SCRAM: its signature, which
         * the client checks) or null; it is sent only with a success.
         */
        record Finished(AuthResult result, byte[] data) implements Step {}
    }
}
