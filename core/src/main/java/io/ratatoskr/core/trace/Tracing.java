package io.ratatoskr.core.trace;

import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;

import java.util.List;

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
    Tracing NOOP = (message, protocol, clientId, transportContext) -> null;

    /**
     * Starts tracing the publish of {@code message}, just received, before it is handed to the
     * broker. The parent is the W3C trace context the publisher sent: the message's own
     * ({@code traceparent} and {@code tracestate} user properties or metadata entries, which travel
     * with it to subscribers), else the one its transport carried ({@code transportContext}, e.g.
     * gRPC call headers), else none (the broker starts a trace).
     *
     * @param protocol         the front end, e.g. {@code mqtt} or {@code grpc}
     * @param clientId         the publisher's client identifier (null if it has none)
     * @param transportContext trace context headers of the request that carried the message (may be empty)
     * @return the trace to report the publish's progress to, or null when this publish is not
     *         traced (tracing off, or not sampled): then nothing more is reported
     */
    PublishTrace publish(Message message, String protocol, String clientId, List<Header> transportContext);

    /**
     * A consumer group hands {@code delivery} to its member {@code memberName} (on the group's
     * thread). The message's own trace context, if it carries one, is the parent; a message without
     * one is not traced here (its publish was, if sampled). Does nothing by default.
     */
    default void groupDelivered(GroupDelivery delivery, String memberName) {
    }

    /** As {@link #publish(Message, String, String, List)} with no transport context. */
    default PublishTrace publish(Message message, String protocol, String clientId) {
        return publish(message, protocol, clientId, List.of());
    }
}
