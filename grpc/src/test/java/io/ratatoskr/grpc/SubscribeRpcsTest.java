package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.GrpcAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.SubscribeRequest;
import io.ratatoskr.api.v1.SubscribeResponse;
import io.ratatoskr.api.v1.UnsubscribeRequest;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscribeRpcsTest {
    @TempDir
    Path dir;

    /** Collects a Subscribe stream's events. */
    static final class Recorder implements ClientResponseObserver<SubscribeRequest, SubscribeResponse> {
        final List<SubscribeResponse> events = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile boolean completed;
        volatile ClientCallStreamObserver<SubscribeRequest> call;
        private final boolean reads;

        Recorder(boolean reads) {
            this.reads = reads;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
            call = requestStream;
            if (!reads) {
                requestStream.disableAutoRequestWithInitial(1); // the `subscribed` event, then nothing
            }
        }

        @Override
        public void onNext(SubscribeResponse value) {
            events.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onCompleted() {
            completed = true;
        }

        String subscriptionId() {
            await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
            return events.getFirst().getSubscribed().getSubscriptionId();
        }

        List<String> payloads() {
            return events.stream().filter(SubscribeResponse::hasMessage)
                    .map(e -> e.getMessage().getPayload().toStringUtf8()).toList();
        }
    }

    private static Recorder subscribe(GrpcTestBroker b, boolean reads, String... filters) {
        Recorder r = new Recorder(reads);
        b.async().subscribe(SubscribeRequest.newBuilder().addAllFilters(List.of(filters)).build(), r);
        r.subscriptionId();
        return r;
    }

    private static void publishLive(GrpcTestBroker b, String topic, String payload) {
        b.blocking().publish(PublishRequest.newBuilder().setTopic(topic).setPayload(ByteString.copyFromUtf8(payload))
                .setLiveOnly(true).putMetadata("h", "v").build());
    }

    @Test
    void aSubscriberReceivesWhatIsPublishedAndUnsubscribeEndsTheStream() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            Recorder r = subscribe(b, true, "sensors/+/temp");
            assertThat(r.subscriptionId()).startsWith("grpc-sub-");

            publishLive(b, "sensors/kitchen/temp", "21.5");
            publishLive(b, "sensors/kitchen/humidity", "40");
            publishLive(b, "sensors/attic/temp", "30.1");

            await().atMost(Duration.ofSeconds(10)).until(() -> r.payloads().size() == 2);
            assertThat(r.payloads()).containsExactly("21.5", "30.1");
            assertThat(r.events.get(1).getMessage().getTopic()).isEqualTo("sensors/kitchen/temp");
            assertThat(r.events.get(1).getMessage().getMetadataMap()).containsEntry("h", "v");
            assertThat(b.broker().subscriberCount("sensors/attic/temp")).isEqualTo(1);

            assertThat(b.blocking().unsubscribe(UnsubscribeRequest.newBuilder()
                    .setSubscriptionId(r.subscriptionId()).build()).getFound()).isTrue();

            await().atMost(Duration.ofSeconds(10)).until(() -> r.completed);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.broker().subscriberCount("sensors/attic/temp") == 0);
            assertThat(b.blocking().unsubscribe(UnsubscribeRequest.newBuilder()
                    .setSubscriptionId(r.subscriptionId()).build()).getFound()).isFalse();
        }
    }

    @Test
    void onlyTheUserWhoOpenedASubscribeStreamCanEndItWithUnsubscribe() {
        // Trusts the Basic user name it is given: enough to tell two users apart.
        Authenticator byName = c -> CompletableFuture.completedFuture(new AuthResult.Accepted(
                new Principal(c.username(), c.clientId(), Set.of(), "password")));
        try (GrpcTestBroker b = GrpcTestBroker.start(dir, byName, Authorizer.ALLOW_ALL)) {
            Recorder alice = new Recorder(true);
            as(b, "alice").subscribe(SubscribeRequest.newBuilder().addFilters("a/#").build(), alice);
            String id = alice.subscriptionId();
            RatatoskrGrpc.RatatoskrBlockingStub mallory = RatatoskrGrpc.newBlockingStub(b.channel())
                    .withInterceptors(basic("mallory"));
            assertThat(mallory.unsubscribe(UnsubscribeRequest.newBuilder().setSubscriptionId(id).build()).getFound())
                    .as("another user's stream").isFalse();
            assertThat(b.broker().subscriberCount("a/b")).isEqualTo(1);
            assertThat(alice.completed).isFalse();
            assertThat(RatatoskrGrpc.newBlockingStub(b.channel()).withInterceptors(basic("alice"))
                    .unsubscribe(UnsubscribeRequest.newBuilder().setSubscriptionId(id).build()).getFound()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.completed);
        }
    }

    private static RatatoskrGrpc.RatatoskrStub as(GrpcTestBroker b, String user) {
        return RatatoskrGrpc.newStub(b.channel()).withInterceptors(basic(user));
    }

    private static io.grpc.ClientInterceptor basic(String user) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Basic " + Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8)));
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    @Test
    void cancellingTheStreamRemovesTheSubscription() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            Recorder r = subscribe(b, true, "a/#");
            assertThat(b.broker().subscriberCount("a/b")).isEqualTo(1);

            r.call.cancel("done", null);

            await().atMost(Duration.ofSeconds(10)).until(() -> b.broker().subscriberCount("a/b") == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.broker().sessionCount() == 0);
        }
    }

    @Test
    void sharedSubscribersSplitTheMessages() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            Recorder one = subscribe(b, true, "$share/workers/jobs");
            Recorder two = subscribe(b, true, "$share/workers/jobs");

            for (int i = 0; i < 20; i++) {
                publishLive(b, "jobs", "job-" + i);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> one.payloads().size() + two.payloads().size() == 20);
            assertThat(one.payloads()).isNotEmpty();
            assertThat(two.payloads()).isNotEmpty();
            assertThat(one.payloads()).doesNotContainAnyElementsOf(two.payloads());
        }
    }

    @Test
    void badFiltersAreRefused() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            for (SubscribeRequest bad : List.of(SubscribeRequest.getDefaultInstance(),
                    SubscribeRequest.newBuilder().addFilters("a/#/b").build(),
                    SubscribeRequest.newBuilder().addFilters("$queue/g/orders").build())) {
                assertFails(() -> b.blocking().subscribe(bad).hasNext(), Status.Code.INVALID_ARGUMENT,
                        "INVALID_ARGUMENT");
            }
        }
    }

    @Test
    void aSubscriberThatNeverReadsHasItsMessagesDroppedNotBuffered() {
        try (GrpcTestBroker b = GrpcTestBroker.start(dir)) {
            Recorder stuck = subscribe(b, false, "firehose");
            byte[] payload = new byte[10_000];
            int published = 3_000; // 30 MB, far beyond the flow-control window and the 1,000-message queue
            for (int i = 0; i < published; i++) {
                b.broker().publish(new Message("firehose", payload, 0, false, MessageProperties.EMPTY, null,
                        System.currentTimeMillis()));
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> dropped(b, "queue_full") + dropped(b, "mailbox_full")
                    >= published - 1_000 - 300);
            assertThat(dropped(b, "queue_full")).isPositive();
            assertThat(stuck.error.get()).isNull();
        }
    }

    private static double dropped(GrpcTestBroker b, String reason) {
        var c = b.registry().find("ratatoskr.messages.dropped").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void shutdownEndsOpenStreamsWithUnavailable() {
        GrpcTestBroker b = GrpcTestBroker.start(dir);
        Recorder r = subscribe(b, true, "x");
        try {
            b.closeServerOnly();
            await().atMost(Duration.ofSeconds(10)).until(() -> r.error.get() != null);
            assertThat(((StatusRuntimeException) r.error.get()).getStatus().getCode())
                    .isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            b.close();
        }
    }
}
