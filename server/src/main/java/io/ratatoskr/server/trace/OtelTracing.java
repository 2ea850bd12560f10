package io.ratatoskr.server.trace;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.trace.PublishTrace;
import io.ratatoskr.core.trace.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Tracing} with OpenTelemetry: spans exported in batches over OTLP/HTTP (protobuf) by the
 * SDK's {@link BatchSpanProcessor} — a bounded queue and one exporting thread, so a slow or absent
 * collector drops spans instead of slowing the broker. Sampled parent-based: a publisher's
 * {@code traceparent} decides; otherwise {@link TracingConfig#sampleRatio} of the traces the broker
 * starts itself. An unsampled publish answers null, so it costs no further spans.
 *
 * <p>Spans, attribute names and propagation rules are in docs/tracing.md.
 *
 * <p>Thread-safe: the SDK's tracer is; this class holds no mutable state.
 */
public final class OtelTracing implements Tracing, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OtelTracing.class);
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> CLIENT_ID = AttributeKey.stringKey("messaging.client.id");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("network.protocol.name");
    static final AttributeKey<Long> QOS = AttributeKey.longKey("ratatoskr.qos");
    static final AttributeKey<Boolean> RETAIN = AttributeKey.booleanKey("ratatoskr.retain");
    static final AttributeKey<Long> STORE_WRITES = AttributeKey.longKey("ratatoskr.store.writes");
    static final AttributeKey<Long> PARTITION = AttributeKey.longKey("ratatoskr.partition");
    static final AttributeKey<Long> OFFSET = AttributeKey.longKey("ratatoskr.offset");
    static final AttributeKey<Long> DELIVERY_ATTEMPT = AttributeKey.longKey("ratatoskr.delivery.attempt");
    static final String SYSTEM_NAME = "ratatoskr";

    /** The W3C Trace Context header names, as MQTT 5 user properties and gRPC metadata carry them. */
    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";

    private static final TextMapGetter<List<Header>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(List<Header> carrier) {
            List<String> names = new ArrayList<>(carrier.size());
            for (Header h : carrier) {
                names.add(h.name());
            }
            return names;
        }

        @Override
        public String get(List<Header> carrier, String key) {
            if (carrier == null) {
                return null;
            }
            for (Header h : carrier) {
                if (h.name().equals(key)) {
                    return h.value();
                }
            }
            return null;
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final boolean inject;
    private final long exportTimeoutMs;

    private OtelTracing(TracingConfig config, MeterRegistry registry) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.endpoint().toString())
                .setTimeout(Duration.ofMillis(config.exportTimeoutMs()))
                .build();
        BatchSpanProcessor processor = BatchSpanProcessor.builder(new CountingSpanExporter(exporter, registry))
                .setScheduleDelay(Duration.ofMillis(config.scheduleDelayMs()))
                .setMaxQueueSize(config.maxQueueSize())
                .setMaxExportBatchSize(config.maxExportBatchSize())
                .setExporterTimeout(Duration.ofMillis(config.exportTimeoutMs()))
                .build();
        provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
                .addSpanProcessor(processor)
                .build();
        tracer = provider.get("io.ratatoskr");
        inject = config.inject();
        exportTimeoutMs = config.exportTimeoutMs();
        log.info("tracing on: spans to {} (OTLP/HTTP), sample ratio {} for traces the broker starts{}",
                config.endpoint(), config.sampleRatio(), inject ? ", traceparent added to messages without one" : "");
    }

    /**
     * The tracing {@code config} asks for: {@link Tracing#NOOP} when it is off. Export outcomes are
     * counted in {@code registry}.
     */
    public static Tracing start(TracingConfig config, MeterRegistry registry) {
        return config.enabled() ? new OtelTracing(config, registry) : Tracing.NOOP;
    }

    @Override
    public PublishTrace publish(Message message, String protocol, String clientId, List<Header> transportContext) {
        List<Header> headers = message.properties().userProperties();
        if (!hasTraceParent(headers)) {
            headers = transportContext;
        }
        Context parent = headers.isEmpty() ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        Span span = tracer.spanBuilder("publish " + message.topic())
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .startSpan();
        if (!span.isRecording()) {
            return null; // not sampled: the SDK made a non-recording span, which needs no end
        }
        span.setAttribute(SYSTEM, SYSTEM_NAME);
        span.setAttribute(DESTINATION, message.topic());
        span.setAttribute(OPERATION_TYPE, "send");
        span.setAttribute(OPERATION_NAME, "publish");
        span.setAttribute(PROTOCOL, protocol);
        if (clientId != null) {
            span.setAttribute(CLIENT_ID, clientId);
        }
        span.setAttribute(BODY_SIZE, (long) message.payload().length);
        span.setAttribute(QOS, (long) message.qos());
        if (message.retain()) {
            span.setAttribute(RETAIN, true);
        }
        return new OtelPublishTrace(tracer, parent.with(span), span, message.topic(), inject);
    }

    @Override
    public void groupDelivered(GroupDelivery delivery, String memberName) {
        DurableMessage stored = delivery.message();
        List<Header> headers = stored.message().properties().userProperties();
        if (!hasTraceParent(headers)) {
            return; // a lone span without the message's publish would say little: see docs/tracing.md
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        Span span = startDeliver(tracer, parent, stored.topic(), memberName);
        if (span.isRecording()) {
            span.setAttribute(CONSUMER_GROUP, delivery.group());
            span.setAttribute(MESSAGE_ID, stored.id().toString());
            span.setAttribute(PARTITION, (long) stored.partition());
            span.setAttribute(OFFSET, stored.offset());
            span.setAttribute(DELIVERY_ATTEMPT, (long) delivery.attempt());
        }
        span.end();
    }

    /**
     * Starts a {@code deliver} span of {@code topic} to {@code clientId} under {@code parent}, with
     * the attributes every delivery has when it is recorded.
     */
    static Span startDeliver(Tracer tracer, Context parent, String topic, String clientId) {
        Span span = tracer.spanBuilder("deliver " + topic)
                .setParent(parent)
                .setSpanKind(SpanKind.PRODUCER)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(SYSTEM, SYSTEM_NAME);
            span.setAttribute(DESTINATION, topic);
            span.setAttribute(OPERATION_TYPE, "send");
            span.setAttribute(OPERATION_NAME, "deliver");
            span.setAttribute(CLIENT_ID, clientId);
        }
        return span;
    }

    /** Exports what is queued (waiting at most the export timeout), then stops the exporter. */
    @Override
    public void close() {
        provider.shutdown().join(exportTimeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Whether {@code headers} carry a W3C {@code traceparent}. */
    static boolean hasTraceParent(List<Header> headers) {
        return HEADERS.get(headers, TRACEPARENT) != null;
    }
}
