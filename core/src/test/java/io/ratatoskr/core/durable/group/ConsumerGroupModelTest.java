package io.ratatoskr.core.durable.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.core.durable.DeadLetterHeaders;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.testing.LocalTopicDirectory.LocalTopic;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.testkit.Seeds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of publishes, acks, nacks, rejects, ignored deliveries, releases, joins, leaves,
 * clock jumps and restarts against one group, then a drain. With clean restarts every published
 * message must end either acknowledged exactly once or in the dead-letter topic exactly once; with
 * simulated kill -9 restarts (buffered state lost) a message may come again, but none is lost.
 */
class ConsumerGroupModelTest {
    private static final int MESSAGES = 300;
    private static final int STEPS = 1500;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "crash={0}")
    @ValueSource(booleans = {false, true})
    void noMessageIsLostThroughRandomFailuresAndRestarts(boolean crash) throws Exception {
        SplittableRandom random = Seeds.random("ConsumerGroupModelTest(crash=" + crash + ")",
                crash ? 77_001L : 20_261_124L);
        try (GroupFixture f = new GroupFixture(dir)) {
            LocalTopic topic = f.topic("jobs", 3);
            f.groups.configure("jobs", "g", GroupConfig.DEFAULTS.withAckTimeoutMs(2_000).withMaxAttempts(4)
                    .withBackoff(100, 2.0, 1_000)).join();
            Map<UUID, Integer> acked = new HashMap<>();
            List<UUID> published = new ArrayList<>();
            List<Consumer> consumers = new ArrayList<>();
            int joined = 0;
            int restarts = 0;

            for (int step = 0; step < STEPS; step++) {
                int op = random.nextInt(100);
                if (op < 15 && published.size() < MESSAGES) {
                    byte[] key = random.nextInt(3) == 0 ? null : ("k" + random.nextInt(10)).getBytes();
                    topic.publish(f.message("m" + published.size()), key);
                    published.add(topic.readAll().stream().map(DurableMessage::id)
                            .filter(id -> !published.contains(id)).findFirst().orElseThrow());
                } else if (op < 20 && consumers.size() < 3) {
                    RecordingSink sink = new RecordingSink();
                    int prefetch = 1 + random.nextInt(8);
                    consumers.add(new Consumer(f.groups.join("jobs", "g",
                            MemberOptions.named("c" + joined++).withPrefetch(prefetch), sink), sink));
                } else if (op < 23 && !consumers.isEmpty()) {
                    Consumer c = consumers.remove(random.nextInt(consumers.size()));
                    if (random.nextBoolean()) {
                        c.member.leave().join();
                    } else {
                        c.member.leave(c.seen.stream().filter(x -> random.nextBoolean()).toList()).join();
                    }
                } else if (op < 33) {
                    f.clock.advanceMs(random.nextInt(1_500));
                } else if (op < 35) {
                    if (crash) {
                        f.crashAndRestart();
                    } else {
                        f.restart();
                    }
                    consumers.clear();
                    restarts++;
                } else if (!consumers.isEmpty()) {
                    Consumer c = consumers.get(random.nextInt(consumers.size()));
                    GroupDelivery d = c.sink.deliveries.poll();
                    if (d == null) {
                        continue;
                    }
                    c.seen.add(d.deliveryId());
                    int answer = random.nextInt(100);
                    if (answer < 60) {
                        if (succeeded(c.member.ack(d.deliveryId()))) {
                            acked.merge(d.message().id(), 1, Integer::sum);
                        }
                    } else if (answer < 78) {
                        swallow(c.member.nack(d.deliveryId(), random.nextBoolean() ? -1 : random.nextInt(3_000)));
                    } else if (answer < 83) {
                        swallow(c.member.reject(d.deliveryId(), "bad luck"));
                    } else if (answer < 90) {
                        swallow(c.member.release(d.deliveryId()));
                    }
                    // else: ignored; the ack timeout takes it back
                }
            }

            // Drain: one well-behaved consumer, time moving on, until nothing is left.
            for (Consumer c : consumers) {
                c.member.leave().join();
            }
            while (published.size() < MESSAGES) {
                topic.publish(f.message("m" + published.size()), null);
                published.add(topic.readAll().stream().map(DurableMessage::id)
                        .filter(id -> !published.contains(id)).findFirst().orElseThrow());
            }
            RecordingSink sink = new RecordingSink();
            GroupMember drainer = f.groups.join("jobs", "g", MemberOptions.named("drainer").withPrefetch(50), sink);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
                GroupDelivery d;
                while ((d = sink.deliveries.poll()) != null) {
                    if (succeeded(drainer.ack(d.deliveryId()))) {
                        acked.merge(d.message().id(), 1, Integer::sum);
                    }
                }
                f.clock.advanceMs(500);
                GroupInfo info = f.groups.describe("jobs", "g").join();
                return info.lag() == 0 && info.inFlight() == 0;
            });

            Map<UUID, Integer> deadLettered = new HashMap<>();
            if (f.topics.find("jobs.dlq").isPresent()) {
                for (DurableMessage m : f.topics.topic("jobs.dlq").readAll()) {
                    deadLettered.merge(m.id(), 1, Integer::sum);
                    assertThat(m.message().properties().userProperties()).extracting(Header::name)
                            .contains(DeadLetterHeaders.REASON, DeadLetterHeaders.ATTEMPTS,
                                    DeadLetterHeaders.SOURCE_OFFSET);
                }
            }
            for (UUID id : published) {
                int a = acked.getOrDefault(id, 0);
                int d = deadLettered.getOrDefault(id, 0);
                if (crash) {
                    assertThat(a + d).as("message %s: acked %d times, dead-lettered %d times", id, a, d)
                            .isPositive();
                } else {
                    assertThat(a + d).as("message %s: acked %d times, dead-lettered %d times", id, a, d)
                            .isEqualTo(1);
                }
            }
            long again = acked.values().stream().filter(n -> n > 1).count()
                    + deadLettered.values().stream().filter(n -> n > 1).count();
            System.out.printf("[model] crash=%s, %d messages: %d acked, %d dead-lettered, %d more than once, "
                    + "%d restarts%n", crash, published.size(), acked.size(), deadLettered.size(), again, restarts);
            assertThat(deadLettered).isNotEmpty();
            assertThat(acked).isNotEmpty();
        }
    }

    private static boolean succeeded(CompletableFuture<Void> f) {
        try {
            f.join();
            return true;
        } catch (CompletionException e) {
            return false;
        }
    }

    private static void swallow(CompletableFuture<Void> f) {
        succeeded(f);
    }

    private record Consumer(GroupMember member, RecordingSink sink, List<Long> seen) {
        Consumer(GroupMember member, RecordingSink sink) {
            this(member, sink, new ArrayList<>());
        }
    }
}
