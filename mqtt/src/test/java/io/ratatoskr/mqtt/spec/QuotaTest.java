package io.ratatoskr.mqtt.spec;

import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.server.MqttLimits;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static io.ratatoskr.mqtt.spec.RawClients.TIMEOUT;
import static io.ratatoskr.mqtt.spec.RawClients.connectPacket;
import static io.ratatoskr.mqtt.spec.RawClients.encode;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-address, per-client and per-topic quotas of the MQTT listener (docs/security.md, "Limits and
 * quotas"), over real sockets: each refusal carries the reason code of its packet, is counted, and
 * leaves the client's other traffic alone; the publish rate slows a client down without dropping.
 */
class QuotaTest {
    private TestBroker broker;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void start(UnaryOperator<MqttLimits> limits) {
        broker = TestBroker.start(b -> b, m -> m.withLimits(limits.apply(m.limits())));
    }

    private void startWith(UnaryOperator<BrokerConfig> config) {
        broker = TestBroker.start(config, m -> m);
    }

    private RawMqttClient open(MqttVersion version) throws IOException {
        RawMqttClient c = RawClients.open(broker, version);
        clients.add(c);
        return c;
    }

    private RawMqttClient connected(MqttVersion version, String clientId) throws IOException {
        RawMqttClient c = open(version);
        c.send(connectPacket(version, clientId, true, 60));
        assertThat(expect(c, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        return c;
    }

    // ---------------------------------------------------------------------------------------
    // mqtt.max-connections-per-address

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void connectBeyondThePerAddressLimitIsRefusedWithQuotaExceeded(MqttVersion version) throws Exception {
        start(l -> l.withMaxConnectionsPerAddress(3));
        RawMqttClient first = connected(version, "c1");
        connected(version, "c2");
        connected(version, "c3");

        RawMqttClient fourth = open(version);
        fourth.send(connectPacket(version, "c4", true, 60));

        ConnAck refused = expect(fourth, ConnAck.class);
        // v5: 0x97 Quota exceeded (§3.2.2.2); 3.1.1 has no such code: 0x03 Server unavailable (§3.2.2.3).
        assertThat(refused.reasonCode()).isEqualTo(version == MqttVersion.V5
                ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.V3_SERVER_UNAVAILABLE);
        assertThat(fourth.awaitClosed(TIMEOUT)).isTrue();
        assertThat(broker.counter("ratatoskr.mqtt.connections.refused", "reason", "max_connections_per_address"))
                .isEqualTo(1);

        first.close();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RawMqttClient again = open(version);
            again.send(connectPacket(version, "c5", true, 60));
            assertThat(expect(again, ConnAck.class).reasonCode()).as("a freed slot is usable again")
                    .isEqualTo(ReasonCode.SUCCESS);
        });
    }

    @Test
    void overIpv6LoopbackThePerAddressLimitHoldsToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "no IPv6 loopback (::1) on this machine");
        broker = TestBroker.start(b -> b, m -> m.withAddress("::1", 0)
                .withLimits(m.limits().withMaxConnectionsPerAddress(2)));
        for (String id : List.of("v6-1", "v6-2", "v6-3")) {
            RawMqttClient c = RawMqttClient.connect(new java.net.InetSocketAddress("::1", broker.port()),
                    MqttVersion.V5, TIMEOUT);
            clients.add(c);
            c.send(connectPacket(MqttVersion.V5, id, true, 60));
            assertThat(expect(c, ConnAck.class).reasonCode()).as(id)
                    .isEqualTo(id.equals("v6-3") ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.SUCCESS);
        }
        assertThat(broker.counter("ratatoskr.mqtt.connections.refused", "reason", "max_connections_per_address"))
                .isEqualTo(1);
    }

    private static boolean ipv6Loopback() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------
    // mqtt.max-pending-connections-per-address, mqtt.max-pending-connections

    private RawMqttClient openFrom(String localAddress) throws IOException {
        RawMqttClient c = RawMqttClient.connectFrom(java.net.InetAddress.getByName(localAddress),
                new java.net.InetSocketAddress("127.0.0.1", broker.port()), MqttVersion.V5, TIMEOUT);
        clients.add(c);
        return c;
    }

    /** Accepted sockets still in CONNECT, as the gauge operators see. */
    private void awaitPending(int expected) {
        await().atMost(TIMEOUT).until(() -> broker.registry().find("ratatoskr.mqtt.connections.pending").gauge()
                .value() == expected);
    }

    @Test
    void socketsBeyondThePendingCapOfTheirAddressAreClosedAtOnceWhileWellBehavedClientsConnect() throws Exception {
        // Connect timeout 60 s: anything closed within the test's seconds was closed by the cap.
        broker = TestBroker.start(b -> b, m -> m.withConnectTimeoutSeconds(60)
                .withLimits(m.limits().withMaxPendingConnections(5, 8)));
        List<RawMqttClient> idle = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            idle.add(openFrom("127.0.0.1")); // never send CONNECT
        }
        awaitPending(4);
        // A client that completes CONNECT stops counting: two in a row fit beside the four idle sockets.
        for (String id : List.of("good-1", "good-2")) {
            RawMqttClient good = openFrom("127.0.0.1");
            good.send(connectPacket(MqttVersion.V5, id, true, 60));
            assertThat(expect(good, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
        idle.add(openFrom("127.0.0.1")); // the fifth: at the cap
        awaitPending(5);
        RawMqttClient sixth = openFrom("127.0.0.1");
        assertThat(sixth.awaitClosed(TIMEOUT)).as("the sixth idle socket of 127.0.0.1 is closed at once").isTrue();
        assertThat(broker.counter("ratatoskr.mqtt.connections.refused", "reason",
                "max_pending_connections_per_address")).isEqualTo(1);
        for (RawMqttClient c : idle) {
            assertThat(c.awaitClosed(Duration.ofMillis(20))).as("sockets within the cap wait for their CONNECT")
                    .isFalse();
        }

        // Another source has its own budget, until the overall cap (8) is reached.
        RawMqttClient other = openFrom("127.0.0.2");
        other.send(connectPacket(MqttVersion.V5, "other-source", true, 60));
        assertThat(expect(other, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        for (int i = 0; i < 3; i++) {
            idle.add(openFrom("127.0.0.2"));
        }
        awaitPending(8);
        RawMqttClient ninth = openFrom("127.0.0.3");
        assertThat(ninth.awaitClosed(TIMEOUT)).as("the ninth idle socket overall is closed at once").isTrue();
        assertThat(broker.counter("ratatoskr.mqtt.connections.refused", "reason", "max_pending_connections"))
                .isEqualTo(1);

        // Freed slots are usable again.
        idle.get(0).close();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RawMqttClient again = openFrom("127.0.0.1");
            again.send(connectPacket(MqttVersion.V5, "again", true, 60));
            assertThat(expect(again, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        });
    }

    // ---------------------------------------------------------------------------------------
    // mqtt.max-subscriptions-per-client

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void filtersBeyondTheSubscriptionCapAreRefusedAndTheOthersGranted(MqttVersion version) throws Exception {
        start(l -> l.withMaxSubscriptionsPerClient(2));
        RawMqttClient c = connected(version, "subscriber");

        c.send(new Subscribe(1, List.of(new Subscription("a", 1), new Subscription("b", 1),
                new Subscription("c", 1)), MqttProperties.EMPTY));
        int refused = version == MqttVersion.V5 ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.V3_SUBACK_FAILURE;
        assertThat(expect(c, SubAck.class).reasonCodes()).containsExactly(1, 1, refused);

        c.send(new Subscribe(2, List.of(new Subscription("a", 0), new Subscription("d", 0)), MqttProperties.EMPTY));
        assertThat(expect(c, SubAck.class).reasonCodes()).as("replacing an existing subscription is allowed")
                .containsExactly(0, refused);
        assertThat(broker.counter("ratatoskr.mqtt.subscriptions.refused", "reason", "max_subscriptions"))
                .isEqualTo(2);

        c.send(new Publish("a", 0, false, false, 0, new byte[] {7}, MqttProperties.EMPTY));
        assertThat(expect(c, Publish.class).payload()).as("the granted subscriptions work").containsExactly(7);
    }

    @Test
    void queueSubscriptionsCountTowardsTheSubscriptionCap(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (io.ratatoskr.mqtt.testing.QueueBroker queues = io.ratatoskr.mqtt.testing.QueueBroker.start(dir,
                m -> m.withLimits(m.limits().withMaxSubscriptionsPerClient(2)))) {
            queues.createTopic("jobs", 1);
            queues.createTopic("mail", 1);
            RawMqttClient c = RawMqttClient.connect("127.0.0.1", queues.port(), MqttVersion.V5);
            clients.add(c);
            c.send(connectPacket(MqttVersion.V5, "worker", true, 60));
            assertThat(expect(c, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);

            c.send(new Subscribe(1, List.of(new Subscription("$queue/workers/jobs", 1),
                    new Subscription("plain", 1), new Subscription("$queue/workers/mail", 1),
                    new Subscription("other", 1)), MqttProperties.EMPTY));
            assertThat(expect(c, SubAck.class).reasonCodes()).as("two granted, then the cap")
                    .containsExactly(1, 1, ReasonCode.QUOTA_EXCEEDED, ReasonCode.QUOTA_EXCEEDED);
            c.send(new Subscribe(2, List.of(new Subscription("$queue/workers/jobs", 1)), MqttProperties.EMPTY));
            assertThat(expect(c, SubAck.class).reasonCodes()).as("renewing a held $queue subscription is allowed")
                    .containsExactly(1);
            assertThat(queues.counter("ratatoskr.mqtt.subscriptions.refused", "reason", "max_subscriptions"))
                    .isEqualTo(2);
        }
    }

    // ---------------------------------------------------------------------------------------
    // broker.max-topic-length

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void publishToATopicLongerThanTheMaximumIsRefusedAndDisconnected(MqttVersion version) throws Exception {
        start(l -> l);
        RawMqttClient c = connected(version, "publisher");
        String tooLong = "é".repeat(513); // 1,026 UTF-8 bytes in 513 chars: the limit counts bytes

        c.send(new Publish(tooLong, 1, false, false, 1, new byte[] {1}, MqttProperties.EMPTY));

        if (version == MqttVersion.V5) {
            // §3.3.4: a Topic Name the server will not accept is 0x90; a PUBLISH has no other channel
            // for it at QoS 0, so the connection ends with DISCONNECT 0x90 as for any invalid name.
            assertThat(expect(c, Disconnect.class).reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
        }
        assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        assertThat(broker.counter("ratatoskr.mqtt.protocol.errors", "reason", "topic_name_invalid")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void subscribeToAFilterLongerThanTheMaximumIsRefusedWithTopicFilterInvalid(MqttVersion version)
            throws Exception {
        start(l -> l);
        RawMqttClient c = connected(version, "subscriber");
        String atLimit = "t/" + "x".repeat(1022);

        c.send(new Subscribe(1, List.of(new Subscription(atLimit, 0), new Subscription(atLimit + "x", 0)),
                MqttProperties.EMPTY));

        assertThat(expect(c, SubAck.class).reasonCodes()).containsExactly(0,
                version == MqttVersion.V5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.V3_SUBACK_FAILURE);
    }

    // ---------------------------------------------------------------------------------------
    // broker.max-retained-messages / -bytes

    @Test
    void retainedPublishToANewTopicBeyondTheCapIsRefusedWhileReplacingIsAllowed() throws Exception {
        startWith(b -> b.withRetainedLimits(2, 0));
        RawMqttClient c = connected(MqttVersion.V5, "retainer");

        assertThat(publishRetained(c, 1, "r/1", "one")).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(publishRetained(c, 2, "r/2", "two")).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(publishRetained(c, 3, "r/3", "three")).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(publishRetained(c, 4, "r/1", "uno")).as("a replacement").isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);

        assertThat(broker.broker().retained().size()).isEqualTo(2);
        assertThat(new String(broker.broker().retained().get("r/1").payload())).isEqualTo("uno");
        assertThat(broker.counter("ratatoskr.messages.refused", "protocol", "mqtt", "reason", "retained_limit_reached"))
                .isEqualTo(1);
    }

    private static int publishRetained(RawMqttClient c, int packetId, String topic, String payload)
            throws IOException {
        c.send(new Publish(topic, 1, true, false, packetId, payload.getBytes(), MqttProperties.EMPTY));
        PubAck ack = expect(c, PubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCode();
    }

    // ---------------------------------------------------------------------------------------
    // limits.memory-high-watermark

    @Test
    void aboveTheMemoryHighWatermarkPublishesAreRefusedWithAClearReason() throws Exception {
        startWith(b -> b.withMemoryHighWatermark(0.0001)); // any heap in use is over it
        RawMqttClient subscriber = connected(MqttVersion.V5, "subscriber");
        RawClients.subscribe(subscriber, 1, "m", 0);
        RawMqttClient c = connected(MqttVersion.V5, "publisher");

        c.send(new Publish("m", 1, false, false, 1, new byte[] {1}, MqttProperties.EMPTY));
        PubAck ack = expect(c, PubAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(ack.properties().reasonString()).startsWith("memory high watermark");

        c.send(new Publish("m", 0, false, false, 0, new byte[] {2}, MqttProperties.EMPTY));
        await().atMost(TIMEOUT).until(() ->
                broker.counter("ratatoskr.messages.dropped", "reason", "memory_high_watermark") == 1);
        assertThat(broker.counter("ratatoskr.messages.refused", "protocol", "mqtt", "reason", "memory_high_watermark"))
                .isEqualTo(2);
        assertThat(broker.registry().find("ratatoskr.broker.memory.high.watermark").gauge().value()).isEqualTo(1);
        RawClients.assertNothingPending(subscriber);
    }

    // ---------------------------------------------------------------------------------------
    // mqtt.max-publish-rate

    @Test
    void clientPublishingFlatOutIsSlowedToItsRateWithoutLosingMessagesAndOthersAreNotSlowed() throws Exception {
        int rate = 500;
        int flood = 1_500;
        start(l -> l.withPublishRates(rate, 0));
        Counting subscriber = new Counting(broker);
        clients.add(subscriber);
        RawMqttClient fast = connected(MqttVersion.V3_1_1, "fast");
        RawMqttClient polite = connected(MqttVersion.V3_1_1, "polite");

        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < flood; i++) {
            batch.write(encode(new Publish("flood/" + (i % 10), 0, false, false, 0, new byte[16],
                    MqttProperties.EMPTY), MqttVersion.V3_1_1));
        }
        long start = System.nanoTime();
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                fast.sendRaw(batch.toByteArray()); // all at once: the broker has to hold it back
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        await().atMost(TIMEOUT).until(() -> broker.counter("ratatoskr.mqtt.publisher.throttled",
                "reason", "message_rate") > 0);

        // While "fast" is held back, "polite" publishes within its own budget and is served at once.
        long politeStart = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            polite.send(new Publish("polite", 0, false, false, 0, new byte[16], MqttProperties.EMPTY));
        }
        await().atMost(TIMEOUT).until(() -> subscriber.count("polite") == 50);
        Duration politeTook = Duration.ofNanos(System.nanoTime() - politeStart);

        await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.count("flood/") == flood);
        Duration floodTook = Duration.ofNanos(System.nanoTime() - start);
        sent.join();
        // One second's burst, then the rate: at least (1,500 - 500) / 500 = 2 s; a generous upper bound.
        assertThat(floodTook).as("time to deliver %d messages at %d/s", flood, rate)
                .isBetween(Duration.ofMillis(1_600), Duration.ofSeconds(10));
        assertThat(subscriber.count("flood/")).as("nothing dropped").isEqualTo(flood);
        assertThat(politeTook).as("the other client is not slowed").isLessThan(Duration.ofMillis(1_000));
    }

    /** A Paho v3 subscriber to everything that counts what arrives, by the first level of the topic. */
    static final class Counting implements AutoCloseable {
        private final MqttClient client;
        private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        Counting(TestBroker broker) throws Exception {
            client = new MqttClient(broker.uri(), "counter", new MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    int slash = topic.indexOf('/');
                    String key = slash < 0 ? topic : topic.substring(0, slash + 1);
                    counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            client.connect(PahoV3Client.options());
            client.subscribe("#", 0);
        }

        /** Messages received on {@code prefix} ("a/" for a/..., or a one-level topic). */
        int count(String prefix) {
            AtomicInteger n = counts.get(prefix);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() throws Exception {
            client.disconnect(0);
            client.close(true);
        }
    }
}
