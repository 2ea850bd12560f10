package io.ratatoskr.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.session.ManualLoop.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Deliveries that carry a {@link DeliveryAck} (consumer groups): how a session ends each of them. */
class SessionDeliveryAckTest {
    private final ManualClock clock = new ManualClock();
    private final ManualLoop loop = new ManualLoop("A", clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Broker broker = new Broker(BrokerConfig.DEFAULTS.withSession(
            new SessionConfig(2, OverflowPolicy.DROP_OLDEST, 256, 3600, false)), clock, new BrokerMetrics(registry));
    private final List<String> outcomes = new ArrayList<>();

    private Session connect(RecordingLink link, int receiveMaximum) {
        AtomicReference<ConnectResult> result = new AtomicReference<>();
        broker.connect(new ConnectRequest("c", false, 3600, null, receiveMaximum), link, loop, result::set);
        clock.runAllLoops();
        return result.get().session();
    }

    private Delivery delivery(String payload, int qos) {
        Message m = new Message("jobs/" + payload, payload.getBytes(StandardCharsets.UTF_8), 1, false,
                MessageProperties.EMPTY, "p", clock.millis());
        return new Delivery(m, qos, false, null, null, new DeliveryAck() {
            @Override
            public void acknowledged(int reasonCode, String reasonString, List<Header> userProperties) {
                outcomes.add(payload + " acked " + Integer.toHexString(reasonCode) + " " + reasonString + " "
                        + userProperties);
            }

            @Override
            public void released(boolean sent) {
                outcomes.add(payload + " released sent=" + sent);
            }

            @Override
            public void undeliverable(String reason) {
                outcomes.add(payload + " undeliverable");
            }
        });
    }

    private void offer(Session s, Delivery d) {
        s.offer(d);
        clock.runAllLoops();
    }

    private void onLoop(Runnable r) {
        loop.execute(r);
        clock.runAllLoops();
    }

    @Test
    void thePubackReasonCodeReasonStringAndUserPropertiesReachTheSender() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect(link, 10);
        offer(s, delivery("a", 1));
        int id = link.publishes().get(0).packetId();
        onLoop(() -> s.onPubAck(id, 0x80, "busy", List.of(new Header("delay-ms", "500"))));
        assertThat(outcomes).containsExactly("a acked 80 busy [Header[name=delay-ms, value=500]]");
        assertThat(s.inflightCount()).isZero();
    }

    @Test
    void theOverflowPolicyNeverDropsADeliveryWithAnAck() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect(link, 1);
        for (int i = 0; i < 6; i++) {
            offer(s, delivery("g" + i, 1));
        }
        assertThat(s.queuedCount()).isEqualTo(5);
        assertThat(outcomes).isEmpty();
        assertThat(registry.get("ratatoskr.messages.dropped").tag("reason", "queue_full").counter().count())
                .isZero();
    }

    @Test
    void aDetachHandsEveryDeliveryBackAndTheNextConnectionDoesNotGetThem() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect(first, 1);
        offer(s, delivery("sent", 1));
        offer(s, delivery("queued", 1));
        s.detach(first, DisconnectKind.ABNORMAL, -1);
        clock.runAllLoops();
        assertThat(outcomes).containsExactlyInAnyOrder("sent released sent=true", "queued released sent=false");
        assertThat(s.inflightCount()).isZero();
        assertThat(s.queuedCount()).isZero();

        RecordingLink second = new RecordingLink("second");
        connect(second, 1);
        assertThat(second.publishes()).isEmpty();
        offer(s, delivery("fresh", 1));
        assertThat(second.payloads()).containsExactly("fresh");
    }

    @Test
    void aDeliveryToAnAbsentClientOrAnUnwantedOneIsReleasedNotQueued() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect(link, 10);
        s.detach(link, DisconnectKind.ABNORMAL, -1);
        clock.runAllLoops();
        offer(s, delivery("late", 1));
        assertThat(outcomes).containsExactly("late released sent=false");
        assertThat(s.queuedCount()).isZero();

        RecordingLink again = new RecordingLink("again");
        connect(again, 10);
        Delivery unwanted = new Delivery(delivery("x", 1).message(), 1, false, null, null, new DeliveryAck() {
            @Override
            public void acknowledged(int reasonCode, String reasonString, List<Header> userProperties) {
                outcomes.add("x acked");
            }

            @Override
            public void released(boolean sent) {
                outcomes.add("x released sent=" + sent);
            }

            @Override
            public void undeliverable(String reason) {
                outcomes.add("x undeliverable");
            }

            @Override
            public boolean isWanted() {
                return false;
            }
        });
        offer(s, unwanted);
        assertThat(again.publishes()).isEmpty();
        assertThat(outcomes).endsWith("x released sent=false");
    }

    @Test
    void aQos0DeliveryIsAcknowledgedWhenWrittenAndATooLargeOneIsUndeliverable() {
        RecordingLink link = new RecordingLink("c");
        link.maxPacketPayload = 5;
        Session s = connect(link, 10);
        offer(s, delivery("ok", 0));
        offer(s, delivery("much-too-large", 1));
        assertThat(outcomes).containsExactly("ok acked 0 null []", "much-too-large undeliverable");
    }
}
