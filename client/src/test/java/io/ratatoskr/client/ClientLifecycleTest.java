package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void closeEndsEveryStreamAndLeavesNoClientThreads() throws Exception {
        try (TestBroker broker = TestBroker.start(dir)) {
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            RatatoskrClient client = broker.client();
            client.topics().createTopic("logs");
            client.publish("logs", "line").join();
            Subscription sub = client.subscribe("logs", m -> Ack.ACK);
            Consumer consumer = client.consume("logs", "shippers", m -> Ack.ACK);
            sub.whenSubscribed().get(10, TimeUnit.SECONDS);
            consumer.whenStarted().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.acked() == 1);

            client.close();

            assertThat(sub.isActive()).isFalse();
            assertThat(consumer.isActive()).isFalse();
            assertThat(client.channel().isTerminated()).isTrue();
            // The broker's own threads stay; the client's are gone, and gRPC's shared client-side ones are daemons.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(newThreads(before))
                    .noneMatch(t -> t.getName().startsWith("ratatoskr-client"))
                    .filteredOn(t -> t.getName().startsWith("grpc-default-executor")
                            || t.getName().startsWith("grpc-nio-worker"))
                    .allMatch(Thread::isDaemon));
            // The broker saw the member leave.
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.consumerGroups()
                    .describe("logs", "shippers").get(5, TimeUnit.SECONDS).members().isEmpty());
            assertThatThrownBy(() -> client.publish("logs", "late").join())
                    .isInstanceOf(CompletionException.class).cause()
                    .isInstanceOfSatisfying(RatatoskrClientException.class,
                            e -> assertThat(e.status()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE));
            assertThatThrownBy(() -> client.subscribe("logs", m -> Ack.ACK)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aCallToAnUnreachableBrokerFailsWithUnavailable() {
        try (RatatoskrClient client = RatatoskrClient.builder().target("127.0.0.1:1")
                .defaultDeadline(Duration.ofSeconds(5)).build()) {
            assertThatThrownBy(() -> client.topics().topicExists("x"))
                    .isInstanceOfSatisfying(RatatoskrClientException.class, e -> {
                        assertThat(e.status()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
                        assertThat(e.code()).isEqualTo("UNAVAILABLE");
                    });
        }
    }

    private static Set<Thread> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> !before.contains(t)).collect(Collectors.toSet());
    }
}
