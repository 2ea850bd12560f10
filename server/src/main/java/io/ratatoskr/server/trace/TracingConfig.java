package io.ratatoskr.server.trace;

import java.net.URI;
import java.util.Objects;

/**
 * Settings of OpenTelemetry tracing (docs/tracing.md). Off by default.
 *
 * <p>Thread-safety: immutable.
 *
 * @param enabled            whether to trace at all; off: the broker's hook is {@code Tracing.NOOP}
 * @param sampleRatio        the share of traces the broker starts itself (the publisher sent no trace
 *                           context) that are recorded, 0..1. Parent-based: a publish whose sender sent
 *                           a {@code traceparent} follows that parent's sampled flag, whatever the ratio.
 *                           Default 0.1: one span per delivery adds up on a busy broker, while a
 *                           publisher that traces a flow always gets it traced
 * @param endpoint           where spans are posted, OTLP/HTTP protobuf (a collector's {@code /v1/traces})
 * @param serviceName        the {@code service.name} resource attribute
 * @param exportTimeoutMs    how long one export (one POST) may take before it is given up
 * @param scheduleDelayMs    the longest a finished span waits before its batch is exported
 * @param maxQueueSize       finished spans waiting for export at most; more are dropped (and counted by
 *                           the SDK), never blocking the broker
 * @param maxExportBatchSize spans in one export at most (at most {@code maxQueueSize})
 * @param inject             when the publisher sent no {@code traceparent}, add the broker's publish span
 *                           as one (a user property / metadata entry) to the message, so that subscribers
 *                           can continue the trace; off by default: messages are delivered as published
 */
public record TracingConfig(boolean enabled, double sampleRatio, URI endpoint, String serviceName,
                            long exportTimeoutMs, long scheduleDelayMs, int maxQueueSize, int maxExportBatchSize,
                            boolean inject) {
    public static final TracingConfig DEFAULTS = new TracingConfig(false, 0.1,
            URI.create("http://localhost:4318/v1/traces"), "ratatoskr", 10_000, 5_000, 2048, 512, false);

    public TracingConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(serviceName, "serviceName");
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("tracing sample ratio must be in 0..1, was " + sampleRatio);
        }
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("tracing endpoint must be an http or https URL, was " + endpoint);
        }
        if (serviceName.isBlank()) {
            throw new IllegalArgumentException("tracing service name must not be blank");
        }
        if (exportTimeoutMs < 1 || scheduleDelayMs < 1) {
            throw new IllegalArgumentException("tracing export timeout and schedule delay must be positive");
        }
        if (maxExportBatchSize < 1 || maxQueueSize < maxExportBatchSize) {
            throw new IllegalArgumentException("tracing batch size must be in 1..maxQueueSize (" + maxQueueSize
                    + "), was " + maxExportBatchSize);
        }
    }

    public TracingConfig withEnabled(boolean e) {
        return new TracingConfig(e, sampleRatio, endpoint, serviceName, exportTimeoutMs, scheduleDelayMs,
                maxQueueSize, maxExportBatchSize, inject);
    }

    public TracingConfig withSampleRatio(double r) {
        return new TracingConfig(enabled, r, endpoint, serviceName, exportTimeoutMs, scheduleDelayMs, maxQueueSize,
                maxExportBatchSize, inject);
    }

    public TracingConfig withEndpoint(URI e) {
        return new TracingConfig(enabled, sampleRatio, e, serviceName, exportTimeoutMs, scheduleDelayMs,
                maxQueueSize, maxExportBatchSize, inject);
    }

    public TracingConfig withExportTimeoutMs(long ms) {
        return new TracingConfig(enabled, sampleRatio, endpoint, serviceName, ms, scheduleDelayMs, maxQueueSize,
                maxExportBatchSize, inject);
    }

    public TracingConfig withScheduleDelayMs(long ms) {
        return new TracingConfig(enabled, sampleRatio, endpoint, serviceName, exportTimeoutMs, ms, maxQueueSize,
                maxExportBatchSize, inject);
    }

    public TracingConfig withInject(boolean i) {
        return new TracingConfig(enabled, sampleRatio, endpoint, serviceName, exportTimeoutMs, scheduleDelayMs,
                maxQueueSize, maxExportBatchSize, i);
    }
}
