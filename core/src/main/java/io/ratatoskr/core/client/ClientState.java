package io.ratatoskr.core.client;

import io.ratatoskr.core.session.SessionSnapshot;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live part of a client's picture: its subscriptions and the messages on their way to it.
 *
 * <p>Thread-safety: immutable.
 *
 * @param subscriptions filter to maximum QoS, sorted by filter (a consumer-group stream shows
 *                      {@code $queue/<group>/<topic>})
 * @param inFlight      messages sent and not yet acknowledged
 * @param queued        messages waiting to be sent
 */
public record ClientState(Map<String, Integer> subscriptions, int inFlight, int queued) {
    public ClientState {
        subscriptions = Collections.unmodifiableMap(new TreeMap<>(subscriptions));
    }

    /** The state of a client whose subscriptions and pending messages are those of its session. */
    public static ClientState of(SessionSnapshot s) {
        Map<String, Integer> filters = new TreeMap<>();
        s.subscriptions().forEach((filter, options) -> filters.put(filter, options.qos()));
        return new ClientState(filters, s.inFlight(), s.queued());
    }
}
