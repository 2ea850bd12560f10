package io.ratatoskr.core.session;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.session.ManualLoop.ManualClock;
import io.ratatoskr.core.topic.SubscriptionOptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Session behaviour through the broker core, on deterministic loops and time. */
class SessionTest {
    private final ManualClock clock = new ManualClock();
    private final ManualLoop loopA = new ManualLoop("A", clock);
    private final ManualLoop loopB = new ManualLoop("B", clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Broker broker = broker(SessionConfig.DEFAULTS);

    private Broker broker(SessionConfig sessionConfig) {
        return new Broker(BrokerConfig.DEFAULTS.withSession(sessionConfig), clock, new BrokerMetrics(registry));
    }

    private ConnectResult connect(String id, boolean cleanStart, long expiry, Will will, int receiveMaximum,
                                  RecordingLink link, ManualLoop loop) {
        AtomicReference<ConnectResult> result = new AtomicReference<>();
        broker.connect(new ConnectRequest(id, cleanStart, expiry, will, receiveMaximum), link, loop, result::set);
        clock.runAllLoops();
        assertThat(result.get()).as("connect of %s completed", id).isNotNull();
        return result.get();
    }

    private ConnectResult connect(String id, RecordingLink link) {
        return connect(id, false, 3600, null, 65_535, link, loopA);
    }

    private void subscribe(Session s, String filter, SubscriptionOptions options) {
        s.loop().execute(() -> broker.subscribe(s, filter, options));
        clock.runAllLoops();
    }

    private void subscribe(Session s, String filter, int qos) {
        subscribe(s, filter, SubscriptionOptions.ofQos(qos));
    }

    private int publish(String topic, int qos, String payload) {
        return publish(topic, qos, false, payload, "publisher", MessageProperties.EMPTY);
    }

    private int publish(String topic, int qos, boolean retain, String payload, String publisher, MessageProperties p) {
        int n = broker.publish(new Message(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, p, publisher,
                clock.millis()));
        clock.runAllLoops();
        return n;
    }

    private void onLoop(Session s, Runnable r) {
        s.loop().execute(r);
        clock.runAllLoops();
    }

    private double dropped(DropReason reason) {
        return registry.get("ratatoskr.messages.dropped").tag("reason", reason.tag()).counter().count();
    }

    @Test
    void qos1DeliveriesStayWithinTheClientsReceiveMaximum() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 3600, null, 2, link, loopA).session();
        subscribe(s, "t", 1);
        for (int i = 1; i <= 5; i++) {
            publish("t", 1, "m" + i);
        }
        assertThat(link.payloads()).containsExactly("m1", "m2");
        int first = link.publishes().get(0).packetId();
        onLoop(s, () -> s.onPubAck(first));
        assertThat(link.payloads()).containsExactly("m1", "m2", "m3");
        assertThat(s.queuedCount()).isEqualTo(2);
    }

    @Test
    void deliveryQosIsTheMinimumOfPublishAndSubscription() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", link).session();
        subscribe(s, "t", 1);
        publish("t", 2, "x");
        publish("t", 0, "y");
        assertThat(link.publishes()).extracting(RecordingLink.Sent::qos).containsExactly(1, 0);
    }

    @Test
    void unacknowledgedMessagesAreResentWithDupAndTheSameIdentifiersOnReconnect() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", first).session();
        subscribe(s, "t", 2);
        publish("t", 1, "q1");
        publish("t", 2, "q2");
        List<RecordingLink.Sent> original = first.publishes();
        s.detach(first, DisconnectKind.ABNORMAL, -1);
        clock.runAllLoops();

        RecordingLink second = new RecordingLink("second");
        ConnectResult again = connect("c", false, 3600, null, 65_535, second, loopA);
        assertThat(again.sessionPresent()).isTrue();
        assertThat(second.publishes()).extracting(RecordingLink.Sent::packetId)
                .containsExactly(original.get(0).packetId(), original.get(1).packetId());
        assertThat(second.publishes()).allMatch(RecordingLink.Sent::dup);
    }

    @Test
    void pubrelIsResentOnReconnectForAQos2MessageThatGotPubrec() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", first).session();
        subscribe(s, "t", 2);
        publish("t", 2, "q2");
        int id = first.publishes().get(0).packetId();
        onLoop(s, () -> assertThat(s.onPubRec(id, 0)).isTrue());
        assertThat(first.sent).extracting(RecordingLink.Sent::kind).containsExactly("PUBLISH", "PUBREL");
        s.detach(first, DisconnectKind.ABNORMAL, -1);
        clock.runAllLoops();
        RecordingLink second = new RecordingLink("second");
        connect("c", false, 3600, null, 65_535, second, loopA);
        assertThat(second.sent).extracting(RecordingLink.Sent::kind, RecordingLink.Sent::packetId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PUBREL", id));
        onLoop(s, () -> s.onPubComp(id));
        assertThat(s.inflightCount()).isZero();
    }

    @Test
    void pubrecWithAnErrorReasonEndsTheFlowWithoutPubrel() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", link).session();
        subscribe(s, "t", 2);
        publish("t", 2, "x");
        int id = link.publishes().get(0).packetId();
        onLoop(s, () -> s.onPubRec(id, 0x80));
        assertThat(link.sent).extracting(RecordingLink.Sent::kind).containsExactly("PUBLISH");
        assertThat(s.inflightCount()).isZero();
        onLoop(s, () -> assertThat(s.onPubRec(id, 0)).isFalse());
    }

    @Test
    void messagesForAnOfflinePersistentSessionAreQueuedAndQos0IsDroppedAndCounted() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", first).session();
        subscribe(s, "t", 1);
        s.detach(first, DisconnectKind.NORMAL, -1);
        clock.runAllLoops();
        publish("t", 1, "kept");
        publish("t", 0, "lost");
        assertThat(dropped(DropReason.OFFLINE_QOS0)).isEqualTo(1);
        RecordingLink second = new RecordingLink("second");
        connect("c", false, 3600, null, 65_535, second, loopA);
        assertThat(second.payloads()).containsExactly("kept");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"DROP_OLDEST, m3 m4 m5", "DROP_NEWEST, m1 m2 m3"})
    void fullQueueAppliesItsOverflowPolicyAndCountsTheDrops(OverflowPolicy policy, String expected) {
        broker = broker(new SessionConfig(3, policy, 10, 3600, false));
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", first).session();
        subscribe(s, "t", 1);
        s.detach(first, DisconnectKind.NORMAL, -1);
        clock.runAllLoops();
        for (int i = 1; i <= 5; i++) {
            publish("t", 1, "m" + i);
        }
        assertThat(dropped(DropReason.QUEUE_FULL)).isEqualTo(2);
        RecordingLink second = new RecordingLink("second");
        connect("c", false, 3600, null, 65_535, second, loopA);
        assertThat(second.payloads()).containsExactly(expected.split(" "));
    }

    @Test
    void cleanStartDiscardsTheEarlierSession() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", first).session();
        subscribe(s, "t", 1);
        s.detach(first, DisconnectKind.NORMAL, -1);
        clock.runAllLoops();
        publish("t", 1, "old");
        RecordingLink second = new RecordingLink("second");
        ConnectResult r = connect("c", true, 3600, null, 65_535, second, loopA);
        assertThat(r.sessionPresent()).isFalse();
        assertThat(second.publishes()).isEmpty();
        publish("t", 1, "after");
        assertThat(second.publishes()).isEmpty();
        assertThat(broker.subscriptionCount()).isZero();
    }

    @Test
    void sessionWithZeroExpiryEndsWithItsConnection() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 0, null, 65_535, link, loopA).session();
        subscribe(s, "t", 1);
        s.detach(link, DisconnectKind.NORMAL, -1);
        clock.runAllLoops();
        assertThat(s.isEnded()).isTrue();
        assertThat(broker.session("c")).isNull();
        assertThat(broker.subscriptionCount()).isZero();
    }

    @Test
    void disconnectedSessionExpiresAfterItsInterval() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 60, null, 65_535, link, loopA).session();
        subscribe(s, "t", 1);
        s.detach(link, DisconnectKind.NORMAL, -1);
        clock.advance(59_000);
        assertThat(broker.session("c")).isSameAs(s);
        clock.advance(1_000);
        assertThat(s.isEnded()).isTrue();
        assertThat(broker.session("c")).isNull();
    }

    @Test
    void reconnectingBeforeExpiryKeepsTheSession() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 60, null, 65_535, link, loopA).session();
        s.detach(link, DisconnectKind.NORMAL, -1);
        clock.advance(30_000);
        RecordingLink again = new RecordingLink("again");
        assertThat(connect("c", false, 60, null, 65_535, again, loopA).session()).isSameAs(s);
        clock.advance(120_000);
        assertThat(s.isEnded()).isFalse();
    }

    @Test
    void willIsPublishedAtOnceOnAbnormalDisconnectWithoutDelay() {
        RecordingLink watcher = new RecordingLink("w");
        Session w = connect("w", watcher).session();
        subscribe(w, "wills/#", 1);
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 60, will("wills/c", 0), 65_535, link, loopA).session();
        s.detach(link, DisconnectKind.ABNORMAL, -1);
        clock.runAllLoops();
        assertThat(watcher.payloads()).containsExactly("gone");
    }

    @Test
    void willIsDiscardedOnNormalDisconnect() {
        RecordingLink watcher = new RecordingLink("w");
        Session w = connect("w", watcher).session();
        subscribe(w, "wills/#", 1);
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 60, will("wills/c", 0), 65_535, link, loopA).session();
        s.detach(link, DisconnectKind.NORMAL, -1);
        clock.advance(120_000);
        assertThat(watcher.publishes()).isEmpty();
    }

    @Test
    void delayedWillWaitsForItsDelayAndIsCancelledByReconnect() {
        RecordingLink watcher = new RecordingLink("w");
        Session w = connect("w", watcher).session();
        subscribe(w, "wills/#", 1);
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 3600, will("wills/c", 30), 65_535, link, loopA).session();
        s.detach(link, DisconnectKind.ABNORMAL, -1);
        clock.advance(29_000);
        assertThat(watcher.publishes()).isEmpty();
        clock.advance(1_000);
        assertThat(watcher.payloads()).containsExactly("gone");

        watcher.clear();
        RecordingLink again = new RecordingLink("again");
        connect("c", false, 3600, will("wills/c", 30), 65_535, again, loopA);
        s.detach(again, DisconnectKind.ABNORMAL, -1);
        clock.advance(10_000);
        connect("c", false, 3600, will("wills/c", 30), 65_535, new RecordingLink("third"), loopA);
        clock.advance(60_000);
        assertThat(watcher.publishes()).as("reconnect within the delay cancels the will").isEmpty();
    }

    @Test
    void delayedWillIsPublishedWhenTheSessionEndsFirst() {
        RecordingLink watcher = new RecordingLink("w");
        Session w = connect("w", watcher).session();
        subscribe(w, "wills/#", 1);
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 10, will("wills/c", 300), 65_535, link, loopA).session();
        s.detach(link, DisconnectKind.ABNORMAL, -1);
        clock.advance(10_000);
        assertThat(watcher.payloads()).containsExactly("gone");
        assertThat(s.isEnded()).isTrue();
    }

    @Test
    void takeoverFromAnotherLoopClosesTheOldConnectionAndMovesTheSession() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", false, 3600, null, 65_535, first, loopA).session();
        subscribe(s, "t", 1);
        RecordingLink second = new RecordingLink("second");
        ConnectResult r = connect("c", false, 3600, null, 65_535, second, loopB);
        assertThat(first.takenOver).isTrue();
        assertThat(r.session()).isSameAs(s);
        assertThat(r.sessionPresent()).isTrue();
        assertThat(s.loop()).isSameAs(loopB);
        publish("t", 1, "to-new");
        assertThat(first.publishes()).isEmpty();
        assertThat(second.payloads()).containsExactly("to-new");
    }

    @Test
    void takeoverOfAZeroExpirySessionStartsFresh() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", false, 0, null, 65_535, first, loopA).session();
        subscribe(s, "t", 1);
        ConnectResult r = connect("c", false, 0, null, 65_535, new RecordingLink("second"), loopA);
        assertThat(r.sessionPresent()).isFalse();
        assertThat(broker.subscriptionCount()).isZero();
    }

    @Test
    void inboundQos2RepeatsAreNotDeliveredTwiceUntilReleased() {
        Session s = connect("c", new RecordingLink("c")).session();
        onLoop(s, () -> {
            assertThat(s.inboundQos2Received(7)).isTrue();
            assertThat(s.inboundQos2Received(7)).isFalse();
            assertThat(s.inboundQos2Pending()).isEqualTo(1);
            assertThat(s.inboundPubRel(7)).isTrue();
            assertThat(s.inboundPubRel(7)).isFalse();
            assertThat(s.inboundQos2Received(7)).isTrue();
        });
    }

    @Test
    void packetIdentifiersWrapAroundAndSkipThoseInUse() {
        broker = broker(new SessionConfig(2000, OverflowPolicy.DROP_OLDEST, 65_535, 3600, false));
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 3600, null, 65_535, link, loopA).session();
        subscribe(s, "t", 1);
        publish("t", 1, "held"); // stays in flight throughout
        int held = link.publishes().get(0).packetId();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int batch = 0; batch < 66; batch++) {
            link.clear();
            for (int i = 0; i < 1000; i++) {
                broker.publish(new Message("t", new byte[] {1}, 1, false, MessageProperties.EMPTY, "p", clock.millis()));
            }
            clock.runAllLoops();
            List<Integer> ids = link.publishes().stream().map(RecordingLink.Sent::packetId).toList();
            assertThat(ids).hasSize(1000).doesNotContain(held).allMatch(id -> id >= 1 && id <= 65_535);
            assertThat(new java.util.HashSet<>(ids)).as("distinct while in flight").hasSize(1000);
            seen.addAll(ids);
            onLoop(s, () -> ids.forEach(s::onPubAck));
        }
        assertThat(seen).as("every identifier but the held one was used").hasSize(65_534);
        assertThat(s.inflightCount()).isEqualTo(1);
    }

    @Test
    void overlappingSubscriptionsGiveOneCopyAtTheHighestQosWithEveryIdentifier() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", link).session();
        subscribe(s, "a/+", new SubscriptionOptions(0, false, false, 0, 11));
        subscribe(s, "a/#", new SubscriptionOptions(2, false, false, 0, 22));
        subscribe(s, "a/b", new SubscriptionOptions(1, false, false, 0, 0));
        publish("a/b", 2, "once");
        assertThat(link.publishes()).hasSize(1);
        RecordingLink.Sent sent = link.publishes().get(0);
        assertThat(sent.qos()).isEqualTo(2);
        assertThat(sent.subscriptionIds()).containsExactlyInAnyOrder(11, 22);
    }

    @Test
    void noLocalKeepsAClientsOwnMessagesAway() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", link).session();
        subscribe(s, "t", new SubscriptionOptions(1, true, false, 0, 0));
        publish("t", 1, false, "own", "c", MessageProperties.EMPTY);
        publish("t", 1, false, "other", "someone", MessageProperties.EMPTY);
        assertThat(link.payloads()).containsExactly("other");
    }

    @Test
    void retainFlagIsClearedOnLiveDeliveryUnlessRetainAsPublished() {
        RecordingLink plain = new RecordingLink("plain");
        Session p = connect("plain", plain).session();
        subscribe(p, "t", new SubscriptionOptions(1, false, false, 2, 0));
        RecordingLink rap = new RecordingLink("rap");
        Session r = connect("rap", rap).session();
        subscribe(r, "t", new SubscriptionOptions(1, false, true, 2, 0));
        publish("t", 1, true, "v", "pub", MessageProperties.EMPTY);
        assertThat(plain.publishes().get(0).retain()).isFalse();
        assertThat(rap.publishes().get(0).retain()).isTrue();
    }

    @Test
    void retainedMessagesFollowRetainHandling() {
        publish("t/1", 1, true, "r", "pub", MessageProperties.EMPTY);
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", link).session();
        subscribe(s, "t/+", new SubscriptionOptions(1, false, false, SubscriptionOptions.SEND_RETAINED_IF_NEW, 0));
        assertThat(link.publishes()).singleElement().satisfies(x -> assertThat(x.retain()).isTrue());
        subscribe(s, "t/+", new SubscriptionOptions(1, false, false, SubscriptionOptions.SEND_RETAINED_IF_NEW, 0));
        assertThat(link.publishes()).as("not again for an existing subscription").hasSize(1);
        subscribe(s, "t/+", new SubscriptionOptions(1, false, false, SubscriptionOptions.SEND_RETAINED, 0));
        assertThat(link.publishes()).hasSize(2);
        subscribe(s, "t/#", new SubscriptionOptions(1, false, false, SubscriptionOptions.DO_NOT_SEND_RETAINED, 0));
        assertThat(link.publishes()).hasSize(2);
    }

    @Test
    void sharedSubscriptionDistributesRoundRobinAndRedistributesWhenAMemberLeaves() {
        RecordingLink l1 = new RecordingLink("m1");
        Session m1 = connect("m1", l1).session();
        RecordingLink l2 = new RecordingLink("m2");
        Session m2 = connect("m2", l2).session();
        subscribe(m1, "$share/g/jobs", 1);
        subscribe(m2, "$share/g/jobs", 1);
        for (int i = 1; i <= 4; i++) {
            publish("jobs", 1, "j" + i);
        }
        assertThat(l1.payloads()).hasSize(2);
        assertThat(l2.payloads()).hasSize(2);
        // m1 leaves without acknowledging: its two in-flight jobs go to m2.
        m1.detach(l1, DisconnectKind.ABNORMAL, -1);
        clock.runAllLoops();
        assertThat(l2.payloads()).hasSize(4).containsAll(l1.payloads());
    }

    @Test
    void sharedSubscriptionMessagesOfAMemberWhoseSessionEndsGoToAnotherMember() {
        RecordingLink leaving = new RecordingLink("leaving");
        Session member = connect("leaving", false, 0, null, 1, leaving, loopA).session();
        RecordingLink staying = new RecordingLink("staying");
        subscribe(member, "$share/g/jobs", 1);
        subscribe(connect("staying", staying).session(), "$share/g/jobs", 1);
        for (int i = 1; i <= 6; i++) {
            publish("jobs", 1, "j" + i);
        }
        assertThat(leaving.payloads()).as("one in flight, two queued").hasSize(1);

        member.detach(leaving, DisconnectKind.ABNORMAL, -1);
        clock.runAllLoops();

        assertThat(staying.payloads()).containsExactlyInAnyOrder("j1", "j2", "j3", "j4", "j5", "j6");
        assertThat(dropped(DropReason.SESSION_ENDED)).isZero();
    }

    @Test
    void expiredMessagesAreNotDeliveredAndTheRemainingIntervalIsSent() {
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", first).session();
        subscribe(s, "t", 1);
        s.detach(first, DisconnectKind.NORMAL, -1);
        clock.runAllLoops();
        MessageProperties ten = new MessageProperties(-1, 10, null, null, null, List.of());
        MessageProperties hundred = new MessageProperties(-1, 100, null, null, null, List.of());
        publish("t", 1, false, "short", "p", ten);
        publish("t", 1, false, "long", "p", hundred);
        clock.advance(30_000);
        RecordingLink second = new RecordingLink("second");
        connect("c", false, 3600, null, 65_535, second, loopA);
        assertThat(second.payloads()).containsExactly("long");
        assertThat(second.publishes().get(0).expirySeconds()).isEqualTo(70);
        assertThat(dropped(DropReason.EXPIRED)).isEqualTo(1);
    }

    @Test
    void messagesLargerThanTheClientAcceptsAreDroppedAndCounted() {
        RecordingLink link = new RecordingLink("c");
        link.maxPacketPayload = 3;
        Session s = connect("c", link).session();
        subscribe(s, "t", 1);
        publish("t", 1, "toolarge");
        publish("t", 1, "ok");
        assertThat(link.payloads()).containsExactly("ok");
        assertThat(dropped(DropReason.TOO_LARGE)).isEqualTo(1);
        assertThat(s.inflightCount()).isEqualTo(1);
    }

    @Test
    void nonWritableConnectionQueuesUntilWritableAgain() {
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", link).session();
        subscribe(s, "t", 0);
        link.writable = false;
        publish("t", 0, "a");
        publish("t", 0, "b");
        assertThat(link.publishes()).isEmpty();
        link.writable = true;
        onLoop(s, s::onWritable);
        assertThat(link.payloads()).containsExactly("a", "b");
    }

    @Test
    void congestedSessionAsksPublishersToHoldBackAndCallsThemBackWhenItCatchesUp() {
        broker = broker(new SessionConfig(100, OverflowPolicy.DROP_OLDEST, 1, 3600, false));
        RecordingLink link = new RecordingLink("slow");
        Session s = connect("slow", false, 3600, null, 65_535, link, loopA).session();
        subscribe(s, "t", 1);
        java.util.List<Session> congested = new java.util.ArrayList<>();
        // Window 1: the first message is in flight, the rest queue up; half the queue is the mark.
        for (int i = 0; i < 60; i++) {
            broker.publish(new Message("t", new byte[] {1}, 1, false, MessageProperties.EMPTY, "p", clock.millis()),
                    congested::add);
            clock.runAllLoops();
        }
        assertThat(congested).as("publishers were told to hold back").isNotEmpty().allMatch(x -> x == s);
        assertThat(s.isCongested()).isTrue();
        java.util.concurrent.atomic.AtomicBoolean resumed = new java.util.concurrent.atomic.AtomicBoolean();
        s.whenDecongested(() -> resumed.set(true));
        clock.runAllLoops();
        assertThat(resumed).isFalse();
        // The client acknowledges its way through the backlog.
        while (!resumed.get()) {
            int id = link.publishes().get(link.publishes().size() - 1).packetId();
            onLoop(s, () -> s.onPubAck(id));
        }
        assertThat(s.queuedCount()).isLessThanOrEqualTo(25);
        assertThat(dropped(DropReason.QUEUE_FULL)).isZero();
    }

    @Test
    void queuedPayloadBytesHoldPublishersBackLongBeforeTheMessageMark() {
        // 1,000 queued messages allowed, so the message mark is 500; 64 KiB payloads reach the byte mark at 64.
        broker = broker(new SessionConfig(1_000, OverflowPolicy.DROP_OLDEST, 1, 3600, false));
        RecordingLink link = new RecordingLink("slow");
        Session s = connect("slow", false, 3600, null, 65_535, link, loopA).session();
        subscribe(s, "t", 1);
        java.util.List<Session> congested = new java.util.ArrayList<>();
        int payloadBytes = 64 * 1024;
        int atMark = (int) (Session.QUEUE_HIGH_BYTES / payloadBytes);
        int published = 0;
        while (congested.isEmpty() && published < 500) { // window 1: the first in flight, the rest queued
            broker.publish(new Message("t", new byte[payloadBytes], 1, false, MessageProperties.EMPTY, "p",
                    clock.millis()), congested::add);
            clock.runAllLoops();
            published++;
        }
        // A publisher learns it from the session's state after its previous message: one message late at most.
        assertThat(congested).as("held back").containsExactly(s);
        assertThat(s.queuedCount()).as("queued when held back").isBetween(atMark, atMark + 1);

        java.util.concurrent.atomic.AtomicBoolean resumed = new java.util.concurrent.atomic.AtomicBoolean();
        s.whenDecongested(() -> resumed.set(true));
        while (!resumed.get()) {
            int id = link.publishes().get(link.publishes().size() - 1).packetId();
            onLoop(s, () -> s.onPubAck(id));
        }
        assertThat((long) s.queuedCount() * payloadBytes).as("resumed at half the byte mark")
                .isLessThanOrEqualTo(Session.QUEUE_HIGH_BYTES / 2);
        assertThat(dropped(DropReason.QUEUE_FULL)).isZero();
    }

    @Test
    void subscriberThatTakesNothingDoesNotHoldPublishersBack() {
        broker = broker(new SessionConfig(10, OverflowPolicy.DROP_OLDEST, 1, 3600, false));
        RecordingLink link = new RecordingLink("stuck");
        Session s = connect("stuck", false, 3600, null, 65_535, link, loopA).session();
        subscribe(s, "t", 1);
        publish("t", 1, "never acknowledged"); // fills the window of 1
        clock.advance(5_000); // no progress for longer than the progress window
        java.util.List<Session> congested = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            broker.publish(new Message("t", new byte[] {1}, 1, false, MessageProperties.EMPTY, "p", clock.millis()),
                    congested::add);
            clock.runAllLoops();
        }
        assertThat(congested).isEmpty();
        assertThat(dropped(DropReason.QUEUE_FULL)).as("its overflow policy applies instead").isPositive();
    }

    @Test
    void liveSubscriberKeepsEveryQos1MessagePastItsQueueLimitUntilItStalls() {
        broker = broker(new SessionConfig(3, OverflowPolicy.DROP_OLDEST, 1, 3600, false, 1_000));
        RecordingLink link = new RecordingLink("slow");
        Session s = connect("slow", false, 3600, null, 65_535, link, loopA).session();
        subscribe(s, "t", 1);
        for (int i = 1; i <= 8; i++) {
            publish("t", 1, "m" + i); // m1 in flight (window 1), m2..m8 queued: past the limit of 3
        }
        publish("t", 0, "q0");
        assertThat(s.queuedCount()).isEqualTo(7);
        assertThat(dropped(DropReason.QUEUE_FULL)).as("only the QoS 0 message makes room").isEqualTo(1);
        assertThat(s.isCongested()).isTrue();
        assertThat(s.isDecongested()).isFalse();

        clock.advance(999);
        assertThat(s.isStalled()).isFalse();
        clock.advance(1); // nothing taken for the slow-subscriber timeout
        assertThat(s.isStalled()).isTrue();
        assertThat(s.isCongested()).isFalse();
        assertThat(s.isDecongested()).as("held-back publishers may go on").isTrue();
        publish("t", 1, "m9");
        assertThat(dropped(DropReason.QUEUE_FULL)).as("the overflow policy applies again").isEqualTo(2);

        // It acknowledges again: alive, and everything kept reaches it in order.
        for (int i = 0; i < 8; i++) {
            int id = link.publishes().get(link.publishes().size() - 1).packetId();
            onLoop(s, () -> s.onPubAck(id));
        }
        assertThat(link.payloads()).containsExactly("m1", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    }

    private Will will(String topic, long delaySeconds) {
        return new Will(new Message(topic, "gone".getBytes(StandardCharsets.UTF_8), 1, false, MessageProperties.EMPTY,
                "c", clock.millis()), delaySeconds);
    }
}
