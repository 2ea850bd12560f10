package io.ratatoskr.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ratatoskr.core.client.ClientInfo;
import io.ratatoskr.core.client.ClientState;
import java.time.Instant;
import java.util.List;

/**
 * A connected client (an MQTT connection, a gRPC Subscribe or Consume stream) as
 * {@code GET /api/v1/clients} lists it; {@code GET /api/v1/clients/{clientId}} adds
 * {@code subscriptionFilters}.
 *
 * <p>Thread-safety: immutable.
 */
public record ClientView(String clientId, String protocol, String protocolVersion, String remoteAddress,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String username, String connectedAt,
                         int keepAliveSeconds, boolean cleanStart, int subscriptions, int inFlight, int queued,
                         List<Filter> subscriptionFilters) {

    /** One subscription: its filter and maximum QoS. */
    public record Filter(String filter, int qos) {}

    /** The list entry (no filters). */
    public static ClientView of(ClientInfo info, ClientState state) {
        return new ClientView(info.clientId(), info.protocol(), info.protocolVersion(), info.remoteAddress(),
                info.username(), Instant.ofEpochMilli(info.connectedAtMillis()).toString(), info.keepAliveSeconds(),
                info.cleanStart(), state.subscriptions().size(), state.inFlight(), state.queued(), null);
    }

    /** The detailed view, with each subscription. */
    public static ClientView detailed(ClientInfo info, ClientState state) {
        ClientView v = of(info, state);
        List<Filter> filters = state.subscriptions().entrySet().stream()
                .map(e -> new Filter(e.getKey(), e.getValue())).toList();
        return new ClientView(v.clientId, v.protocol, v.protocolVersion, v.remoteAddress, v.username, v.connectedAt,
                v.keepAliveSeconds, v.cleanStart, v.subscriptions, v.inFlight, v.queued, filters);
    }

    /** A page of clients sorted by id; {@code next} is the id to pass as {@code after}, null on the last page. */
    public record Page(List<ClientView> clients, @JsonInclude(JsonInclude.Include.ALWAYS) String next) {}
}
