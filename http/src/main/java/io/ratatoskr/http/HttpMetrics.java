package io.ratatoskr.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts admin API calls by status and the calls refused before they ran (worker pool full, no valid
 * credentials, not the role), by reason.
 *
 * <p>Thread-safety: thread-safe (Micrometer meters; a concurrent cache of them).
 */
final class HttpMetrics {
    private final MeterRegistry registry;
    private final Map<Integer, Counter> byStatus = new ConcurrentHashMap<>();
    private final Counter overloaded;
    private final Counter unauthenticated;
    private final Counter forbidden;

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.overloaded = refused("overloaded");
        this.unauthenticated = refused("unauthenticated");
        this.forbidden = refused("forbidden");
    }

    private Counter refused(String reason) {
        return Counter.builder("ratatoskr.http.requests.refused")
                .description("Admin API calls refused before running: overloaded (503, every worker busy), "
                        + "unauthenticated (401, credentials missing or wrong), forbidden (403, not the role)")
                .tag("reason", reason)
                .register(registry);
    }

    void answered(int status) {
        byStatus.computeIfAbsent(status, s -> Counter.builder("ratatoskr.http.requests")
                .description("Admin API calls answered, by status")
                .tag("status", Integer.toString(s))
                .register(registry)).increment();
    }

    void overloaded() {
        overloaded.increment();
    }

    void unauthenticated() {
        unauthenticated.increment();
    }

    void forbidden() {
        forbidden.increment();
    }
}
