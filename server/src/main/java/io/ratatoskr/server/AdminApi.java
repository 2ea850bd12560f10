package io.ratatoskr.server;

import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.TopicInfo;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.http.ApiRequest;
import io.ratatoskr.http.ApiResponse;
import io.ratatoskr.http.Json;
import io.ratatoskr.http.Router;
import io.ratatoskr.http.api.TopicConfigPatch;
import io.ratatoskr.http.api.TopicView;
import java.util.Map;

/**
 * The admin API's routes, bound to a running node's parts.
 *
 * <pre>
 * GET    /health                    liveness and version
 * GET    /ready                     readiness: 200 READY, or 503 NOT_READY with a reason per failing check
 * GET    /metrics                   every meter, Prometheus text format (0.0.4)
 * GET    /api/v1/openapi.json       the OpenAPI 3.1 document of every route
 * GET    /api/v1/topics             every durable topic
 * POST   /api/v1/topics             create one: {"name": ..., settings...}      201, 409 if it exists
 * GET    /api/v1/topics/{name}      one topic with its partitions               404 if unknown
 * PATCH  /api/v1/topics/{name}      change settings given; others keep their value
 * DELETE /api/v1/topics/{name}      delete it and its messages                  204
 * GET    /api/v1/broker             version, listeners, counts, traffic totals
 * GET    /api/v1/clients            connected clients, paged; /{clientId}: one; DELETE: disconnect it
 * GET    /api/v1/sessions           MQTT sessions, paged; /{clientId}: one; DELETE: discard it
 * GET    /api/v1/retained           retained messages (?filter=), paged; /message?topic=: one; DELETE: clear it
 * </pre>
 *
 * <p>Access: every call but the probes needs the caller's role (GET: {@code admin-api read}, others:
 * {@code admin-api write}; {@code AdminAuth} in the http module); changes to one durable topic, its
 * groups or its dead letters also need {@code admin} on the topic ({@link #administering}).
 *
 * <p>Consumer groups and dead letters: {@link GroupAdminRoutes}; broker, clients and sessions:
 * {@link ClientAdminRoutes}; retained messages: {@link RetainedAdminRoutes}.
 *
 * <p>Thread-safety: the router is built once at start; handlers call thread-safe core APIs.
 */
final class AdminApi {
    private AdminApi() {}

    /** Prometheus' text exposition format, version 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** The OpenAPI 3.1 document of every route (a resource next to this class; OpenApiTest keeps it true). */
    static final String OPENAPI = resource("openapi.json");

    private static String resource(String name) {
        try (java.io.InputStream in = AdminApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Router routes(RatatoskrServer server) {
        Router router = GroupAdminRoutes.addTo(routes(server.durableTopics()), server.durableTopics(),
                server.consumerGroups());
        RetainedAdminRoutes.addTo(ClientAdminRoutes.addTo(router, server), server.broker());
        return probes(router, server);
    }

    /**
     * What the admin listener answers while the node recovers its storage: {@code /health},
     * {@code /ready} (503 naming the step) and {@code /metrics}; every other call 503 UNAVAILABLE.
     */
    static Router startingRoutes(RatatoskrServer server) {
        return probes(new Router().get("/health", AdminApi::health), server)
                .fallback(r -> {
                    throw ErrorCode.UNAVAILABLE.exception("the node is starting (" + server.startupPhase()
                            + "); try again when GET /ready answers 200");
                });
    }

    private static Router probes(Router router, RatatoskrServer server) {
        return router
                .get("/ready", r -> {
                    Readiness readiness = server.readiness();
                    return readiness.ready() ? ApiResponse.ok(readiness) : ApiResponse.unavailable(readiness);
                })
                .get("/metrics", r -> ApiResponse.text(PROMETHEUS_TEXT, server.scrapeMetrics()))
                .get("/api/v1/openapi.json", r -> ApiResponse.text("application/json", OPENAPI));
    }

    private static ApiResponse health(ApiRequest r) {
        return ApiResponse.ok(Map.of("status", "UP", "version", Version.get()));
    }

    static Router routes(DurableTopics topics) {
        return new Router()
                .get("/health", AdminApi::health)
                .get("/api/v1/topics", r -> ApiResponse.ok(Map.of("topics",
                        topics.list().stream().map(AdminApi::view).toList())))
                .post("/api/v1/topics", r -> {
                    TopicConfigPatch body = Json.read(r.body(), TopicConfigPatch.class);
                    if (body.name() == null || body.name().isBlank()) {
                        throw ErrorCode.INVALID_ARGUMENT.exception("a topic needs a \"name\"");
                    }
                    r.caller().requireAdminister(body.name());
                    return ApiResponse.created(view(topics.create(body.name(), body.applyTo(TopicConfig.DEFAULTS))));
                })
                .get("/api/v1/topics/{name}", r -> ApiResponse.ok(view(topics.describe(r.param("name")))))
                .patch("/api/v1/topics/{name}", administering("name", r -> alter(topics, r)))
                .delete("/api/v1/topics/{name}", administering("name", r -> {
                    topics.delete(r.param("name"));
                    return ApiResponse.noContent();
                }));
    }

    /**
     * {@code handler}, run only if the caller may administer the durable topic named by the path
     * parameter {@code param} (ACL {@code admin} rules; 403 otherwise). The role check
     * ({@code admin-api write}) happened before.
     */
    static Router.Handler administering(String param, Router.Handler handler) {
        return r -> {
            r.caller().requireAdminister(r.param(param));
            return handler.handle(r);
        };
    }

    private static ApiResponse alter(DurableTopics topics, ApiRequest r) {
        String name = r.param("name");
        TopicConfigPatch patch = Json.read(r.body(), TopicConfigPatch.class);
        if (patch.name() != null && !patch.name().equals(name)) {
            throw ErrorCode.INVALID_ARGUMENT.exception("a topic cannot be renamed");
        }
        return ApiResponse.ok(view(topics.alter(name, patch::applyTo)));
    }

    private static TopicView view(TopicInfo t) {
        return TopicView.of(t.name(), t.config(), t.partitions());
    }
}
