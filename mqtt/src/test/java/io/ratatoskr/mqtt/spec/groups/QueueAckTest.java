package io.ratatoskr.mqtt.spec.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.ratatoskr.core.durable.DeadLetterHeaders;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.spec.v5.PahoClient;
import io.ratatoskr.mqtt.testing.QueueBroker;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.testkit.ManualClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

/** PUBACK as ack, nack and reject; ack timeouts, dead letters, lost consumers and broker restarts. */
class QueueAckTest extends QueueSpecTest {

    @Test
    void anErrorPubackNacksAndTheMessageComesBackAfterTheBackoff() throws Exception {
        broker.configureGroup("orders", "workers", GroupConfig.DEFAULTS.withBackoff(400, 2.0, 5_000));
        AtomicInteger seen = new AtomicInteger();
        BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        // The HiveMQ client answers the first delivery with 0x80 and acknowledges the second.
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("hive-worker").serverHost("127.0.0.1")
                .serverPort(broker.port())
                .advancedConfig().interceptors().incomingQos1Interceptor((config, publish, pubAck) -> {
                    arrivals.add(System.nanoTime());
                    if (seen.incrementAndGet() == 1) {
                        pubAck.reasonCode(Mqtt5PubAckReasonCode.UNSPECIFIED_ERROR);
                    }
                }).applyInterceptors().applyAdvancedConfig()
                .buildBlocking();
        client.connect();
        closeAfterTest(client::disconnect);
        // Deliveries come on the messages' own topics, which the $queue filter does not match: take them all.
        BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
        client.subscribeWith().topicFilter("$queue/workers/orders").qos(MqttQos.AT_LEAST_ONCE).send();

        broker.publish("orders/eu", "flaky");
        long first = arrivals.poll(10, TimeUnit.SECONDS);
        long second = arrivals.poll(10, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(second - first)).isGreaterThanOrEqualTo(350);
        received.poll(10, TimeUnit.SECONDS);
        Mqtt5Publish again = received.poll(10, TimeUnit.SECONDS);
        assertThat(again.getUserProperties().asList()).anySatisfy(p -> {
            assertThat(p.getName().toString()).isEqualTo("attempt");
            assertThat(p.getValue().toString()).isEqualTo("2");
        });
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").lag() == 0);
        assertThat(broker.counter("ratatoskr.group.messages.nacked", "group", "workers")).isEqualTo(1);
    }

    @Test
    void aNackWithDelayMsWaitsThatLong() throws Exception {
        RawMqttClient c = raw("worker-1");
        subscribe(c, "$queue/workers/orders", 1);
        broker.publish("orders/eu", "later");
        Publish first = expect(c, Publish.class);
        long nackedAt = System.nanoTime();
        puback(c, first, ReasonCode.UNSPECIFIED_ERROR, "busy", "delay-ms", "800");
        Publish again = expect(c, Publish.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nackedAt)).isGreaterThanOrEqualTo(750);
        assertThat(text(again)).isEqualTo("later");
        assertThat(userProperties(again)).containsEntry("attempt", "2");
    }

    @Test
    void aPayloadFormatInvalidPubackRejectsToTheDeadLetterTopicWhichAnotherGroupConsumes() throws Exception {
        RawMqttClient c = raw("worker-1");
        subscribe(c, "$queue/workers/orders", 1);
        broker.publish("orders/eu", "{not json");
        puback(c, expect(c, Publish.class), ReasonCode.PAYLOAD_FORMAT_INVALID, "not JSON");
        await().atMost(TIMEOUT).until(() -> broker.messages("orders.dlq").size() == 1);
        Map<String, String> h = headers(broker.messages("orders.dlq").get(0));
        assertThat(h).containsEntry(DeadLetterHeaders.REASON, "not JSON").containsEntry(DeadLetterHeaders.ATTEMPTS,
                "1");

        // An error reason code with reject=true rejects too.
        broker.publish("orders/us", "also bad");
        puback(c, expect(c, Publish.class), ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, null, "reject", "true");
        await().atMost(TIMEOUT).until(() -> broker.messages("orders.dlq").size() == 2);

        RawMqttClient ops = raw("ops-1");
        subscribe(ops, "$queue/ops/orders.dlq", 1);
        Publish dead = expect(ops, Publish.class);
        assertThat(dead.topic()).isEqualTo("orders/eu");
        assertThat(text(dead)).isEqualTo("{not json");
        assertThat(userProperties(dead)).containsEntry(DeadLetterHeaders.REASON, "not JSON")
                .containsEntry(DeadLetterHeaders.SOURCE_TOPIC, "orders")
                .containsEntry("durable-topic", "orders.dlq");
        assertThat(userProperties(expect(ops, Publish.class)).get(DeadLetterHeaders.REASON))
                .contains("rejected by the client");
    }

    @Test
    void anUnansweredDeliveryTimesOutAndGoesToAnotherMember() throws Exception {
        // The group's clock moves when the test says so: the timeout cannot pass before the helper has
        // joined (the delivery would go back to the silent member) nor again before the helper answers.
        ManualClock clock = new ManualClock(System.currentTimeMillis());
        broker.close();
        broker = QueueBroker.startWithGroupClock(dir.resolve("group-clock"), clock);
        broker.createTopic("orders", 1);
        broker.configureGroup("orders", "workers", GroupConfig.DEFAULTS.withAckTimeoutMs(700));
        PahoClient silent = paho("silent", true);
        silent.client.subscribe("$queue/workers/orders", 1);
        broker.publish("orders/eu", "stuck");
        PahoClient.Received first = silent.next();
        assertThat(first.userProperty("attempt")).isEqualTo("1");

        PahoClient helper = paho("helper", false);
        helper.client.subscribe("$queue/workers/orders", 1);
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").members().size() == 2);
        clock.advanceMs(700);
        PahoClient.Received second = helper.next();
        assertThat(second.payload()).isEqualTo("stuck");
        assertThat(second.userProperty("attempt")).isEqualTo("2");
        assertThat(broker.counter("ratatoskr.group.messages.redelivered", "reason", "timeout")).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").lag() == 0);
    }

    @Test
    void afterMaxAttemptsTheDeadLetterTopicHasTheMessageWithEveryHeader() throws Exception {
        broker.configureGroup("orders", "workers", GroupConfig.DEFAULTS.withMaxAttempts(3).withBackoff(50, 1.0, 50));
        RawMqttClient c = raw("worker-1");
        subscribe(c, "$queue/workers/orders", 1);
        long before = System.currentTimeMillis();
        broker.publish("orders/eu/7", "poison", new Header("tenant", "acme"));
        for (int attempt = 1; attempt <= 3; attempt++) {
            Publish p = expect(c, Publish.class);
            assertThat(userProperties(p)).containsEntry("attempt", Integer.toString(attempt));
            puback(c, p, ReasonCode.UNSPECIFIED_ERROR, null);
        }

        PahoClient ops = paho("ops", false);
        ops.client.subscribe("$queue/ops/orders.dlq", 1);
        PahoClient.Received dead = ops.next();
        assertThat(dead.topic()).isEqualTo("orders/eu/7");
        assertThat(dead.payload()).isEqualTo("poison");
        assertThat(dead.userProperty("tenant")).isEqualTo("acme");
        assertThat(dead.userProperty(DeadLetterHeaders.REASON)).contains("max attempts (3)").contains("nack");
        assertThat(dead.userProperty(DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
        assertThat(dead.userProperty(DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("orders");
        assertThat(dead.userProperty(DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(dead.userProperty(DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(dead.userProperty(DeadLetterHeaders.GROUP)).isEqualTo("workers");
        assertThat(Long.parseLong(dead.userProperty(DeadLetterHeaders.FIRST_FAILURE))).isGreaterThanOrEqualTo(before);
        assertThatNothingMoreFor(c);
    }

    @Test
    void aConsumerKilledMidStreamLosesNothing() throws Exception {
        for (int i = 0; i < 20; i++) {
            broker.publish("orders/x", "job-" + i);
        }
        RawMqttClient doomed = raw("doomed");
        subscribe(doomed, "$queue/workers/orders", 1, "prefetch", "5");
        List<String> held = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Publish p = expect(doomed, Publish.class);
            if (i < 2) {
                ack(doomed, p);
                done.add(text(p));
            } else {
                held.add(text(p));
            }
        }
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").partitions().get(0)
                .committedOffset() == 2);
        doomed.close(); // no DISCONNECT: the socket just goes

        PahoClient survivor = paho("survivor", false);
        survivor.client.subscribe("$queue/workers/orders", 1);
        Map<String, String> attempts = new HashMap<>();
        for (int i = 0; i < 18; i++) {
            PahoClient.Received r = survivor.next();
            attempts.put(r.payload(), r.userProperty("attempt"));
        }
        assertThat(attempts.keySet()).containsAll(held).doesNotContainAnyElementsOf(done).hasSize(18);
        held.forEach(h -> assertThat(attempts).containsEntry(h, "2"));
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").lag() == 0);
    }

    @Test
    void groupStateSurvivesABrokerRestart() throws Exception {
        for (int i = 0; i < 6; i++) {
            broker.publish("orders/x", "m" + i);
        }
        RawMqttClient c = raw("worker-1");
        subscribe(c, "$queue/workers/orders", 1, "prefetch", "4");
        for (int i = 0; i < 4; i++) {
            Publish p = expect(c, Publish.class);
            if (i < 3) {
                ack(c, p);
            }
        }
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").partitions().get(0)
                .committedOffset() == 3);

        broker.restart();
        RawMqttClient after = raw("worker-2");
        subscribe(after, "$queue/workers/orders", 1);
        Map<String, String> attempts = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Publish p = expect(after, Publish.class);
            attempts.put(text(p), userProperties(p).get("attempt"));
            ack(after, p);
        }
        // m4 and m5 went out when m0-m2 were acknowledged: all three were in flight at the restart.
        assertThat(attempts).containsOnly(Map.entry("m3", "2"), Map.entry("m4", "2"), Map.entry("m5", "2"));
        assertThatNothingMoreFor(after);
    }

    @Test
    void aResumedSessionRejoinsItsGroups() throws Exception {
        io.ratatoskr.mqtt.codec.MqttProperties keep =
                io.ratatoskr.mqtt.codec.MqttProperties.builder().sessionExpiryInterval(300).build();
        RawMqttClient first = raw(io.ratatoskr.mqtt.codec.MqttVersion.V5, "sticky", true, keep);
        subscribe(first, "$queue/workers/orders", 1);
        first.close();

        broker.publish("orders/x", "while away");
        RawMqttClient again = raw(io.ratatoskr.mqtt.codec.MqttVersion.V5, "sticky", false, keep);
        Publish p = expect(again, Publish.class);
        assertThat(text(p)).isEqualTo("while away");
        ack(again, p);
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").lag() == 0);
    }

    @Test
    void aTakeoverHandsTheOldConnectionsDeliveriesBackAndTheNewOneGetsThem() throws Exception {
        io.ratatoskr.mqtt.codec.MqttProperties keep =
                io.ratatoskr.mqtt.codec.MqttProperties.builder().sessionExpiryInterval(300).build();
        RawMqttClient first = raw(io.ratatoskr.mqtt.codec.MqttVersion.V5, "twin", true, keep);
        subscribe(first, "$queue/workers/orders", 1);
        broker.publish("orders/x", "held");
        assertThat(text(expect(first, Publish.class))).isEqualTo("held");

        RawMqttClient second = raw(io.ratatoskr.mqtt.codec.MqttVersion.V5, "twin", false, keep);
        Publish p = expect(second, Publish.class);
        assertThat(text(p)).isEqualTo("held");
        assertThat(userProperties(p)).containsEntry("attempt", "2"); // the first connection may have seen it
        ack(second, p);
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").lag() == 0);
        assertThat(broker.describe("orders", "workers").members()).hasSize(1);
    }

    private static void assertThatNothingMoreFor(RawMqttClient c) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.receive(java.time.Duration.ofMillis(300)))
                .isInstanceOf(java.net.SocketTimeoutException.class);
    }

    private static Map<String, String> headers(DurableMessage m) {
        Map<String, String> h = new HashMap<>();
        for (Header header : m.message().properties().userProperties()) {
            h.put(header.name(), header.value());
        }
        return h;
    }

    // ---- Paho v5 ----

    /** A connected Paho v5 client; with {@code neverAck} it takes messages and never sends PUBACK. */
    private PahoClient paho(String clientId, boolean neverAck) throws MqttException {
        MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
        client.setTimeToWait(TIMEOUT.toMillis());
        client.setManualAcks(neverAck);
        PahoClient paho = closeAfterTest(new PahoClient(client));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options);
        return paho;
    }
}
