package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsumeTest extends ClientTestBase {
    @Test
    void ackNackWithDelayRejectAndHandlerExceptionsAreAppliedByTheGroup() {
        client.topics().createTopic("tasks");
        client.topics().createTopic("tasks.dlq");
        for (String p : List.of("ok", "retry", "poison", "boom")) {
            client.publish("tasks", p).join();
        }
        Duration nackDelay = Duration.ofMillis(300);
        Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
        Map<String, Long> handledAtNanos = new ConcurrentHashMap<>();
        List<ReceivedMessage> deadLetters = new CopyOnWriteArrayList<>();

        Consumer consumer = client.consume("tasks", "workers", m -> {
            String p = m.payloadAsString();
            attempts.computeIfAbsent(p, k -> new CopyOnWriteArrayList<>()).add(m.attempt());
            handledAtNanos.put(p + "#" + m.attempt(), System.nanoTime());
            return switch (p) {
                case "retry" -> m.attempt() == 1 ? Ack.nack(nackDelay) : Ack.ACK;
                case "poison" -> Ack.reject("unparseable");
                case "boom" -> {
                    if (m.attempt() == 1) {
                        throw new IllegalStateException("transient failure");
                    }
                    yield Ack.ACK;
                }
                default -> Ack.ACK;
            };
        });
        client.consume("tasks.dlq", "dlq-readers", m -> {
            deadLetters.add(m);
            return Ack.ACK;
        });

        await().atMost(WAIT).until(() -> attempts.getOrDefault("retry", List.of()).size() == 2
                && attempts.getOrDefault("boom", List.of()).size() == 2 && deadLetters.size() == 1);
        assertThat(attempts.get("ok")).containsExactly(1);
        assertThat(attempts.get("poison")).containsExactly(1);
        assertThat(attempts.get("retry")).containsExactly(1, 2);
        assertThat(attempts.get("boom")).containsExactly(1, 2);
        assertThat(handledAtNanos.get("retry#2") - handledAtNanos.get("retry#1"))
                .isGreaterThanOrEqualTo(nackDelay.toNanos());
        assertThat(deadLetters.getFirst().payloadAsString()).isEqualTo("poison");
        assertThat(deadLetters.getFirst().metadata().get("dlq-reason")).contains("unparseable");
        await().atMost(WAIT).until(() -> consumer.acked() == 3);
        assertThat(consumer.nacked()).isEqualTo(2);
        assertThat(consumer.rejected()).isEqualTo(1);
        assertThat(consumer.answersRefused()).isZero();
    }

    @Test
    void concurrencyNHandlesNMessagesAtOnceAndNeverMore() throws Exception {
        int n = 4;
        int messages = 40;
        client.topics().createTopic("images");
        for (int i = 0; i < messages; i++) {
            client.publish("images", "img-" + i).join();
        }
        AtomicInteger inHandler = new AtomicInteger();
        AtomicInteger maxInHandler = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch allIn = new CountDownLatch(n);

        try (Consumer ignored = client.consume("images", "resizers",
                ConsumeOptions.DEFAULTS.withConcurrency(n).withCreditWindow(2 * n), m -> {
                    int now = inHandler.incrementAndGet();
                    maxInHandler.accumulateAndGet(now, Math::max);
                    allIn.countDown();
                    // The first n wait for each other: they can only all get here if they run in parallel.
                    boolean together = allIn.await(10, TimeUnit.SECONDS);
                    inHandler.decrementAndGet();
                    done.incrementAndGet();
                    return together ? Ack.ACK : Ack.nack();
                })) {
            await().atMost(WAIT).until(() -> done.get() == messages);
        }
        assertThat(allIn.getCount()).isZero();
        assertThat(maxInHandler.get()).isEqualTo(n);
    }

    @Test
    void theCreditWindowBoundsWhatTheBrokerSendsAheadOfASlowHandler() throws Exception {
        int window = 3;
        int messages = 20;
        client.topics().createTopic("reports");
        for (int i = 0; i < messages; i++) {
            client.publish("reports", "r-" + i).join();
        }
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger maxAhead = new AtomicInteger();
        Consumer[] self = new Consumer[1];

        Consumer consumer = client.consume("reports", "slow", ConsumeOptions.DEFAULTS.withCreditWindow(window), m -> {
            release.await(10, TimeUnit.SECONDS);
            // Delivered and not yet answered, this one included.
            maxAhead.accumulateAndGet((int) (self[0].received() - handled.get()), Math::max);
            handled.incrementAndGet();
            return Ack.ACK;
        });
        self[0] = consumer;

        await().atMost(WAIT).until(() -> consumer.received() == window);
        // Held for a while: the broker does not send beyond the window while the handler is stuck.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> consumer.received() == window);
        release.countDown();
        await().atMost(WAIT).until(() -> handled.get() == messages);
        assertThat(maxAhead.get()).isLessThanOrEqualTo(window);
        assertThat(consumer.received()).isEqualTo(messages);
        consumer.close();
    }

    @Test
    void creditsAreGrantedInBatchesOfAboutHalfTheWindow() {
        int window = 8;
        int messages = 40;
        client.topics().createTopic("events");
        for (int i = 0; i < messages; i++) {
            client.publish("events", "e-" + i).join();
        }
        try (Consumer consumer = client.consume("events", "batched", ConsumeOptions.DEFAULTS.withCreditWindow(window),
                m -> Ack.ACK)) {
            await().atMost(WAIT).until(() -> consumer.acked() == messages);
            // One credit message per 4 answers instead of one per answer.
            assertThat(consumer.creditGrants()).isEqualTo(messages / (window / 2));
            assertThat(consumer.received()).isEqualTo(messages);
        }
    }

    @Test
    void aBatchedConsumerAcknowledgesEveryMessageWithFewAckRequests() {
        int messages = 400;
        client.topics().createTopic("bulk");
        for (int i = 0; i < messages; i++) {
            client.publish("bulk", "b-" + i).join();
        }
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Consumer consumer = client.consume("bulk", "batched", ConsumeOptions.DEFAULTS.withCreditWindow(100),
                m -> {
                    seen.add(m.payloadAsString());
                    return Ack.ACK;
                })) {
            await().atMost(WAIT).until(() -> client.groups().describe("bulk", "batched").lag() == 0);
            assertThat(consumer.acked()).isEqualTo(messages);
            assertThat(consumer.ackRequests()).isLessThan(messages / 4);
            assertThat(consumer.answersRefused()).isZero();
        }
        assertThat(seen).hasSize(messages).doesNotHaveDuplicates().startsWith("b-0").endsWith("b-399");
    }

    @Test
    void aConsumerWithMaxBatchOneSendsOneAckPerMessage() {
        int messages = 30;
        client.topics().createTopic("singles");
        for (int i = 0; i < messages; i++) {
            client.publish("singles", "s-" + i).join();
        }
        try (Consumer consumer = client.consume("singles", "one", ConsumeOptions.DEFAULTS.withMaxBatch(1),
                m -> Ack.ACK)) {
            await().atMost(WAIT).until(() -> client.groups().describe("singles", "one").lag() == 0);
            assertThat(consumer.ackRequests()).isEqualTo(messages);
        }
    }

    @Test
    void aWindowOfOneNeverStalls() {
        int messages = 10;
        client.topics().createTopic("single");
        for (int i = 0; i < messages; i++) {
            client.publish("single", "s-" + i).join();
        }
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Consumer consumer = client.consume("single", "one-by-one", ConsumeOptions.DEFAULTS.withCreditWindow(1),
                m -> {
                    seen.add(m.payloadAsString());
                    return Ack.ACK;
                })) {
            await().atMost(WAIT).until(() -> consumer.acked() == messages);
            assertThat(consumer.creditGrants()).isEqualTo(messages);
        }
        assertThat(seen).hasSize(messages).startsWith("s-0").endsWith("s-9");
    }

    @Test
    void consumingAMissingTopicStopsAndTellsTheErrorListener() {
        List<RatatoskrClientException> errors = new CopyOnWriteArrayList<>();
        try (RatatoskrClient c = broker.client(RatatoskrClient.builder()
                .errorListener((source, e) -> errors.add(e)))) {
            Consumer consumer = c.consume("ghost", "g", m -> Ack.ACK);

            await().atMost(WAIT).until(() -> !errors.isEmpty());
            assertThat(errors.getFirst().code()).isEqualTo("TOPIC_NOT_FOUND");
            assertThat(consumer.isActive()).isFalse();
            assertThat(consumer.whenStarted()).isCompletedExceptionally();
        }
    }
}
