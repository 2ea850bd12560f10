package io.ratatoskr.grpc;

import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.TopicExistsRequest;
import io.ratatoskr.api.v1.TopicExistsResponse;
import java.time.Clock;

/**
 * Service {@code ratatoskr.v1.Ratatoskr}: each RPC translates its request to a call on the core
 * and the core's answer (or catalogue error, see {@link GrpcErrors}) to the response. Methods not
 * overridden answer UNIMPLEMENTED.
 *
 * <p>Thread-safety: thread-safe; calls arrive on the server's call executor.
 */
final class RatatoskrService extends RatatoskrGrpc.RatatoskrImplBase {
    private final GrpcBackend backend;
    private final MeterRegistry registry;
    private final ConsumeStreams consumeStreams;

    RatatoskrService(GrpcBackend backend, MeterRegistry registry) {
        this.backend = backend;
        this.registry = registry;
        this.consumeStreams = new ConsumeStreams(backend.groups(), Clock.systemUTC(), registry);
    }

    /** Ends the open streams (the server is shutting down). */
    void shutdown() {
        consumeStreams.shutdown();
    }

    @Override
    public StreamObserver<ConsumeRequest> consume(StreamObserver<ConsumeResponse> response) {
        return consumeStreams.open(response);
    }

    @Override
    public void topicExists(TopicExistsRequest request, StreamObserver<TopicExistsResponse> response) {
        response.onNext(TopicExistsResponse.newBuilder().setExists(backend.topics().exists(request.getName())).build());
        response.onCompleted();
    }
}
