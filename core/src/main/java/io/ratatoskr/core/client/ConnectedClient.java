package io.ratatoskr.core.client;

import java.util.concurrent.CompletableFuture;

/**
 * One open client connection or stream as the admin API sees it, whatever its protocol.
 * Implemented by the front ends and kept in their {@link ConnectedClients}.
 *
 * <p>Thread-safety: implementations are thread-safe; every method may be called from any thread.
 */
public interface ConnectedClient {

    /** What was known when it was established. */
    ClientInfo info();

    /**
     * Its subscriptions and pending messages, read where that state lives (e.g. on the session's
     * loop); callers wait for it with a bound.
     */
    CompletableFuture<ClientState> state();

    /**
     * Closes it because an administrator asked, in the protocol's way (MQTT 5: DISCONNECT 0x98
     * Administrative action, then the close; gRPC: the stream ends UNAVAILABLE). Returns at once;
     * a session the client keeps outlives the connection.
     *
     * @return completes once the connection or stream is closed
     */
    CompletableFuture<?> disconnect();
}
