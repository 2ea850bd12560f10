package io.ratatoskr.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and times every call by method and status code ({@code ratatoskr.grpc.calls}, a timer:
 * {@code ratatoskr_grpc_calls_seconds_count/_sum} in Prometheus), with only those two labels so
 * that their cardinality stays bounded (the methods of the services, the 17 status codes). Failures
 * are logged without payloads: client errors at DEBUG, server errors (INTERNAL, UNKNOWN,
 * DATA_LOSS, UNIMPLEMENTED) at INFO.
 *
 * <p>Thread-safety: thread-safe (Micrometer meters are).
 */
final class CallMetrics implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(CallMetrics.class);

    private final MeterRegistry registry;
    /** The timers of each method, by status code value: looked up once, not built per call. */
    private final ConcurrentMap<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

    CallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        String service = call.getMethodDescriptor().getServiceName();
        long start = System.nanoTime();
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                record(service, method, status, System.nanoTime() - start);
                super.close(status, trailers);
            }
        };
        return next.startCall(counted, headers);
    }

    private void record(String service, String method, Status status, long nanos) {
        timer(method == null ? "unknown" : method, status.getCode()).record(nanos, TimeUnit.NANOSECONDS);
        if (!status.isOk()) {
            switch (status.getCode()) {
                case INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED -> log.info("gRPC {}/{} failed: {} {}", service,
                        method, status.getCode(), status.getDescription());
                default -> log.debug("gRPC {}/{} ended: {} {}", service, method, status.getCode(),
                        status.getDescription());
            }
        }
    }

    private Timer timer(String method, Status.Code code) {
        AtomicReferenceArray<Timer> byCode = timers.computeIfAbsent(method,
                m -> new AtomicReferenceArray<>(Status.Code.values().length));
        int i = code.value();
        Timer t = byCode.get(i);
        if (t == null) {
            // A benign race: two threads may both register; the registry returns the same timer.
            t = Timer.builder("ratatoskr.grpc.calls")
                    .description("gRPC calls by method and status code")
                    .tag("method", method)
                    .tag("code", code.name())
                    .register(registry);
            byCode.set(i, t);
        }
        return t;
    }
}
