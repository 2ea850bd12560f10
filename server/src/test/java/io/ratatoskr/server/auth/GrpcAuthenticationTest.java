package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC calls authenticate with a Bearer JWT or Basic user:password; without either they are refused. */
class GrpcAuthenticationTest {
    @TempDir
    Path dir;
    private RatatoskrServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        Path file = AuthFixture.passwordFile(dir,
                AuthFixture.user("alice", "s3cret", Seeds.random("GrpcAuthenticationTest", 3)));
        Path secret = Files.write(dir.resolve("secret"), JwtAuthenticationTest.SECRET);
        server = AuthFixture.start(dir, AuthConfig.DEFAULTS.withAnonymous(false)
                .withPasswordFile(file, AuthFixture.TEST_ITERATIONS).withJwt(secret, null, null, null), true);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    private RatatoskrGrpc.RatatoskrBlockingStub stub(String authorization) {
        RatatoskrGrpc.RatatoskrBlockingStub stub = RatatoskrGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        if (authorization == null) {
            return stub;
        }
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    @Test
    void bearerJwtAndBasicPasswordAreAccepted() throws Exception {
        String jwt = JwtAuthenticationTest.token(JWSAlgorithm.HS256, null, new MACSigner(JwtAuthenticationTest.SECRET),
                JwtAuthenticationTest.claims(Instant.now()).build());
        assertThat(stub("Bearer " + jwt).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList()).isEmpty();
        String basic = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) { // the later calls are answered from the verification cache
            assertThat(stub(basic).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList()).isEmpty();
        }
    }

    @Test
    void callsWithoutOrWithWrongCredentialsAreUnauthenticated() {
        for (String auth : new String[] {null, "Basic " + Base64.getEncoder().encodeToString(
                "alice:wrong".getBytes(StandardCharsets.UTF_8)), "Bearer a.b.c"}) {
            assertThatThrownBy(() -> stub(auth).listTopics(ListTopicsRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                        ErrorInfo info = errorInfo(e);
                        assertThat(info.getReason()).isEqualTo("UNAUTHENTICATED");
                    });
        }
        assertThat(server.scrapeMetrics())
                .contains("ratatoskr_auth_failures_total{protocol=\"grpc\",reason=\"no_credentials\"} 1.0");
    }

    @Test
    void repeatedFailuresFromOneAddressAreRefusedAsRateLimited() {
        String wrong = "Basic " + Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < AuthConfig.DEFAULTS.maxFailuresPerMinute(); i++) {
            assertThatThrownBy(() -> stub(wrong).listTopics(ListTopicsRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
        String right = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> stub(right).listTopics(ListTopicsRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(errorInfo(e).getReason()).isEqualTo("LOGIN_RATE_LIMITED");
                });
    }

    private static ErrorInfo errorInfo(StatusRuntimeException e) {
        try {
            return StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException x) {
            throw new AssertionError(x);
        }
    }
}
