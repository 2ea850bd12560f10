package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.ListTopicsResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC authentication never holds a call thread: while the authenticator is slow (its answers arrive
 * late, as a busy PBKDF2 pool's do), the server's few call threads stay free for other calls, and an
 * answer that never comes fails the call with UNAVAILABLE after the bound.
 */
class GrpcAuthInterceptorTest {
    @TempDir
    Path dir;

    /** A real authenticator whose answers arrive only when the test releases them. */
    static final class SlowAuthenticator implements Authenticator {
        final ConcurrentLinkedQueue<CompletableFuture<AuthResult>> pending = new ConcurrentLinkedQueue<>();

        @Override
        public CompletableFuture<AuthResult> authenticate(Credentials credentials) {
            CompletableFuture<AuthResult> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void acceptAll() {
            for (CompletableFuture<AuthResult> f; (f = pending.poll()) != null; ) {
                f.complete(new AuthResult.Accepted(new Principal("alice", "grpc", Set.of(), "password")));
            }
        }
    }

    @Test
    void callsWaitingForASlowAuthenticatorLeaveTheCallThreadsFree() throws Exception {
        SlowAuthenticator slow = new SlowAuthenticator();
        int calls = 40; // many more than the call threads (grpc.worker-threads: 2 on this machine)
        try (GrpcTestBroker b = GrpcTestBroker.start(dir, slow, Authorizer.ALLOW_ALL)) {
            List<CompletableFuture<ListTopicsResponse>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                CompletableFuture<ListTopicsResponse> answer = new CompletableFuture<>();
                b.async().withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listTopics(ListTopicsRequest.getDefaultInstance(), observer(answer));
                answers.add(answer);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.pending.size() == calls);

            // Every call is waiting for authentication; the health service still answers at once.
            HealthCheckResponse health = HealthGrpc.newBlockingStub(b.channel()).withDeadlineAfter(3, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(answers).noneMatch(CompletableFuture::isDone);

            slow.acceptAll();
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            assertThat(answers).allMatch(f -> f.join().getTopicsCount() == 0);
        }
    }

    @Test
    void anAuthenticatorThatDoesNotAnswerInTimeFailsTheCallUnavailable() throws Exception {
        SlowAuthenticator silent = new SlowAuthenticator();
        ExecutorService executor = Executors.newFixedThreadPool(1);
        RatatoskrGrpc.RatatoskrImplBase service = new RatatoskrGrpc.RatatoskrImplBase() {
            @Override
            public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> response) {
                response.onNext(ListTopicsResponse.getDefaultInstance());
                response.onCompleted();
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
                .addService(ServerInterceptors.intercept(service,
                        new GrpcAuthInterceptor(silent, Clock.systemUTC(), executor, 300)))
                .build().start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
                .build();
        try {
            long start = System.nanoTime();
            assertFails(() -> RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listTopics(ListTopicsRequest.getDefaultInstance()), Status.Code.UNAVAILABLE, "UNAVAILABLE");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(silent.pending).hasSize(1);
        } finally {
            channel.shutdownNow();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            executor.shutdownNow();
        }
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
