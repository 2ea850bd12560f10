package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.testing.CorePublisher.ids;
import static io.ratatoskr.grpc.testing.CorePublisher.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.ratatoskr.api.v1.AnswerFailed;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.grpc.testing.ConsumeClient;
import io.ratatoskr.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Consume with {@code max_batch}: several deliveries per response, several ids per ack. */
class ConsumeBatchTest extends ConsumeTestBase {
    private static final Duration QUIET = Duration.ofMillis(300);

    @Test
    void batchedMembersThatAckEveryBatchReceiveEveryMessageExactlyOnce() throws InterruptedException {
        b.topics().create("events", TopicConfig.DEFAULTS.toBuilder().partitions(3).build());
        List<String> published = ids(publish(b.topics(), "events", 600, 11));
        List<String> received = new ArrayList<>();
        try (ConsumeClient m1 = ConsumeClient.start(b.async(), "events", "workers", 40, 40, 16);
             ConsumeClient m2 = ConsumeClient.start(b.async(), "events", "workers", 40, 40, 16)) {
            assertThat(m1.awaitStarted().getMaxBatch()).isEqualTo(16);
            m2.awaitStarted();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() < published.size() && System.nanoTime() < deadline) {
                for (ConsumeClient m : List.of(m1, m2)) {
                    List<String> got = new ArrayList<>();
                    Message first = m.messages.poll(20, TimeUnit.MILLISECONDS);
                    for (Message msg = first; msg != null; msg = m.messages.poll()) {
                        got.add(msg.getMessageId());
                    }
                    if (!got.isEmpty()) {
                        m.ackAll(got);
                        m.credit(got.size());
                        received.addAll(got);
                    }
                }
            }
            await().atMost(WAIT).until(() -> b.groups().describe("events", "workers").join().lag() == 0);
            assertThat(m1.answerFailures).isEmpty();
            assertThat(m2.answerFailures).isEmpty();
            List<Integer> sizes = new ArrayList<>(m1.batchSizes);
            sizes.addAll(m2.batchSizes);
            assertThat(sizes).allMatch(n -> n >= 1 && n <= 16);
            assertThat(sizes).anyMatch(n -> n > 1);
        }
        assertThat(received).hasSize(published.size()).containsExactlyInAnyOrderElementsOf(published);
        assertThat(b.registry().counter("ratatoskr.grpc.consume.answers", "outcome", "ack").count()).isEqualTo(600);
    }

    @Test
    void aBatchStaysReadableByAClientWithGrpcsDefaultMessageLimit() throws InterruptedException {
        b.topics().create("images", TopicConfig.DEFAULTS.toBuilder().partitions(1).build());
        byte[] payload = new byte[700 * 1024];
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            payload[0] = (byte) i;
            published.add(b.topics().publish("images", new io.ratatoskr.core.message.Message("images", payload.clone(),
                    1, false, MessageProperties.EMPTY, null, System.currentTimeMillis()),
                    PublishOptions.NONE).join().messageId().toString());
        }
        // b.async() is a plain grpc-java stub: a received message may not exceed 4 MiB (gRPC's default).
        try (ConsumeClient c = ConsumeClient.start(b.async(), "images", "workers", 50, 50, 50)) {
            c.awaitStarted();
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Message m = c.next();
                assertThat(m.getPayload().size()).isEqualTo(700 * 1024);
                received.add(m.getMessageId());
            }
            c.ackAll(received);
            assertThat(received).containsExactlyElementsOf(published);
            assertThat(c.batchSizes).as("12 messages of 700 KiB: at most 5 per response").allMatch(n -> n <= 5)
                    .hasSizeGreaterThanOrEqualTo(3);
            await().atMost(WAIT).until(() -> b.groups().describe("images", "workers").join().lag() == 0);
            assertThat(c.error()).isNull();
        }
    }

    @Test
    void messagesOfABatchLeftUnackedAreRedeliveredAfterTheAckTimeout() {
        // The ack timeout passes when the test moves the group's clock: only once the six acks are in.
        ManualClock clock = reopenWithGroupClock();
        b.groups().configure("orders", "workers", GroupConfig.DEFAULTS.withAckTimeoutMs(300)).join();
        List<String> published = ids(publish(b.topics(), "orders", 10));
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 20, 10, 10)) {
            c.awaitStarted();
            List<String> got = c.next(10).stream().map(Message::getMessageId).toList();
            assertThat(got).containsExactlyElementsOf(published);
            c.ackAll(got.subList(0, 6));
            await().atMost(WAIT).until(() -> groupAcked() == 6);

            clock.advanceMs(300);
            List<Message> again = c.next(4);
            assertThat(again).extracting(Message::getMessageId).containsExactlyInAnyOrderElementsOf(got.subList(6, 10));
            assertThat(again).extracting(Message::getAttempt).containsOnly(2);
            c.ackAll(again.stream().map(Message::getMessageId).toList());
            await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().lag() == 0
                    && groupAcked() == 10);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> c.messages.isEmpty());
            assertThat(c.answerFailures).isEmpty();
        }
    }

    @Test
    void nackAndRejectOfOneMessageInABatchAffectOnlyThatMessage() {
        List<String> published = ids(publish(b.topics(), "orders", 5));
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 5, 10, 5)) {
            c.awaitStarted();
            List<String> got = c.next(5).stream().map(Message::getMessageId).toList();
            assertThat(got).containsExactlyElementsOf(published);
            c.nack(got.get(0), 1);
            c.reject(got.get(1), "unparseable");
            c.ackAll(got.subList(2, 5));

            c.credit(5);
            Message retried = c.next();
            assertThat(retried.getMessageId()).isEqualTo(got.get(0));
            assertThat(retried.getAttempt()).isEqualTo(2);
            c.ack(retried.getMessageId());
            await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().lag() == 0);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> c.messages.isEmpty());
            await().atMost(WAIT).until(() -> b.topics().exists("orders.dlq")
                    && !b.topics().deadLetters().inspect("orders.dlq", 0, 0, 10).isEmpty());
            // Only the rejected message (offset 1 of the one partition) is a dead letter.
            assertThat(b.topics().deadLetters().inspect("orders.dlq", 0, 0, 10)).singleElement()
                    .satisfies(dl -> assertThat(dl.reason()).contains("unparseable"))
                    .satisfies(dl -> assertThat(dl.sourceOffset()).isEqualTo(1));
            assertThat(c.answerFailures).isEmpty();
        }
    }

    @Test
    void withoutMaxBatchEveryDeliveryIsOneMessageEventAsBefore() {
        List<String> published = ids(publish(b.topics(), "orders", 6));
        try (ConsumeClient old = ConsumeClient.start(b.async(), "orders", "workers", 10, 10);
             ConsumeClient one = ConsumeClient.start(b.async(), "orders", "others", 10, 10, 1)) {
            assertThat(old.awaitStarted().getMaxBatch()).isEqualTo(1);
            assertThat(one.awaitStarted().getMaxBatch()).isEqualTo(1);
            for (ConsumeClient c : List.of(old, one)) {
                List<Message> got = c.next(6);
                assertThat(got).extracting(Message::getMessageId).containsExactlyElementsOf(published);
                got.forEach(m -> c.ack(m.getMessageId()));
                assertThat(c.batchSizes).isEmpty();
            }
            await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().lag() == 0
                    && b.groups().describe("orders", "others").join().lag() == 0);
        }
    }

    @Test
    void aBatchNeverHoldsMoreMessagesThanTheCreditsLeft() {
        publish(b.topics(), "orders", 50);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 5, 100, 100)) {
            c.awaitStarted();
            c.next(5);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> c.messages.isEmpty());
            c.credit(7);
            c.next(7);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> c.messages.isEmpty());
            assertThat(c.batchSizes).allMatch(n -> n <= 7);
            assertThat(c.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(12);
        }
    }

    @Test
    void batchedClientThatGrantsCreditsButDoesNotReadIsNotSentEverything() {
        // 300 x 16 KiB = 4.7 MiB: far beyond what HTTP/2 flow control lets the server write unread.
        byte[] payload = new byte[16 * 1024];
        for (int i = 0; i < 300; i++) {
            b.topics().publish("orders", new io.ratatoskr.core.message.Message("orders", payload, 1, false,
                    MessageProperties.EMPTY, null, System.currentTimeMillis()), PublishOptions.NONE).join();
        }
        try (ConsumeClient c = ConsumeClient.open(b.async(), 1)) {
            c.send(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic("orders")
                    .setGroup("workers").setInitialCredits(1_000).setPrefetch(300).setMaxBatch(10)).build());
            c.awaitStarted();
            await().during(QUIET).atMost(Duration.ofSeconds(10)).until(() -> deliveries() > 0);
            assertThat(deliveries()).isLessThan(300);

            c.read(1_000);
            c.next(300);
            // The counter moves just after a response is handed to gRPC, so it may trail what arrived.
            await().atMost(Duration.ofSeconds(5)).until(() -> deliveries() == 300);
        }
    }

    @Test
    void anAckNamingUnknownIdsFailsOnlyThoseAndAcknowledgesTheRest() {
        publish(b.topics(), "orders", 3);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 3, 10, 3)) {
            c.awaitStarted();
            List<String> got = c.next(3).stream().map(Message::getMessageId).toList();
            String unknown = UUID.randomUUID().toString();
            List<String> answer = new ArrayList<>(got);
            answer.add(1, unknown);
            answer.add("not-an-id");
            c.ackAll(answer);

            Set<String> failed = new HashSet<>();
            Set<String> codes = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                AnswerFailed f = c.nextAnswerFailure();
                failed.add(f.getMessageId());
                codes.add(f.getError().getCode());
            }
            assertThat(failed).containsExactlyInAnyOrder(unknown, "not-an-id");
            assertThat(codes).containsExactlyInAnyOrder("DELIVERY_NOT_FOUND", "INVALID_ARGUMENT");
            await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().lag() == 0);
        }
    }

    @Test
    void maxBatchOutOfRangeEndsTheStreamInvalidArgument() {
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 1, 1, 1001)) {
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).contains("max_batch");
        }
    }

    private double deliveries() {
        return b.registry().counter("ratatoskr.grpc.consume.deliveries").count();
    }
}
