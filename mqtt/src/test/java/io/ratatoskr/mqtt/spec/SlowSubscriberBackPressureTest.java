package io.ratatoskr.mqtt.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.ratatoskr.core.session.OverflowPolicy;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.mqtt.testing.TestBroker;
import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * A QoS 1 message the broker acknowledged reaches every connected subscriber that keeps taking messages,
 * however slowly: its publishers are held back (not read) for as long as it is congested. A subscriber
 * that takes nothing for the slow-subscriber timeout no longer holds them: its overflow policy applies,
 * counted. Real sockets, HiveMQ MQTT 5 clients (the subscriber acknowledges by hand).
 */
class SlowSubscriberBackPressureTest {
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Small queue and window: the slow subscriber is congested after a few hundred messages. */
    private static final int MAX_QUEUED = 100;
    private static final int MAX_INFLIGHT = 20;

    private TestBroker broker;
    private final List<Mqtt5AsyncClient> clients = new ArrayList<>();
    private final ScheduledExecutorService acker = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() {
        acker.shutdownNow();
        for (Mqtt5AsyncClient c : clients) {
            c.disconnect();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void start(long slowSubscriberTimeoutMs) {
        broker = TestBroker.start(b -> b.withSession(new SessionConfig(MAX_QUEUED, OverflowPolicy.DROP_OLDEST,
                MAX_INFLIGHT, 3600, false, slowSubscriberTimeoutMs)), m -> m);
    }

    private Mqtt5AsyncClient connect(String id) {
        return connectAll(List.of(id)).get(0);
    }

    /** Connects the clients at once (connecting a few dozen one by one takes seconds on a loaded machine). */
    private List<Mqtt5AsyncClient> connectAll(List<String> ids) {
        List<Mqtt5AsyncClient> out = new ArrayList<>();
        List<CompletableFuture<?>> connected = new ArrayList<>();
        for (String id : ids) {
            Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildAsync();
            connected.add(c.connect());
            clients.add(c);
            out.add(c);
        }
        CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).orTimeout(BOUND.toSeconds(),
                TimeUnit.SECONDS).join();
        return out;
    }

    /** A subscriber to {@code filter} whose messages wait in {@code arrived} until the test acknowledges them. */
    private Mqtt5AsyncClient manualSubscriber(String id, String filter, ConcurrentLinkedQueue<Mqtt5Publish> arrived) {
        Mqtt5AsyncClient c = connect(id);
        c.publishes(MqttGlobalPublishFilter.ALL, arrived::add, true);
        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().orTimeout(10, TimeUnit.SECONDS)
                .join();
        return c;
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private CompletableFuture<?> publishAll(Mqtt5AsyncClient publisher, String topic, String prefix, int n) {
        CompletableFuture<?>[] acks = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            acks[i] = publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload((prefix + "-" + i).getBytes(StandardCharsets.UTF_8)).send();
        }
        return CompletableFuture.allOf(acks);
    }

    private double counter(String name, String... tags) {
        return broker.counter(name, tags);
    }

    @Test
    void fanInToASubscriberThatAcknowledgesSlowlyLosesNothingAndEveryPublisherFinishes() {
        SplittableRandom random = Seeds.random("fanInToASlowSubscriber", 0x5EED_F00DL);
        start(SessionConfig.DEFAULT_SLOW_SUBSCRIBER_TIMEOUT_MS);
        int publishers = 50;
        int perPublisher = 40;
        ConcurrentLinkedQueue<Mqtt5Publish> arrived = new ConcurrentLinkedQueue<>();
        manualSubscriber("slow-sub", "fan/#", arrived);
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        // Slowly but steadily: four to eight acknowledgements a tick of 1 ms (seeded), in arrival order; 2,000
        // messages arrive at once, far more than the queue of 100 holds.
        int[] perTick = random.ints(1024, 4, 9).toArray();
        AtomicInteger tick = new AtomicInteger();
        acker.scheduleAtFixedRate(() -> {
            int n = perTick[tick.getAndIncrement() & 1023];
            Mqtt5Publish p;
            while (n-- > 0 && (p = arrived.poll()) != null) {
                if (!received.add(text(p))) {
                    duplicates.incrementAndGet();
                }
                p.acknowledge();
            }
        }, 1, 1, TimeUnit.MILLISECONDS);

        List<Mqtt5AsyncClient> pubs = connectAll(IntStream.range(0, publishers).mapToObj(i -> "pub-" + i).toList());
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            done.add(publishAll(pubs.get(i), "fan/" + i, "p" + i, perPublisher));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).orTimeout(BOUND.toSeconds(), TimeUnit.SECONDS)
                .join();
        int total = publishers * perPublisher;
        await().atMost(BOUND).until(() -> received.size() == total);

        List<String> missing = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            for (int j = 0; j < perPublisher; j++) {
                if (!received.contains("p" + i + "-" + j)) {
                    missing.add("p" + i + "-" + j);
                }
            }
        }
        assertThat(missing).as("acknowledged messages that never reached the live subscriber").isEmpty();
        assertThat(duplicates.get()).as("no reconnect: nothing is sent twice").isZero();
        assertThat(counter("ratatoskr.messages.dropped", "reason", "queue_full")).isZero();
        assertThat(counter("ratatoskr.messages.dropped", "reason", "mailbox_full")).isZero();
        assertThat(counter("ratatoskr.mqtt.publisher.pauses")).as("publishers were held back").isPositive();
        assertThat(counter("ratatoskr.mqtt.publisher.releases", "reason", "stalled")).isZero();
        await().atMost(BOUND).until(() -> counter("ratatoskr.mqtt.publisher.releases", "reason", "decongested")
                == counter("ratatoskr.mqtt.publisher.pauses"));
    }

    @Test
    void stuckSubscriberHoldsPublishersOnlyForTheTimeoutWhileAnotherSubscriberGetsEverything() {
        long stallMs = 300;
        start(stallMs);
        ConcurrentLinkedQueue<Mqtt5Publish> neverAcked = new ConcurrentLinkedQueue<>();
        manualSubscriber("stuck", "feed/#", neverAcked); // takes MAX_INFLIGHT messages and acknowledges none
        Set<String> good = ConcurrentHashMap.newKeySet();
        Mqtt5AsyncClient goodSub = connect("good");
        goodSub.publishes(MqttGlobalPublishFilter.ALL, p -> good.add(text(p)));
        goodSub.subscribeWith().topicFilter("feed/#").qos(MqttQos.AT_LEAST_ONCE).send().join();

        int n = 3_000;
        long startNanos = System.nanoTime();
        publishAll(connect("feeder"), "feed/x", "m", n).orTimeout(BOUND.toSeconds(), TimeUnit.SECONDS).join();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        await().atMost(BOUND).until(() -> good.size() == n);
        // Paused at most once per stall: the stuck subscriber, once stalled, holds nobody back.
        // (about a second on a quiet machine; the bound allows for a loaded one, not for a stall per message)
        assertThat(tookMs).as("publishing took %d ms", tookMs).isLessThan(15_000);
        assertThat(counter("ratatoskr.mqtt.publisher.releases", "reason", "stalled")).isPositive();
        assertThat(neverAcked).hasSize(MAX_INFLIGHT);
        double dropped = counter("ratatoskr.messages.dropped", "reason", "queue_full");
        assertThat(dropped).as("the stuck subscriber's overflow is dropped and counted").isGreaterThan(n / 2);
    }

    @Test
    void publishersHeldBackByASubscriberGoOnWhenItDisconnects() {
        start(60_000); // never stalls within the test: only its leaving can release the publishers
        ConcurrentLinkedQueue<Mqtt5Publish> neverAcked = new ConcurrentLinkedQueue<>();
        Mqtt5AsyncClient sub = manualSubscriber("leaver", "hold/#", neverAcked);
        List<Mqtt5AsyncClient> pubs = connectAll(IntStream.range(0, 5).mapToObj(i -> "held-" + i).toList());
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            done.add(publishAll(pubs.get(i), "hold/" + i, "h" + i, 400));
        }
        CompletableFuture<?> all = CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
        await().atMost(BOUND).until(() -> counter("ratatoskr.mqtt.publisher.pauses") >= 1
                && neverAcked.size() == MAX_INFLIGHT);
        assertThat(all).as("held back while the subscriber is connected and congested").isNotDone();

        sub.disconnect().orTimeout(10, TimeUnit.SECONDS).join();
        clients.remove(sub);
        all.orTimeout(BOUND.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(counter("ratatoskr.mqtt.publisher.releases", "reason", "decongested")).isPositive();
        assertThat(counter("ratatoskr.mqtt.publisher.releases", "reason", "stalled")).isZero();
    }
}
