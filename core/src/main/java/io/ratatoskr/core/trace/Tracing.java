package io.ratatoskr.core.trace;

import io.ratatoskr.core.message.Message;

/**
 * Where the broker's publish path reports what it does with a message, so that a tracer can make
 * spans of it: the protocol front end asks for a {@link PublishTrace} when a message arrives, and
 * the broker tells that trace about each session the message is handed to. The core knows nothing
 * of the tracing library behind it (the server wires OpenTelemetry in, see docs/tracing.md).
 *
 * <p>Cost when tracing is off: {@link #NOOP} answers null, so a front end pays one interface call and
 * one null check per message, and the broker one null check per delivery; nothing is allocated.
 *
 * <p>Implementations are thread-safe: {@link #publish} is called from every front end's threads.
 */
public interface Tracing {

    /** Traces nothing: every publish answers null. */
    Tracing NOOP = (message, protocol, clientId) -> null;

    /**
     * Starts tracing the publish of {@code message}, just received, before it is handed to the
     * broker. The publisher's W3C trace context, if it sent one, is read from the message's user
     * properties ({@code traceparent}, {@code tracestate}).
     *
     * @param protocol the front end, e.g. {@code mqtt} or {@code grpc}
     * @param clientId the publisher's client identifier (null if it has none)
     * @return the trace to report the publish's progress to, or null when this publish is not
     *         traced (tracing off, or not sampled): then nothing more is reported
     */
    PublishTrace publish(Message message, String protocol, String clientId);
}
