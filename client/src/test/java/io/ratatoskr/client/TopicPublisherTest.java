package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TopicPublisherTest extends ClientTestBase {
    /** Long enough that nothing lingering goes out during a test unless flushed or closed. */
    private static final Duration FOREVER = Duration.ofHours(1);

    @Test
    void messagesSentFasterThanCallsAreAnsweredShareCallsAndAreStoredInTheOrderSent() {
        client.topics().createTopic("orders");
        int n = 5000;
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(n);
        TopicPublisher publisher = client.publisher("orders", PublisherOptions.DEFAULTS.withMaxBatchMessages(100));

        for (int i = 0; i < n; i++) {
            results.add(publisher.send("order " + i));
        }
        publisher.flush().join();

        for (int i = 0; i < n; i++) {
            PublishResult r = results.get(i).join();
            assertThat(r.stored()).isTrue();
            assertThat(r.topic()).isEqualTo("orders");
            assertThat(r.offset()).as("offset of message %d", i).isEqualTo(i);
        }
        // Calls of at most 100 messages, and far fewer calls than messages.
        assertThat(publisher.calls()).isBetween((long) n / 100, (long) n / 2);
        assertThat(client.topics().getStats("orders").messages()).isEqualTo(n);
        List<String> consumed = new CopyOnWriteArrayList<>();
        try (Consumer ignored = client.consume("orders", "readers", m -> {
            consumed.add(m.payloadAsString());
            return Ack.ACK;
        })) {
            await().atMost(WAIT).until(() -> consumed.size() == n);
        }
        assertThat(consumed.getFirst()).isEqualTo("order 0");
        assertThat(consumed.getLast()).isEqualTo("order " + (n - 1));
    }

    @Test
    void aMessageRefusedByTheBrokerFailsAloneAndTheOthersOfItsCallAreStored() {
        client.topics().createTopic("events", TopicSettings.DEFAULTS.withMaxMessageBytes(1024));
        TopicPublisher publisher = client.publisher("events", PublisherOptions.DEFAULTS.withLinger(FOREVER));

        CompletableFuture<PublishResult> a = publisher.send("a");
        CompletableFuture<PublishResult> tooLarge = publisher.send(new byte[4096]);
        CompletableFuture<PublishResult> c = publisher.send("c");
        publisher.flush().join();

        assertThat(publisher.calls()).isEqualTo(1);
        assertThat(a.join().offset()).isZero();
        assertThat(c.join().offset()).isEqualTo(1);
        assertThatThrownBy(tooLarge::join).cause().isInstanceOfSatisfying(RatatoskrClientException.class, e -> {
            assertThat(e.code()).isEqualTo("MESSAGE_TOO_LARGE");
            assertThat(e.status()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        });
        assertThat(client.topics().getStats("events").messages()).isEqualTo(2);
    }

    @Test
    void aCallTheBrokerRefusesFailsEachOfItsMessages() {
        TopicPublisher publisher = client.publisher("nowhere", PublisherOptions.DEFAULTS.withLinger(FOREVER));

        List<CompletableFuture<PublishResult>> results = List.of(publisher.send("x"), publisher.send("y"));
        publisher.flush().join();

        for (CompletableFuture<PublishResult> r : results) {
            assertThatThrownBy(r::join).isInstanceOf(CompletionException.class).cause()
                    .isInstanceOfSatisfying(RatatoskrClientException.class, e -> {
                        assertThat(e.code()).isEqualTo("TOPIC_NOT_FOUND");
                        assertThat(e.getMessage()).contains("nowhere");
                    });
        }
    }

    @Test
    void aLingeringMessageWaitsForItsCompanyUntilFlushed() {
        client.topics().createTopic("slow");
        TopicPublisher publisher = client.publisher("slow", PublisherOptions.DEFAULTS.withLinger(FOREVER));

        CompletableFuture<PublishResult> result = publisher.send("alone");

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !result.isDone());
        assertThat(publisher.calls()).isZero();
        publisher.flush().join();
        assertThat(result.join().offset()).isZero();
    }

    @Test
    void aFullBatchGoesWithoutWaitingForTheLinger() {
        client.topics().createTopic("full");
        TopicPublisher publisher = client.publisher("full", PublisherOptions.DEFAULTS.withLinger(FOREVER)
                .withMaxBatchMessages(10).withMaxBatchBytes(4096));

        List<CompletableFuture<PublishResult>> byCount = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byCount.add(publisher.send("m" + i));
        }
        assertThat(byCount.getLast()).succeedsWithin(WAIT);
        CompletableFuture<PublishResult> bigFirst = publisher.send(new byte[3000]);
        CompletableFuture<PublishResult> bigSecond = publisher.send(new byte[3000]);

        assertThat(bigFirst).succeedsWithin(WAIT).satisfies(r -> assertThat(r.offset()).isEqualTo(10));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !bigSecond.isDone());
        assertThat(publisher.calls()).isEqualTo(2);
        publisher.flush().join();
        assertThat(bigSecond.join().offset()).isEqualTo(11);
    }

    @Test
    void aLingerSendsWhatWaitedOnceItHasPassed() {
        client.topics().createTopic("lingered");
        TopicPublisher publisher = client.publisher("lingered",
                PublisherOptions.DEFAULTS.withLinger(Duration.ofMillis(500)));

        List<CompletableFuture<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            results.add(publisher.send("m" + i));
        }

        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(),
                TimeUnit.SECONDS).join();
        assertThat(publisher.calls()).isEqualTo(1);
        assertThat(results.getLast().join().offset()).isEqualTo(9);
    }

    @Test
    void aFullBufferFailsTheSendWithBufferFullAndLosesNothingAlreadySent() {
        client.topics().createTopic("tight");
        TopicPublisher publisher = client.publisher("tight", PublisherOptions.DEFAULTS.withLinger(FOREVER)
                .withBufferBytes(2000).withMaxBlock(Duration.ZERO));

        CompletableFuture<PublishResult> first = publisher.send(new byte[1500]);
        CompletableFuture<PublishResult> second = publisher.send(new byte[1500]);

        assertThatThrownBy(second::join).cause().isInstanceOfSatisfying(RatatoskrClientException.class, e -> {
            assertThat(e.code()).isEqualTo("BUFFER_FULL");
            assertThat(e.status()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        });
        publisher.flush().join();
        assertThat(first.join().offset()).isZero();
        CompletableFuture<PublishResult> third = publisher.send(new byte[1500]);
        publisher.flush().join();
        assertThat(third.join().offset()).isEqualTo(1);
    }

    @Test
    void aSendWaitingForRoomSendsWhatLingersAndGoesOnOnceItIsAnswered() {
        client.topics().createTopic("waits");
        TopicPublisher publisher = client.publisher("waits", PublisherOptions.DEFAULTS.withLinger(FOREVER)
                .withBufferBytes(2000).withMaxBlock(Duration.ofMinutes(1)));
        CompletableFuture<PublishResult> first = publisher.send(new byte[1500]);

        // The buffer holds the lingering first message: the second send waits, and its waiting sends the first.
        CompletableFuture<CompletableFuture<PublishResult>> second =
                CompletableFuture.supplyAsync(() -> publisher.send(new byte[1500]));

        assertThat(first).succeedsWithin(WAIT).satisfies(r -> assertThat(r.offset()).isZero());
        assertThat(second).succeedsWithin(WAIT);
        assertThat(second.join()).isNotDone(); // it lingers in turn
        publisher.flush().join();
        assertThat(second.join().join().offset()).isEqualTo(1);
    }

    @Test
    void aBrokerThatCannotBeReachedFailsEveryWaitingMessageWhateverTheirNumber() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int n = 20_000;
        try (RatatoskrClient unreachable = RatatoskrClient.builder().host("127.0.0.1").port(port).plaintext()
                .directCallbacks().build()) {
            // One message a call: a call that fails at once must not start the next inside itself, n deep.
            TopicPublisher publisher = unreachable.publisher("orders", PublisherOptions.DEFAULTS
                    .withMaxBatchMessages(1).withLinger(FOREVER));
            List<CompletableFuture<PublishResult>> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                results.add(publisher.send("m" + i));
            }

            assertThat(publisher.flush()).succeedsWithin(WAIT);

            for (CompletableFuture<PublishResult> r : results) {
                assertThat(r).isCompletedExceptionally();
            }
            assertThatThrownBy(results.getLast()::join).cause().isInstanceOfSatisfying(
                    RatatoskrClientException.class, e -> assertThat(e.status()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(publisher.calls()).isEqualTo(n);
        }
    }

    @Test
    void aSendFromAnAnswersDependentStageDoesNotWaitForRoomItCouldBeHoldingUp() {
        client.topics().createTopic("callbacks");
        TopicPublisher publisher = client.publisher("callbacks", PublisherOptions.DEFAULTS.withLinger(FOREVER)
                .withBufferBytes(2000).withMaxBlock(Duration.ofMinutes(1)));
        CompletableFuture<PublishResult> first = publisher.send(new byte[500]);
        // In the answer's dependent stage: a message that fits (and lingers), then one that does not.
        CompletableFuture<CompletableFuture<PublishResult>> fromCallback = first.thenApply(r -> {
            publisher.send(new byte[1200]);
            return publisher.send(new byte[1000]);
        });

        publisher.flush().join();
        CompletableFuture<PublishResult> refused = fromCallback.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();

        assertThat(refused).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(RatatoskrClientException.class,
                        e -> assertThat(e.code()).isEqualTo("BUFFER_FULL"));
        assertThat(first.join().offset()).isZero();
        assertThat(publisher.calls()).isEqualTo(1);
    }

    @Test
    void closeSendsWhatWaitsAndLaterSendsAreRefused() {
        client.topics().createTopic("closing");
        TopicPublisher publisher = client.publisher("closing", PublisherOptions.DEFAULTS.withLinger(FOREVER));
        List<CompletableFuture<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(publisher.send("m" + i));
        }

        publisher.close();

        for (CompletableFuture<PublishResult> r : results) {
            assertThat(r).isCompleted();
            assertThat(r.join().stored()).isTrue();
        }
        assertThat(client.topics().getStats("closing").messages()).isEqualTo(20);
        assertThatThrownBy(() -> publisher.send("late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingTheClientSendsWhatItsPublishersHold() {
        client.topics().createTopic("held");
        TopicPublisher publisher = client.publisher("held", PublisherOptions.DEFAULTS.withLinger(FOREVER));
        CompletableFuture<PublishResult> result = publisher.send("kept");

        client.close();

        assertThat(result.join().stored()).isTrue();
        try (RatatoskrClient other = broker.client()) {
            assertThat(other.topics().getStats("held").messages()).isEqualTo(1);
        }
    }

    @Test
    void messagesThePublisherCannotCarryAreRefusedAtOnce() {
        client.topics().createTopic("strict");
        TopicPublisher publisher = client.publisher("strict", PublisherOptions.DEFAULTS.withQos(0));

        assertThatThrownBy(() -> publisher.send(OutgoingMessage.builder("other").payload("x").build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> publisher.send(OutgoingMessage.builder("strict").payload("x").retain(true).build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> publisher.send(OutgoingMessage.builder("strict").payload("x").qos(1).build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(publisher.send(OutgoingMessage.builder("strict").payload("x").qos(0).build()))
                .succeedsWithin(WAIT);
        assertThat(publisher.calls()).isEqualTo(1);
    }
}
