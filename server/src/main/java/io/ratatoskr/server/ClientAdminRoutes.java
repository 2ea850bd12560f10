package io.ratatoskr.server;

import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.client.ClientState;
import io.ratatoskr.core.client.ConnectedClient;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.client.TrafficTotals;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.session.SessionSnapshot;
import io.ratatoskr.http.ApiRequest;
import io.ratatoskr.http.ApiResponse;
import io.ratatoskr.http.Router;
import io.ratatoskr.http.api.BrokerView;
import io.ratatoskr.http.api.ClientView;
import io.ratatoskr.http.api.SessionView;
import io.ratatoskr.mqtt.server.MqttServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The admin API's broker, client and session routes.
 *
 * <pre>
 * GET    /api/v1/broker                          version, start, readiness, listeners, counts, traffic totals
 * GET    /api/v1/clients?limit=&amp;after=          connected clients (MQTT, gRPC streams) by id  → {clients, next}
 * GET    /api/v1/clients/{clientId}              one, with its subscription filters      404 client_not_found
 * DELETE /api/v1/clients/{clientId}              close it (MQTT 5: DISCONNECT 0x98); its session stays   204
 * GET    /api/v1/sessions?limit=&amp;after=         MQTT sessions, connected or not, by client id → {sessions, next}
 * GET    /api/v1/sessions/{clientId}             one, with each subscription's options   404 session_not_found
 * DELETE /api/v1/sessions/{clientId}             disconnect its client and discard it, journal included   204
 * </pre>
 *
 * <p>Pages hold {@code limit} entries (default {@value #PAGE_DEFAULT}, at most {@value #PAGE_MAX});
 * {@code next}, when not null, is the {@code after} of the next page. A client's or session's
 * subscriptions and pending messages are read on its session's loop, with a bounded wait.
 *
 * <p>Thread-safety: the routes are built once; handlers call thread-safe core and front-end APIs.
 */
final class ClientAdminRoutes {
    static final int PAGE_DEFAULT = 100;
    static final int PAGE_MAX = 1_000;

    private final RatatoskrServer server;
    private final Broker broker;

    private ClientAdminRoutes(RatatoskrServer server) {
        this.server = server;
        this.broker = server.broker();
    }

    /** Adds the broker, client and session routes to {@code router}. */
    static Router addTo(Router router, RatatoskrServer server) {
        ClientAdminRoutes r = new ClientAdminRoutes(server);
        return router
                .get("/api/v1/broker", q -> ApiResponse.ok(r.brokerView()))
                .get("/api/v1/clients", r::listClients)
                .get("/api/v1/clients/{clientId}", q -> {
                    ConnectedClient c = r.client(q.param("clientId"));
                    return ApiResponse.ok(ClientView.detailed(c.info(), state(c)));
                })
                .delete("/api/v1/clients/{clientId}", q -> {
                    Await.result(r.client(q.param("clientId")).disconnect(), "the connection");
                    return ApiResponse.noContent();
                })
                .get("/api/v1/sessions", r::listSessions)
                .get("/api/v1/sessions/{clientId}", q -> ApiResponse.ok(
                        SessionView.detailed(snapshot(r.session(q.param("clientId"))))))
                .delete("/api/v1/sessions/{clientId}", r::deleteSession);
    }

    private BrokerView brokerView() {
        long started = broker.startedAtMillis();
        long now = broker.clock().millis();
        List<BrokerView.Listener> listeners = new ArrayList<>();
        ServerConfig config = server.config();
        listeners.add(new BrokerView.Listener("mqtt", server.mqttHost(), server.mqttPort(), false));
        for (MqttServer.Bound b : server.mqttExtraListeners()) {
            listeners.add(new BrokerView.Listener(b.name(), b.host(), b.port(), b.tls()));
        }
        if (server.grpcPort() >= 0) {
            listeners.add(new BrokerView.Listener("grpc", config.grpc().host(), server.grpcPort(),
                    config.grpc().tls() != null));
        }
        if (server.httpPort() >= 0) {
            listeners.add(new BrokerView.Listener("http", config.http().host(), server.httpPort(),
                    server.httpTls()));
        }
        int connections = server.clientLists().stream().mapToInt(ConnectedClients::size).sum();
        BrokerView.Counts counts = new BrokerView.Counts(connections, broker.clientSessionCount(),
                broker.subscriptionCount(), broker.retained().size(), server.durableTopics().list().size(),
                server.consumerGroups().list().size());
        TrafficTotals t = server.traffic();
        return new BrokerView(Version.get(), Instant.ofEpochMilli(started).toString(), Math.max(0, now - started) / 1000,
                server.readiness().ready(), config.dataDir().toAbsolutePath().toString(), listeners, counts,
                new BrokerView.Totals(t.messagesIn(), t.messagesOut(), t.bytesIn(), t.bytesOut()));
    }

    private ApiResponse listClients(ApiRequest q) {
        int limit = limit(q);
        String after = q.query("after", null);
        // Each front end's page, merged: the first `limit` of the union are among them.
        List<ConnectedClient> merged = new ArrayList<>();
        for (ConnectedClients list : server.clientLists()) {
            merged.addAll(list.page(after, limit + 1));
        }
        merged.sort(Comparator.comparing(c -> c.info().clientId()));
        boolean more = merged.size() > limit;
        List<ConnectedClient> page = more ? merged.subList(0, limit) : merged;
        List<CompletableFuture<ClientView>> views = page.stream()
                .map(c -> c.state().thenApply(s -> ClientView.of(c.info(), s))).toList();
        List<ClientView> out = views.stream().map(f -> Await.result(f, "a client's session")).toList();
        return ApiResponse.ok(new ClientView.Page(out, more ? page.get(page.size() - 1).info().clientId() : null));
    }

    private ConnectedClient client(String clientId) {
        for (ConnectedClients list : server.clientLists()) {
            ConnectedClient c = list.get(clientId);
            if (c != null) {
                return c;
            }
        }
        throw ErrorCode.CLIENT_NOT_FOUND.exception(clientId);
    }

    private static ClientState state(ConnectedClient c) {
        return Await.result(c.state(), "the client's session");
    }

    private ApiResponse listSessions(ApiRequest q) {
        int limit = limit(q);
        List<Session> sessions = broker.sessions(q.query("after", null), limit + 1);
        boolean more = sessions.size() > limit;
        List<Session> page = more ? sessions.subList(0, limit) : sessions;
        List<CompletableFuture<SessionSnapshot>> snapshots = page.stream().map(Session::snapshotLater).toList();
        List<SessionView> out = snapshots.stream().map(f -> SessionView.of(Await.result(f, "a session"))).toList();
        return ApiResponse.ok(new SessionView.Page(out, more ? page.get(page.size() - 1).clientId() : null));
    }

    private Session session(String clientId) {
        Session s = broker.session(clientId);
        if (s == null || s.isEnded() || Broker.isInternal(clientId)) {
            throw ErrorCode.SESSION_NOT_FOUND.exception(clientId);
        }
        return s;
    }

    private static SessionSnapshot snapshot(Session s) {
        return Await.result(s.snapshotLater(), "the session");
    }

    private ApiResponse deleteSession(ApiRequest q) {
        String clientId = q.param("clientId");
        Session s = session(clientId);
        ConnectedClient c = server.clientLists().get(0).get(clientId);
        if (c != null) {
            Await.result(c.disconnect(), "the connection");
        }
        s.discard();
        return ApiResponse.noContent();
    }

    /** The {@code limit} query parameter: 1..{@value #PAGE_MAX}, default {@value #PAGE_DEFAULT}. */
    static int limit(ApiRequest q) {
        long limit = q.queryLong("limit", PAGE_DEFAULT);
        if (limit < 1 || limit > PAGE_MAX) {
            throw ErrorCode.INVALID_ARGUMENT.exception("limit must be in 1.." + PAGE_MAX + ", was " + limit);
        }
        return (int) limit;
    }
}
