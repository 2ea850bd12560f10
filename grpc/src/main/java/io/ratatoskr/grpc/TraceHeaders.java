package io.ratatoskr.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.ratatoskr.core.message.Header;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the W3C trace context a call's headers carry ({@code traceparent}, {@code tracestate}, as an
 * OpenTelemetry-instrumented gRPC client sends them) in the call's {@link Context}, where Publish and
 * PublishBatch find it ({@link #current}) as the parent of their spans when the message's own
 * metadata has none. Installed only when tracing is on.
 *
 * <p>Thread-safety: stateless.
 */
final class TraceHeaders implements ServerInterceptor {
    private static final Metadata.Key<String> TRACEPARENT =
            Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> TRACESTATE =
            Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<List<Header>> CONTEXT = Context.key("ratatoskr-trace-context");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String parent = headers.get(TRACEPARENT);
        if (parent == null) {
            return next.startCall(call, headers);
        }
        List<Header> context = new ArrayList<>(2);
        context.add(new Header(TRACEPARENT.name(), parent));
        String state = headers.get(TRACESTATE);
        if (state != null) {
            context.add(new Header(TRACESTATE.name(), state));
        }
        return Contexts.interceptCall(Context.current().withValue(CONTEXT, List.copyOf(context)), call, headers, next);
    }

    /** The trace context headers of the current call, or an empty list. */
    static List<Header> current() {
        List<Header> context = CONTEXT.get();
        return context == null ? List.of() : context;
    }
}
