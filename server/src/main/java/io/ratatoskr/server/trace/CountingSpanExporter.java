package io.ratatoskr.server.trace;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;

/**
 * Counts the spans an exporter delivered and those it could not (the collector was down, slow or
 * answered an error): {@code ratatoskr.tracing.spans.exported{outcome=success|failed}}, so that
 * lost traces show in /metrics.
 *
 * <p>Thread-safety: as the delegate (the batch processor calls it from its one worker thread);
 * Micrometer counters are thread-safe.
 */
final class CountingSpanExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final Counter exported;
    private final Counter failed;

    CountingSpanExporter(SpanExporter delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.exported = counter(registry, "success");
        this.failed = counter(registry, "failed");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("ratatoskr.tracing.spans.exported")
                .description("Spans sent to the OTLP endpoint, by whether the export succeeded")
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        CompletableResultCode result = delegate.export(spans);
        result.whenComplete(() -> (result.isSuccess() ? exported : failed).increment(n));
        return result;
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}
