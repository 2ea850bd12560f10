package io.ratatoskr.server;

import io.ratatoskr.http.ApiResponse;
import io.ratatoskr.http.Router;
import java.util.Map;

/**
 * The admin API's routes, bound to a running node's parts.
 *
 * <p>Thread-safety: the router is built once at start; handlers call thread-safe core APIs.
 */
final class AdminApi {
    private AdminApi() {}

    static Router routes(RatatoskrServer server) {
        return new Router()
                .get("/health", r -> ApiResponse.ok(Map.of("status", "UP", "version", Version.get())));
    }
}
