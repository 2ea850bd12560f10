package io.ratatoskr.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts admin API calls by status class and the calls refused because the worker pool was full.
 *
 * <p>Thread-safety: thread-safe (Micrometer meters; a concurrent cache of them).
 */
final class HttpMetrics {
    private final MeterRegistry registry;
    private final Map<Integer, Counter> byStatus = new ConcurrentHashMap<>();
    private final Counter overloaded;

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.overloaded = Counter.builder("ratatoskr.http.requests.refused")
                .description("Admin API calls refused with 503 because every worker was busy")
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
}
