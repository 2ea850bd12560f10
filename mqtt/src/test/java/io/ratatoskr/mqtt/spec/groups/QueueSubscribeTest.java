package io.ratatoskr.mqtt.spec.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.UnsubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Unsubscribe;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.spec.PahoV3Client;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** SUBSCRIBE and UNSUBSCRIBE to {@code $queue/<group>/<topic>}: what is granted, refused and delivered. */
class QueueSubscribeTest extends QueueSpecTest {

    @Test
    void subscribeGrantsQos1AndDeliversOnTheOriginalTopicWithWhereTheMessageStands() throws Exception {
        RawMqttClient c = raw("worker-1");
        SubAck ack = subscribe(c, "$queue/workers/orders", 2);
        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1);

        broker.publish("orders/eu/42", "order 42", new Header("trace", "t-42"));
        Publish p = expect(c, Publish.class);
        assertThat(p.topic()).isEqualTo("orders/eu/42");
        assertThat(p.qos()).isEqualTo(1);
        assertThat(text(p)).isEqualTo("order 42");
        assertThat(userProperties(p)).containsEntry("trace", "t-42")
                .containsEntry("durable-topic", "orders")
                .containsEntry("partition", "0")
                .containsEntry("offset", "0")
                .containsEntry("attempt", "1")
                .containsKey("message-id");

        ack(c, p);
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").partitions().get(0)
                .committedOffset() == 1);
    }

    @Test
    void aMessageAClientPublishesReachesTheGroupOnceItIsAcknowledged() throws Exception {
        RawMqttClient worker = raw("worker-1");
        subscribe(worker, "$queue/workers/orders", 1);
        RawMqttClient publisher = raw("publisher");
        publisher.send(new Publish("orders/eu/1", 1, false, false, 3, "paid".getBytes(), MqttProperties.EMPTY));
        assertThat(expect(publisher, io.ratatoskr.mqtt.codec.MqttPacket.PubAck.class).packetId()).isEqualTo(3);
        Publish p = expect(worker, Publish.class);
        assertThat(p.topic()).isEqualTo("orders/eu/1");
        assertThat(text(p)).isEqualTo("paid");
    }

    @Test
    void malformedQueueFiltersAndUnknownTopicsAreRefusedWithTopicFilterInvalid() throws Exception {
        RawMqttClient c = raw("worker-1");
        for (String filter : List.of("$queue/only-a-group", "$queue/g/orders/more", "$queue/g+/orders",
                "$queue//orders", "$queue")) {
            SubAck ack = subscribe(c, filter, 1);
            assertThat(ack.reasonCodes()).as(filter).containsExactly(ReasonCode.TOPIC_FILTER_INVALID);
            assertThat(ack.properties().reasonString()).as(filter).contains("$queue/<group>/<durable topic>");
        }
        SubAck unknown = subscribe(c, "$queue/workers/no-such-topic", 1);
        assertThat(unknown.reasonCodes()).containsExactly(ReasonCode.TOPIC_FILTER_INVALID);
        assertThat(unknown.properties().reasonString()).contains("no-such-topic").contains("does not exist");

        RawMqttClient v3 = raw(MqttVersion.V3_1_1, "worker-v3", true, MqttProperties.EMPTY);
        assertThat(subscribe(v3, "$queue/workers/no-such-topic", 1).reasonCodes())
                .containsExactly(ReasonCode.V3_SUBACK_FAILURE);
        assertThat(subscribe(v3, "$queue/bad", 1).reasonCodes()).containsExactly(ReasonCode.V3_SUBACK_FAILURE);
    }

    @Test
    void badSubscribeUserPropertiesAreRefusedWithTheReason() throws Exception {
        RawMqttClient c = raw("worker-1");
        SubAck badStart = subscribe(c, "$queue/workers/orders", 1, "start", "yesterday");
        assertThat(badStart.reasonCodes()).containsExactly(ReasonCode.UNSPECIFIED_ERROR);
        assertThat(badStart.properties().reasonString()).contains("yesterday");
        SubAck badPrefetch = subscribe(c, "$queue/workers/orders", 1, "prefetch", "0");
        assertThat(badPrefetch.reasonCodes()).containsExactly(ReasonCode.UNSPECIFIED_ERROR);
    }

    @Test
    void prefetchBoundsUnacknowledgedDeliveries() throws Exception {
        for (int i = 0; i < 5; i++) {
            broker.publish("orders/x", "m" + i);
        }
        RawMqttClient c = raw("worker-1");
        subscribe(c, "$queue/workers/orders", 1, "prefetch", "2");
        Publish first = expect(c, Publish.class);
        expect(c, Publish.class);
        assertThatThrownBy(() -> c.receive(Duration.ofMillis(300))).isInstanceOf(SocketTimeoutException.class);
        ack(c, first);
        assertThat(text(expect(c, Publish.class))).isEqualTo("m2");
    }

    @Test
    void startLatestMakesANewGroupSkipWhatIsAlreadyStored() throws Exception {
        broker.publish("orders/x", "old");
        RawMqttClient c = raw("worker-1");
        subscribe(c, "$queue/fresh/orders", 1, "start", "latest");
        broker.publish("orders/x", "new");
        assertThat(text(expect(c, Publish.class))).isEqualTo("new");
    }

    @Test
    void seekReplaysAGroupFromAnOffset() throws Exception {
        broker.publish("orders/x", "a");
        broker.publish("orders/x", "b");
        RawMqttClient c = raw("worker-1");
        subscribe(c, "$queue/workers/orders", 1);
        ack(c, expect(c, Publish.class));
        ack(c, expect(c, Publish.class));
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").lag() == 0);
        c.close();

        RawMqttClient replayer = raw("worker-2");
        subscribe(replayer, "$queue/workers/orders", 1, "seek", "offset:1");
        assertThat(text(expect(replayer, Publish.class))).isEqualTo("b");
    }

    @Test
    void unsubscribeLeavesTheGroupAndItsDeliveriesGoToAnotherMember() throws Exception {
        RawMqttClient a = raw("worker-a");
        subscribe(a, "$queue/workers/orders", 1);
        broker.publish("orders/x", "job");
        Publish held = expect(a, Publish.class);

        a.send(new Unsubscribe(9, List.of("$queue/workers/orders"), MqttProperties.EMPTY));
        assertThat(expect(a, UnsubAck.class).reasonCodes()).containsExactly(ReasonCode.SUCCESS);
        RawMqttClient b = raw("worker-b");
        subscribe(b, "$queue/workers/orders", 1);
        Publish moved = expect(b, Publish.class);
        assertThat(text(moved)).isEqualTo(text(held));
        assertThat(userProperties(moved)).containsEntry("attempt", "1"); // unsubscribing is not a failure
    }

    @Test
    void aV311ClientConsumesAGroupAndItsPubackAcknowledges() throws Exception {
        MqttClient client = new MqttClient(broker.uri(), "v3-worker", new MemoryPersistence());
        closeAfterTest(client::close);
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                got.add(topic + " " + utf8(message.getPayload()));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        client.connect(options);
        client.subscribe("$queue/workers/orders", 1);
        broker.publish("orders/eu", "one");
        broker.publish("orders/us", "two");
        await().atMost(TIMEOUT).until(() -> got.size() == 2);
        assertThat(got).containsExactly("orders/eu one", "orders/us two");
        await().atMost(TIMEOUT).until(() -> broker.describe("orders", "workers").lag() == 0);
        client.disconnect();
        assertThat(PahoV3Client.TIMEOUT).isPositive();
    }
}
