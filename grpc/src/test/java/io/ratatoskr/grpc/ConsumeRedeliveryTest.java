package io.ratatoskr.grpc;

import static io.ratatoskr.grpc.testing.CorePublisher.ids;
import static io.ratatoskr.grpc.testing.CorePublisher.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.core.durable.DeadLetterHeaders;
import io.ratatoskr.core.durable.DeadLetters.DeadLetter;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.grpc.testing.ConsumeClient;
import io.ratatoskr.testkit.ManualClock;
import io.ratatoskr.testkit.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Consume: what happens to a message that is nacked, rejected, unanswered, or whose consumer goes. */
class ConsumeRedeliveryTest extends ConsumeTestBase {
    @Test
    void nackedMessageComesBackAfterItsDelayAsAttemptTwo() {
        String id = ids(publish(b.topics(), "orders", 1)).get(0);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
            c.awaitStarted();
            Message first = c.next();
            assertThat(first.getMessageId()).isEqualTo(id);
            assertThat(first.getAttempt()).isEqualTo(1);

            long nackedAt = System.nanoTime();
            c.nack(id, 600);
            Message again = c.next();
            long afterMs = (System.nanoTime() - nackedAt) / 1_000_000;

            assertThat(again.getMessageId()).isEqualTo(id);
            assertThat(again.getAttempt()).isEqualTo(2);
            assertThat(afterMs).isGreaterThanOrEqualTo(590);
        }
    }

    @Test
    void nackWithoutDelayWaitsForTheGroupsBackoff() {
        b.groups().configure("orders", "workers", GroupConfig.DEFAULTS.withBackoff(500, 1.0, 500)).join();
        String id = ids(publish(b.topics(), "orders", 1)).get(0);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
            c.awaitStarted();
            c.next();
            long nackedAt = System.nanoTime();
            c.nack(id, 0);
            Message again = c.next();

            assertThat((System.nanoTime() - nackedAt) / 1_000_000).isGreaterThanOrEqualTo(490);
            assertThat(again.getAttempt()).isEqualTo(2);
        }
    }

    @Test
    void rejectedMessageGoesToTheDeadLetterTopicWithWhy() {
        publish(b.topics(), "orders", 1);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
            c.awaitStarted();
            c.reject(c.next().getMessageId(), "bad payload");

            DeadLetter dl = awaitDeadLetter("orders.dlq");
            assertThat(dl.reason()).contains("bad payload");
            assertThat(dl.sourceTopic()).isEqualTo("orders");
            assertThat(dl.sourceOffset()).isZero();
            assertThat(dl.group()).isEqualTo("workers");
            assertThat(dl.attempts()).isEqualTo(1);
            assertThat(dl.message().message().properties().userProperties()).extracting(Header::name)
                    .contains(DeadLetterHeaders.REASON, DeadLetterHeaders.SOURCE_TOPIC, DeadLetterHeaders.GROUP);
            assertThat(dl.message().message().payload()).asString().isEqualTo("m0");
        }
    }

    @Test
    void messageNackedUntilMaxAttemptsIsDeadLettered() {
        b.groups().configure("orders", "workers", GroupConfig.DEFAULTS.withMaxAttempts(2)).join();
        publish(b.topics(), "orders", 1);
        try (ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
            c.awaitStarted();
            c.nack(c.next().getMessageId(), 1);
            Message second = c.next();
            assertThat(second.getAttempt()).isEqualTo(2);
            c.nack(second.getMessageId(), 1);

            DeadLetter dl = awaitDeadLetter("orders.dlq");
            assertThat(dl.reason()).contains("max attempts");
            assertThat(dl.attempts()).isEqualTo(2);
            assertThat(c.messages).isEmpty();
        }
    }

    @Test
    void unansweredDeliveryGoesToAnotherMemberAfterTheAckTimeout() {
        // The ack timeout passes when the test moves the group's clock: once, so the other member's ack
        // cannot come after a second timeout on a slow machine.
        ManualClock clock = reopenWithGroupClock();
        b.groups().configure("orders", "workers", GroupConfig.DEFAULTS.withAckTimeoutMs(300)).join();
        try (ConsumeClient silent = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
            silent.awaitStarted();
            String id = ids(publish(b.topics(), "orders", 1)).get(0);
            assertThat(silent.next().getMessageId()).isEqualTo(id);
            try (ConsumeClient other = ConsumeClient.start(b.async(), "orders", "workers", 10, 10)) {
                other.awaitStarted();
                clock.advanceMs(300);
                Message m = other.next();
                assertThat(m.getMessageId()).isEqualTo(id);
                assertThat(m.getAttempt()).isEqualTo(2);
                other.ack(id);
                // The silent member's late answer is refused: the message is another member's now.
                silent.ack(id);
                assertThat(silent.nextAnswerFailure().getError().getCode()).isEqualTo("DELIVERY_NOT_FOUND");
            }
        }
    }

    @Test
    void cancelledConsumerLosesNothing() {
        SplittableRandom random = Seeds.random("cancelledConsumerLosesNothing", 5);
        List<String> published = ids(publish(b.topics(), "orders", 40));
        List<String> ackedByFirst = new ArrayList<>();
        ConsumeClient first = ConsumeClient.start(b.async(), "orders", "workers", 10, 10);
        first.awaitStarted();
        List<Message> got = first.next(10);
        for (Message m : got) {
            if (random.nextInt(3) == 0) {
                first.ack(m.getMessageId());
                ackedByFirst.add(m.getMessageId());
            }
        }
        int unanswered = got.size() - ackedByFirst.size();
        await().atMost(WAIT).until(() -> b.registry().find("ratatoskr.group.messages.acked").counter() != null
                && b.registry().find("ratatoskr.group.messages.acked").counter().count() == ackedByFirst.size());
        first.cancel();

        List<String> ackedBySecond = new ArrayList<>();
        int redelivered = 0;
        try (ConsumeClient second = ConsumeClient.start(b.async(), "orders", "workers", 100, 10)) {
            second.awaitStarted();
            while (ackedByFirst.size() + ackedBySecond.size() < published.size()) {
                Message m = second.next();
                if (m.getAttempt() > 1) {
                    redelivered++;
                }
                second.ack(m.getMessageId());
                ackedBySecond.add(m.getMessageId());
            }
            await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().lag() == 0);
            assertThat(second.answerFailures).isEmpty();
        }
        Set<String> all = new HashSet<>(ackedByFirst);
        all.addAll(ackedBySecond);
        assertThat(all).hasSize(published.size()).containsExactlyInAnyOrderElementsOf(published);
        assertThat(ackedByFirst.size() + ackedBySecond.size()).isEqualTo(published.size());
        assertThat(redelivered).isEqualTo(unanswered);
        first.close();
    }

    @Test
    void consumingResumesAfterARestartWithoutRedeliveringAckedMessages() {
        List<String> published = ids(publish(b.topics(), "orders", 10));
        Set<String> acked = new HashSet<>();
        ConsumeClient c = ConsumeClient.start(b.async(), "orders", "workers", 4, 10);
        c.awaitStarted();
        for (Message m : c.next(4)) {
            c.ack(m.getMessageId());
            acked.add(m.getMessageId());
        }
        await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().lag() == 6);

        b.restart();
        assertThat(c.awaitError().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);

        try (ConsumeClient after = ConsumeClient.start(b.async(), "orders", "workers", 100, 10)) {
            after.awaitStarted();
            Set<String> rest = new HashSet<>();
            for (Message m : after.next(6)) {
                rest.add(m.getMessageId());
                after.ack(m.getMessageId());
            }
            assertThat(rest).doesNotContainAnyElementsOf(acked);
            Set<String> all = new HashSet<>(acked);
            all.addAll(rest);
            assertThat(all).containsExactlyInAnyOrderElementsOf(published);
            await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().lag() == 0);
            assertThat(after.messages).isEmpty();
        }
    }

    @Test
    void serverShutdownEndsTheStreamUnavailable() throws InterruptedException {
        GrpcServer second = new GrpcServer(GrpcConfig.DEFAULTS.withPort(0),
                new GrpcBackend(b.broker(), b.topics(), b.groups()), new SimpleMeterRegistry());
        second.start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", second.port()).usePlaintext().build();
        try {
            ConsumeClient c = ConsumeClient.start(RatatoskrGrpc.newStub(channel), "orders", "workers", 1, 0);
            c.awaitStarted();
            second.close();
            Status s = c.awaitError();
            assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(s.getDescription()).contains("shutting down");
            await().atMost(WAIT).until(() -> b.groups().describe("orders", "workers").join().members().isEmpty());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            second.close();
        }
    }

    private DeadLetter awaitDeadLetter(String dlq) {
        await().atMost(WAIT).until(() -> b.topics().exists(dlq)
                && !b.topics().deadLetters().inspect(dlq, 0, 0, 10).isEmpty());
        return b.topics().deadLetters().inspect(dlq, 0, 0, 10).get(0);
    }
}
