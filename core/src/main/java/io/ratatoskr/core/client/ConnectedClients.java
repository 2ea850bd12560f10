package io.ratatoskr.core.client;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections or streams of one front end, by client id: O(1) to add and remove, so it
 * costs nothing per connect; listing sorts (admin calls only).
 *
 * <p>Thread-safety: thread-safe (a concurrent map). A client id maps to one entry: a newer
 * connection with the same id (an MQTT takeover) replaces the older, whose later removal then
 * leaves the newer in place.
 */
public final class ConnectedClients {
    private final Map<String, ConnectedClient> clients = new ConcurrentHashMap<>();

    /** Adds {@code client}, replacing an older entry with the same id. */
    public void add(ConnectedClient client) {
        clients.put(client.info().clientId(), client);
    }

    /** Removes {@code client} if it is still the entry of its id. */
    public void remove(ConnectedClient client) {
        clients.remove(client.info().clientId(), client);
    }

    /** The client with this id, or null. */
    public ConnectedClient get(String clientId) {
        return clients.get(clientId);
    }

    public int size() {
        return clients.size();
    }

    /** At most {@code limit} clients whose id sorts after {@code after} (null: from the first), by id. */
    public List<ConnectedClient> page(String after, int limit) {
        return clients.values().stream()
                .filter(c -> after == null || c.info().clientId().compareTo(after) > 0)
                .sorted(Comparator.comparing(c -> c.info().clientId()))
                .limit(limit)
                .toList();
    }
}
