package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.testing.CorePublisher.ids;
import static io.ratatoskr.grpc.testing.CorePublisher.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.ratatoskr.api.v1.AnswerFailed;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.ConsumeStarted;
import io.ratatoskr.api.v1.Credit;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.grpc.testing.ConsumeClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Consume: the stream protocol — start, credits and readiness, answers by id, errors, ends. */
class ConsumeFlowTest extends ConsumeTestBase {
    private static final Duration QUIET = Duration.ofMillis(300);

    @Test
    void startedAnswersWithTheMemberPrefetchAndAckTimeout() {
        b.groups().configure("orders", "workers", GroupConfig.DEFAULTS.withAckTimeoutMs(4_000)).join();
        try (ConsumeClient c = ConsumeClient.open(b.async())) {
            c.send(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic("orders")
                    .setGroup("workers").setMember("w1").setPrefetch(7)).build());
            ConsumeStarted s = c.awaitStarted();

            assertThat(s.getTopic()).isEqualTo("orders");
            assertThat(s.getGroup()).isEqualTo("workers");
            assertThat(s.getMember()).isEqualTo("w1");
            assertThat(s.getPrefetch()).isEqualTo(7);
            assertThat(s.getAckTimeoutMs()).isEqualTo(4_000);
        }
    }

    @Test
    void consumerReceivesNoMoreMessagesThanItsCredits() {
        publish(b.topics(), "orders", 50);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 5, 100)) {
            assertThat(c.awaitStarted().getPrefetch()).isEqualTo(100);
            c.next(5);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> c.messages.isEmpty());

            c.credit(10);
            c.next(10);
            await().during(QUIET).atMost(Duration.ofSeconds(5)).until(() -> c.messages.isEmpty());
            assertThat(deliveries()).isEqualTo(15);
        }
    }

    @Test
    void clientThatGrantsCreditsButDoesNotReadIsNotSentEverything() {
        // 300 x 16 KiB = 4.7 MiB: far beyond what HTTP/2 flow control lets the server write unread.
        byte[] payload = new byte[16 * 1024];
        for (int i = 0; i < 300; i++) {
            b.topics().publish("orders", new io.ratatoskr.core.message.Message("orders", payload, 1, false,
                    MessageProperties.EMPTY, null, System.currentTimeMillis()), PublishOptions.NONE).join();
        }
        try (ConsumeClient c = ConsumeClient.open(b.async(), 1)) {
            c.send(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic("orders")
                    .setGroup("workers").setInitialCredits(1_000).setPrefetch(300)).build());
            c.awaitStarted();
            await().during(QUIET).atMost(Duration.ofSeconds(10)).until(() -> deliveries() > 0);
            double sentUnread = deliveries();
            assertThat(sentUnread).isLessThan(300);

            c.read(1_000);
            c.next(300);
            assertThat(deliveries()).isEqualTo(300);
        }
    }

    private double deliveries() {
        return b.registry().counter("ratatoskr.grpc.consume.deliveries").count();
    }

    @Test
    void deliveryWaitingTooLongForACreditIsHandedBackWithoutCountingAnAttempt() {
        // One attempt only: had the group timed out a delivery waiting for a credit, it would be dead-lettered.
        // The first message is acknowledged within the ack timeout too, so the timeout leaves a loaded machine
        // a second for that round trip.
        b.groups().configure("orders", "workers", GroupConfig.DEFAULTS.withAckTimeoutMs(1_000).withMaxAttempts(1))
                .join();
        List<String> published = ids(publish(b.topics(), "orders", 3));
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 1, 10)) {
            c.awaitStarted();
            Message first = c.next();
            c.ack(first.getMessageId());
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> b.registry().counter("ratatoskr.grpc.consume.credit.waits.expired").count() >= 4);
            assertThat(c.messages).isEmpty();

            c.credit(2);
            List<Message> rest = c.next(2);
            assertThat(rest).extracting(Message::getAttempt).containsOnly(1);
            assertThat(rest).extracting(Message::getMessageId).containsExactlyInAnyOrderElementsOf(
                    published.subList(1, 3));
            assertThat(b.topics().exists("orders.dlq")).isFalse();
        }
    }

    @Test
    void consumerThatAcksInOrderSeesEachPartitionInOffsetOrder() {
        b.topics().create("events", TopicConfig.DEFAULTS.toBuilder().partitions(3).build());
        publish(b.topics(), "events", 60, 7);
        Map<Integer, Long> lastOffset = new HashMap<>();
        try (ConsumeClient c = ConsumeClient.start(b.async(), "events", "workers", 1_000, 5)) {
            c.awaitStarted();
            for (int i = 0; i < 60; i++) {
                Message m = c.next();
                Long before = lastOffset.put(m.getPartition(), m.getOffset());
                assertThat(m.getOffset()).as("partition %d", m.getPartition()).isGreaterThan(before == null ? -1 : before);
                c.ack(m.getMessageId());
            }
            assertThat(lastOffset).hasSize(3);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.groups().describe("events", "workers").join().lag() == 0);
            assertThat(c.answerFailures).isEmpty();
        }
    }

    @Test
    void answerToAMessageIdNotInFlightFailsAndTheStreamGoesOn() {
        publish(b.topics(), "orders", 1);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
            c.awaitStarted();
            String unknown = UUID.randomUUID().toString();
            c.ack(unknown);
            AnswerFailed f = c.nextAnswerFailure();
            assertThat(f.getMessageId()).isEqualTo(unknown);
            assertThat(f.getError().getCode()).isEqualTo("DELIVERY_NOT_FOUND");
            assertThat(f.getError().getStatus()).isEqualTo(Status.Code.NOT_FOUND.value());

            Message m = c.next();
            c.ack(m.getMessageId());
            c.ack(m.getMessageId());
            assertThat(c.nextAnswerFailure().getError().getCode()).isEqualTo("DELIVERY_NOT_FOUND");

            c.nack("not-a-uuid", 0);
            AnswerFailed malformed = c.nextAnswerFailure();
            assertThat(malformed.getError().getStatus()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
            assertThat(malformed.getError().getMessage()).contains("not a message id");
            c.reject("", "why");
            assertThat(c.nextAnswerFailure().getError().getMessage()).contains("empty");

            publish(b.topics(), "orders", 1);
            assertThat(c.next().getPayload().toStringUtf8()).isEqualTo("m0");
            assertThat(c.error()).isNull();
        }
    }

    @Test
    void messageIdsMatchInEitherCaseButOnlyInTheCanonicalForm() {
        publish(b.topics(), "orders", 2);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
            c.awaitStarted();
            Message first = c.next();
            Message second = c.next();
            UUID id = UUID.fromString(first.getMessageId());
            String shortForm = Long.toHexString(id.getMostSignificantBits() >>> 32) + "-0-0-0-0"; // fromString takes it
            c.ack(shortForm);
            AnswerFailed malformed = c.nextAnswerFailure();
            assertThat(malformed.getMessageId()).isEqualTo(shortForm);
            assertThat(malformed.getError().getMessage()).contains("not a message id");
            String spaced = " " + second.getMessageId().substring(1);
            c.ack(spaced);
            assertThat(c.nextAnswerFailure().getError().getMessage()).contains("not a message id");

            c.ack(first.getMessageId().toUpperCase(java.util.Locale.ROOT));
            c.ack(second.getMessageId());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> b.groups().describe("orders", "workers").join().lag() == 0);
            assertThat(c.answerFailures).as("the upper-case id and the canonical one are both acknowledged").isEmpty();
            assertThat(c.error()).isNull();
        }
    }

    @Test
    void firstMessageOtherThanStartFailsTheStream() {
        try (ConsumeClient c = ConsumeClient.open(b.async())) {
            c.send(ConsumeRequest.newBuilder().setCredit(Credit.newBuilder().setCount(1)).build());
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).contains("first message", "must be 'start'", "credit");
        }
    }

    @Test
    void secondStartFailsTheStream() {
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 0, 0)) {
            c.awaitStarted();
            c.send(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic("orders")
                    .setGroup("workers")).build());
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).contains("already");
        }
    }

    @Test
    void unknownTopicFailsNotFoundWithTheCatalogueCode() {
        try (ConsumeClient c = ConsumeClient.start(b.async(), "nope", "workers", 1, 0)) {
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(reason(c.error())).isEqualTo("TOPIC_NOT_FOUND");
        }
    }

    @Test
    void invalidGroupNameOrNegativeCreditsFailInvalidArgument() {
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "no/slash", 1, 0)) {
            assertThat(c.awaitError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(reason(c.error())).isEqualTo("INVALID_GROUP_NAME");
        }
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", -1, 0)) {
            assertThat(c.awaitError().getDescription()).contains("initial_credits");
        }
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 0, 70_000)) {
            assertThat(c.awaitError().getDescription()).contains("prefetch");
        }
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", Integer.MAX_VALUE, 0)) {
            c.awaitStarted();
            c.credit(1);
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).contains("exceed");
        }
    }

    @Test
    void deletingTheGroupEndsItsStreamsNotFound() {
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 1, 0)) {
            c.awaitStarted();
            b.groups().delete("orders", "workers").join();
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(reason(c.error())).isEqualTo("GROUP_NOT_FOUND");
            assertThat(s.getDescription()).contains("deleted");
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> b.registry().get("ratatoskr.grpc.consume.streams").gauge().value() == 0);
    }

    @Test
    void halfCloseLeavesTheGroupAndCompletesTheStream() {
        publish(b.topics(), "orders", 1);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 1, 0)) {
            c.awaitStarted();
            c.next();
            c.halfClose();
            await().atMost(Duration.ofSeconds(5)).until(c::completed);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> b.groups().describe("orders", "workers").join().members().isEmpty());
        }
    }

    private static String reason(Throwable t) {
        com.google.rpc.Status s = StatusProto.fromThrowable(t);
        assertThat(s).as("rich status of %s", t).isNotNull();
        return s.getDetailsList().stream().filter(a -> a.is(ErrorInfo.class)).findFirst().map(a -> {
            try {
                return a.unpack(ErrorInfo.class).getReason();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).orElseThrow();
    }
}
