package io.ratatoskr.mqtt.server;

import io.ratatoskr.core.client.ClientInfo;
import io.ratatoskr.core.client.ClientState;
import io.ratatoskr.core.client.ConnectedClient;
import io.ratatoskr.core.session.Session;
import java.util.concurrent.CompletableFuture;

/**
 * A connected MQTT client in the listener's client list: what CONNECT said, and the way to its
 * session (for subscriptions and pending messages) and to its connection (to close it).
 *
 * <p>Thread-safety: immutable; the session answers on its loop, the connection acts on its event loop.
 */
final class MqttClientEntry implements ConnectedClient {
    private final ClientInfo info;
    private final MqttConnection connection;
    private final Session session;

    MqttConnection connection() {
        return connection;
    }

    MqttClientEntry(ClientInfo info, MqttConnection connection, Session session) {
        this.info = info;
        this.connection = connection;
        this.session = session;
    }

    @Override
    public ClientInfo info() {
        return info;
    }

    @Override
    public CompletableFuture<ClientState> state() {
        return session.snapshotLater().thenApply(ClientState::of);
    }

    @Override
    public CompletableFuture<?> disconnect() {
        return connection.administrativeDisconnect();
    }
}
