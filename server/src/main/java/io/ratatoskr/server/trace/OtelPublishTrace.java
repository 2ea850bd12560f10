package io.ratatoskr.server.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.ratatoskr.core.durable.PublishReceipt;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.trace.PublishTrace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The spans of one sampled publish: the {@code publish} span (open until the publisher's
 * acknowledgement), a {@code deliver} span per session the message is handed to, and a
 * {@code store} span over the writes the acknowledgement waits for.
 *
 * <p>Thread-safety: the SDK's spans are thread-safe; the fields are final.
 */
final class OtelPublishTrace implements PublishTrace {
    private static final TextMapSetter<List<Header>> SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.add(new Header(key, value));
        }
    };

    private final Tracer tracer;
    private final Context context;
    private final Span publish;
    private final String topic;
    private final boolean inject;
    /** When the publish began (the store span starts with it: the stores' writes begin inside publish). */
    private final long startNanos;

    OtelPublishTrace(Tracer tracer, Context context, Span publish, String topic, boolean inject) {
        this.tracer = tracer;
        this.context = context;
        this.publish = publish;
        this.topic = topic;
        this.inject = inject;
        this.startNanos = io.opentelemetry.sdk.common.Clock.getDefault().now();
    }

    @Override
    public Message propagate(Message m) {
        MessageProperties p = m.properties();
        if (!inject || OtelTracing.hasTraceParent(p.userProperties())) {
            return m; // a publisher's own trace context travels unchanged, as every user property does
        }
        List<Header> headers = new ArrayList<>(p.userProperties().size() + 2);
        headers.addAll(p.userProperties());
        W3CTraceContextPropagator.getInstance().inject(context, headers, SETTER);
        MessageProperties withTrace = new MessageProperties(p.payloadFormat(), p.expiryIntervalSeconds(),
                p.contentType(), p.responseTopic(), p.correlationData(), headers);
        return new Message(m.topic(), m.payload(), m.qos(), m.retain(), withTrace, m.publisherId(),
                m.receivedAtMillis());
    }

    @Override
    public void delivered(String clientId, int qos, String shareGroup) {
        Span span = OtelTracing.startDeliver(tracer, context, topic, clientId);
        span.setAttribute(OtelTracing.QOS, (long) qos);
        if (shareGroup != null) {
            span.setAttribute(OtelTracing.CONSUMER_GROUP, shareGroup);
        }
        span.end();
    }

    @Override
    public void acknowledgedWhen(CompletableFuture<?> acked, int writes,
                                 List<CompletableFuture<PublishReceipt>> receipts) {
        if (writes == 0) {
            publish.end();
            return;
        }
        Span store = tracer.spanBuilder("store " + topic)
                .setParent(context)
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(startNanos, TimeUnit.NANOSECONDS)
                .startSpan();
        store.setAttribute(OtelTracing.SYSTEM, OtelTracing.SYSTEM_NAME);
        store.setAttribute(OtelTracing.DESTINATION, topic);
        store.setAttribute(OtelTracing.OPERATION_NAME, "store");
        store.setAttribute(OtelTracing.STORE_WRITES, (long) writes);
        // Completes on a log thread: ending spans only queues them for the exporter, it never blocks.
        acked.whenComplete((done, error) -> {
            if (error != null) {
                fail(store, error);
                fail(publish, error);
            } else {
                describeReceipt(store, receipts);
            }
            store.end();
            publish.end();
        });
    }

    @Override
    public void refused(Throwable error) {
        fail(publish, error);
        publish.end();
    }

    /** The first durable topic's receipt: the message id and where it was stored. */
    private void describeReceipt(Span store, List<CompletableFuture<PublishReceipt>> receipts) {
        for (CompletableFuture<PublishReceipt> r : receipts) {
            if (r.isDone() && !r.isCompletedExceptionally()) {
                PublishReceipt receipt = r.join();
                publish.setAttribute(OtelTracing.MESSAGE_ID, receipt.messageId().toString());
                store.setAttribute(OtelTracing.MESSAGE_ID, receipt.messageId().toString());
                store.setAttribute(OtelTracing.PARTITION, (long) receipt.partition());
                store.setAttribute(OtelTracing.OFFSET, receipt.offset());
                return;
            }
        }
    }

    private static void fail(Span span, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        span.setStatus(StatusCode.ERROR, String.valueOf(cause.getMessage()));
        span.recordException(cause);
    }
}
