package io.ratatoskr.core.session;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.persist.LogSessionJournal;
import io.ratatoskr.core.session.ManualLoop.ManualClock;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.log.CleanupPolicy;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The session journal: what a persistent session writes, read back by a new broker after the
 * journal is closed and opened again, as a restart does. Deterministic loops and time; real files.
 */
class SessionJournalTest {
    private static final LogConfig LOG = LogConfig.builder().cleanupPolicy(CleanupPolicy.COMPACT)
            .durability(DurabilityMode.ASYNC).build();

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final ManualLoop loop = new ManualLoop("net", clock);
    private final ManualLoop restoredLoop = new ManualLoop("restored", clock);
    private LogSessionJournal journal;
    private Broker broker;

    private void start() {
        journal = LogSessionJournal.open(dir, LOG, LogEnvironment.system().withClock(clock));
        broker = new Broker(BrokerConfig.DEFAULTS, clock, new BrokerMetrics(new SimpleMeterRegistry()));
        broker.persistSessions(journal);
        broker.restore(journal.restored(), restoredLoop);
        clock.runAllLoops();
    }

    /** Closes the journal cleanly (everything batched is written) and starts a new broker on it. */
    private void restart() {
        clock.runAllLoops();
        journal.close();
        start();
    }

    @AfterEach
    void close() {
        if (journal != null) {
            journal.close();
        }
    }

    private Session connect(String id, boolean cleanStart, long expiry, Will will, RecordingLink link,
                            boolean expectPresent) {
        AtomicReference<ConnectResult> result = new AtomicReference<>();
        broker.connect(new ConnectRequest(id, cleanStart, expiry, will, 65_535), link, loop, result::set);
        clock.runAllLoops();
        assertThat(result.get()).as("connect of %s", id).isNotNull();
        assertThat(result.get().sessionPresent()).as("session present for %s", id).isEqualTo(expectPresent);
        return result.get().session();
    }

    private void onLoop(Session s, Runnable r) {
        s.loop().execute(r);
        clock.runAllLoops();
    }

    private void publish(String topic, int qos, String payload) {
        broker.publish(message(topic, qos, payload, MessageProperties.EMPTY));
        clock.runAllLoops();
    }

    private Message message(String topic, int qos, String payload, MessageProperties p) {
        return new Message(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, p, "publisher", clock.millis());
    }

    private void disconnect(Session s, RecordingLink link, DisconnectKind kind) {
        s.detach(link, kind, -1);
        clock.runAllLoops();
    }

    @Test
    void subscriptionsQueuedAndInflightMessagesAndInboundQos2SurviveARestart() {
        start();
        RecordingLink first = new RecordingLink("first");
        Session s = connect("c", false, 3600, null, first, false);
        SubscriptionOptions all = new SubscriptionOptions(2, true, true, SubscriptionOptions.SEND_RETAINED_IF_NEW, 7);
        onLoop(s, () -> broker.subscribe(s, "a/+", all));
        onLoop(s, () -> broker.subscribe(s, "$share/g/b", SubscriptionOptions.ofQos(1)));
        onLoop(s, () -> broker.subscribe(s, "gone", SubscriptionOptions.ofQos(1)));
        onLoop(s, () -> broker.unsubscribe(s, "gone"));
        MessageProperties props = new MessageProperties(1, 3600, "text/plain", "reply/here", new byte[] {1, 2},
                List.of(new Header("k", "v"), new Header("k", "w")));
        broker.publish(message("a/1", 1, "acked", MessageProperties.EMPTY));
        broker.publish(message("a/1", 1, "awaiting-puback", props));
        broker.publish(message("a/2", 2, "awaiting-pubrec", MessageProperties.EMPTY));
        broker.publish(message("a/3", 2, "awaiting-pubcomp", MessageProperties.EMPTY));
        clock.runAllLoops();
        List<RecordingLink.Sent> sent = first.publishes();
        assertThat(sent).hasSize(4);
        onLoop(s, () -> s.onPubAck(sent.get(0).packetId()));
        onLoop(s, () -> s.onPubRec(sent.get(3).packetId(), 0));
        onLoop(s, () -> s.inboundQos2Received(42));
        disconnect(s, first, DisconnectKind.NORMAL);
        publish("a/4", 1, "queued-1");
        publish("a/5", 0, "qos0-not-kept");

        restart();

        Session restored = broker.session("c");
        assertThat(restored).isNotNull();
        onLoop(restored, () -> assertThat(restored.subscriptions())
                .containsOnlyKeys("a/+", "$share/g/b").containsEntry("a/+", all));
        RecordingLink second = new RecordingLink("second");
        Session again = connect("c", false, 3600, null, second, true);
        assertThat(second.sent).extracting(RecordingLink.Sent::kind, RecordingLink.Sent::payload,
                        RecordingLink.Sent::dup)
                .containsExactly(tuple("PUBLISH", "awaiting-puback", true), tuple("PUBLISH", "awaiting-pubrec", true),
                        tuple("PUBREL", null, false), tuple("PUBLISH", "queued-1", false));
        assertThat(second.sent.subList(0, 3)).as("in flight: re-sent with their identifiers [MQTT-4.4.0-1]")
                .extracting(RecordingLink.Sent::packetId)
                .containsExactly(sent.get(1).packetId(), sent.get(2).packetId(), sent.get(3).packetId());
        RecordingLink.Sent withProps = second.sent.get(0);
        assertThat(withProps.subscriptionIds()).containsExactly(7);
        assertThat(withProps.qos()).isEqualTo(1);
        assertThat(withProps.expirySeconds()).isEqualTo(3600);
        assertThat(second.sent.get(3).packetId()).isNotIn(sent.get(1).packetId(), sent.get(2).packetId(),
                sent.get(3).packetId());
        onLoop(again, () -> {
            assertThat(again.isInboundQos2Unreleased(42)).isTrue();
            assertThat(again.inboundQos2Received(42)).as("a repeat after the restart is not routed again").isFalse();
        });
    }

    @Test
    void restoredMessagesKeepTheirPropertiesAndExpiry() {
        start();
        for (String id : List.of("c", "d")) {
            RecordingLink link = new RecordingLink(id);
            Session s = connect(id, false, 3600, null, link, false);
            onLoop(s, () -> broker.subscribe(s, "t", SubscriptionOptions.ofQos(1)));
            disconnect(s, link, DisconnectKind.NORMAL);
        }
        MessageProperties props = new MessageProperties(1, 10, "text/plain", "reply/here", new byte[] {1, 2},
                List.of(new Header("k", "v")));
        broker.publish(message("t", 1, "expires-in-10s", props));
        broker.publish(message("t", 1, "never-expires", MessageProperties.EMPTY));
        clock.advance(4_000);

        restart();

        RecordingLink c = new RecordingLink("c");
        connect("c", false, 3600, null, c, true);
        assertThat(c.payloads()).containsExactly("expires-in-10s", "never-expires");
        assertThat(c.publishes().get(0).expirySeconds()).as("the time waited counts across the restart")
                .isEqualTo(6);
        clock.advance(20_000);
        RecordingLink d = new RecordingLink("d");
        connect("d", false, 3600, null, d, true);
        assertThat(d.payloads()).as("expired while queued").containsExactly("never-expires");
    }

    @Test
    void aSharedSubscriptionMessageHandedToAnotherMemberIsKeptForThatMember() {
        start();
        RecordingLink aLink = new RecordingLink("a");
        RecordingLink bLink = new RecordingLink("b");
        Session a = connect("a", false, 3600, null, aLink, false);
        Session b = connect("b", false, 3600, null, bLink, false);
        onLoop(a, () -> broker.subscribe(a, "$share/g/t", SubscriptionOptions.ofQos(1)));
        onLoop(b, () -> broker.subscribe(b, "$share/g/t", SubscriptionOptions.ofQos(1)));
        onLoop(b, () -> broker.subscribe(b, "t", SubscriptionOptions.ofQos(1)));
        publish("t", 1, "m1");
        publish("t", 1, "m2");
        // Each message reached b through its own subscription, and one member of the group.
        RecordingLink.Sent toA = aLink.publishes().getFirst();
        disconnect(a, aLink, DisconnectKind.NORMAL);
        assertThat(bLink.payloads()).as("a's message went to b").contains(toA.payload());
        onLoop(b, () -> bLink.publishes().forEach(p -> b.onPubAck(p.packetId())));

        restart();
        RecordingLink again = new RecordingLink("b again");
        connect("b", false, 3600, null, again, true);
        assertThat(again.sent).as("b acknowledged everything").isEmpty();
        RecordingLink aAgain = new RecordingLink("a again");
        connect("a", false, 3600, null, aAgain, true);
        assertThat(aAgain.sent).as("a's message went to b").isEmpty();
    }

    @Test
    void aSessionWithTwoCopiesOfAMessageKeepsOneAcrossARestart() {
        start();
        RecordingLink aLink = new RecordingLink("a");
        Session a = connect("a", false, 3600, null, aLink, false);
        onLoop(a, () -> broker.subscribe(a, "$share/g/t", SubscriptionOptions.ofQos(1)));
        onLoop(a, () -> broker.subscribe(a, "t", SubscriptionOptions.ofQos(1)));
        publish("t", 1, "both");
        assertThat(aLink.payloads()).containsExactly("both", "both");

        restart();
        RecordingLink again = new RecordingLink("a again");
        connect("a", false, 3600, null, again, true);
        assertThat(again.publishes()).as("one copy is kept in the journal; the other lived in memory only")
                .extracting(RecordingLink.Sent::payload, RecordingLink.Sent::dup)
                .containsExactly(tuple("both", true));
    }

    @Test
    void acknowledgedMessagesAreNotRestored() {
        start();
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 3600, null, link, false);
        onLoop(s, () -> broker.subscribe(s, "t", SubscriptionOptions.ofQos(2)));
        publish("t", 1, "one");
        publish("t", 2, "two");
        List<RecordingLink.Sent> sent = link.publishes();
        onLoop(s, () -> s.onPubAck(sent.get(0).packetId()));
        onLoop(s, () -> s.onPubRec(sent.get(1).packetId(), 0));
        onLoop(s, () -> s.onPubComp(sent.get(1).packetId()));
        disconnect(s, link, DisconnectKind.NORMAL);

        restart();

        RecordingLink again = new RecordingLink("again");
        connect("c", false, 3600, null, again, true);
        assertThat(again.sent).isEmpty();
    }

    @Test
    void groupDeliveriesAreNeverJournaledSoARestoredSessionDoesNotResurrectThem() {
        start();
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 3600, null, link, false);
        onLoop(s, () -> broker.subscribe(s, "t", SubscriptionOptions.ofQos(1)));
        // As the MQTT adapter does for $queue/workers/orders: the session keeps the subscription (its
        // client rejoins the group when it reconnects); the group's deliveries carry an ack callback.
        onLoop(s, () -> s.putSubscription("$queue/workers/orders", SubscriptionOptions.ofQos(1)));
        s.offer(new Delivery(message("orders", 1, "group", MessageProperties.EMPTY), 1, false, null, null,
                new DeliveryAck() {
                    @Override
                    public void acknowledged(int reasonCode, String reasonString, List<Header> userProperties) {
                    }

                    @Override
                    public void released(boolean sent) {
                    }

                    @Override
                    public void undeliverable(String reason) {
                    }
                }));
        clock.runAllLoops();
        publish("t", 1, "live");
        assertThat(link.publishes()).extracting(RecordingLink.Sent::payload).containsExactly("group", "live");

        // Both in flight when the broker stops: the consumer group redelivers its own after a restart.
        restart();

        Session restored = broker.session("c");
        onLoop(restored, () -> assertThat(restored.subscriptions()).containsOnlyKeys("t", "$queue/workers/orders"));
        assertThat(broker.publish(message("$queue/workers/orders", 1, "not-routed", MessageProperties.EMPTY)))
                .as("a $queue subscription is never in the routing table").isZero();
        RecordingLink again = new RecordingLink("again");
        connect("c", false, 3600, null, again, true);
        assertThat(again.sent).extracting(RecordingLink.Sent::kind, RecordingLink.Sent::payload,
                RecordingLink.Sent::dup).containsExactly(tuple("PUBLISH", "live", true));
    }

    @Test
    void cleanSessionsWriteNothing() {
        start();
        long before = journal.log().logEndOffset();
        RecordingLink link = new RecordingLink("clean");
        Session s = connect("clean", true, 0, will("w"), link, false);
        onLoop(s, () -> broker.subscribe(s, "t", SubscriptionOptions.ofQos(2)));
        publish("t", 1, "one");
        publish("t", 2, "two");
        onLoop(s, () -> s.inboundQos2Received(3));
        onLoop(s, () -> s.onPubAck(link.publishes().get(0).packetId()));
        disconnect(s, link, DisconnectKind.ABNORMAL);
        journal.flush().join();
        assertThat(journal.log().logEndOffset()).isEqualTo(before);

        restart();
        assertThat(broker.session("clean")).isNull();
    }

    @Test
    void endedSessionsAreForgotten() {
        start();
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 3600, null, link, false);
        onLoop(s, () -> broker.subscribe(s, "t", SubscriptionOptions.ofQos(1)));
        publish("t", 1, "in-flight");
        s.detach(link, DisconnectKind.NORMAL, 0);
        clock.runAllLoops();

        restart();
        assertThat(broker.session("c")).isNull();
    }

    @Test
    void expiryCountsFromTheDisconnectAcrossARestart() {
        start();
        RecordingLink shortLink = new RecordingLink("short");
        RecordingLink longLink = new RecordingLink("long");
        Session shortLived = connect("short", false, 10, will("short"), shortLink, false);
        Session longLived = connect("long", false, 3600, null, longLink, false);
        onLoop(longLived, () -> broker.subscribe(longLived, "wills/#", SubscriptionOptions.ofQos(1)));
        disconnect(shortLived, shortLink, DisconnectKind.NORMAL);
        disconnect(longLived, longLink, DisconnectKind.NORMAL);
        clock.advance(6_000);

        restart();
        assertThat(broker.session("short")).as("4 s left").isNotNull();
        clock.advance(5_000);
        assertThat(broker.session("short")).as("expired 10 s after its disconnect").isNull();

        clock.advance(3_000_000);
        restart();
        RecordingLink again = new RecordingLink("again");
        Session resumed = connect("long", false, 3600, null, again, true);
        disconnect(resumed, again, DisconnectKind.NORMAL);
        clock.advance(3_600_000);
        restart();
        assertThat(broker.session("long")).as("expired while the broker was down").isNull();
    }

    @Test
    void willOfASessionConnectedWhenTheBrokerStoppedIsPublishedAfterItsDelayFromTheRestart() {
        start();
        RecordingLink watcherLink = new RecordingLink("watcher");
        Session watcher = connect("watcher", false, 3600, null, watcherLink, false);
        onLoop(watcher, () -> broker.subscribe(watcher, "wills/#", SubscriptionOptions.ofQos(1)));
        disconnect(watcher, watcherLink, DisconnectKind.NORMAL);
        connect("delayed", false, 3600, new Will(will("delayed").message(), 30), new RecordingLink("d"), false);
        connect("at-once", false, 3600, will("at-once"), new RecordingLink("a"), false);
        connect("clean", true, 0, will("clean"), new RecordingLink("c"), false);
        clock.advance(100_000);

        restart();
        assertThat(broker.session("clean")).isNull();
        clock.advance(29_000);
        RecordingLink seen = new RecordingLink("seen");
        Session w = connect("watcher", false, 3600, null, seen, true);
        assertThat(seen.payloads()).containsExactly("at-once");
        clock.advance(1_000);
        assertThat(seen.payloads()).containsExactly("at-once", "delayed");
        onLoop(w, () -> seen.publishes().forEach(p -> w.onPubAck(p.packetId())));

        restart();
        RecordingLink after = new RecordingLink("after");
        connect("watcher", false, 3600, null, after, true);
        assertThat(after.sent).as("wills are published once").isEmpty();
    }

    @Test
    void anUndecodableRecordIsSkippedAndTheRestIsRestored() throws Exception {
        start();
        RecordingLink link = new RecordingLink("c");
        Session s = connect("c", false, 3600, null, link, false);
        onLoop(s, () -> broker.subscribe(s, "t", SubscriptionOptions.ofQos(1)));
        disconnect(s, link, DisconnectKind.NORMAL);
        publish("t", 1, "kept");
        clock.runAllLoops();
        journal.close();
        journal = null;
        try (Log raw = Log.open(dir, LOG)) {
            raw.append(List.of(
                    Record.of(new byte[] {99, 1, 2}, new byte[] {1}),
                    Record.of(new byte[] {1, 'x'}, new byte[] {9, 9, 9}),
                    Record.of(new byte[] {1, 'y'}, new byte[] {1}))).join();
        }

        start();
        RecordingLink again = new RecordingLink("again");
        connect("c", false, 3600, null, again, true);
        assertThat(again.payloads()).containsExactly("kept");
        assertThat(broker.session("x")).isNull();
        assertThat(broker.session("y")).isNull();
    }

    private ConnectResult connectAs(String id, SessionOwner owner, RecordingLink link) {
        AtomicReference<ConnectResult> result = new AtomicReference<>();
        broker.connect(new ConnectRequest(id, false, 3600, null, 65_535, owner), link, loop, result::set);
        clock.runAllLoops();
        return result.get();
    }

    @Test
    void theOwnerIsKeptAcrossARestartAndOnlyTheOwnerResumes() {
        start();
        RecordingLink link = new RecordingLink("alice-1");
        Session s = connectAs("dev", SessionOwner.of("alice"), link).session();
        onLoop(s, () -> broker.subscribe(s, "t", SubscriptionOptions.ofQos(1)));
        disconnect(s, link, DisconnectKind.NORMAL);
        publish("t", 1, "for alice");
        restart();

        RecordingLink mallory = new RecordingLink("mallory");
        assertThat(connectAs("dev", SessionOwner.of("mallory"), mallory).notOwner()).isTrue();
        assertThat(connectAs("dev", SessionOwner.ANONYMOUS, mallory).notOwner()).isTrue();
        assertThat(mallory.payloads()).isEmpty();
        RecordingLink alice = new RecordingLink("alice-2");
        ConnectResult back = connectAs("dev", SessionOwner.of("alice"), alice);
        assertThat(back.notOwner()).isFalse();
        assertThat(back.sessionPresent()).isTrue();
        assertThat(alice.payloads()).containsExactly("for alice");
    }

    @Test
    void aVersion1SessionRecordIsRestoredAndAdoptedByTheFirstConnection() throws Exception {
        try (Log raw = Log.open(dir, LOG)) {
            // Session value version 1 (no owner): not connected, expiry 3600 s, ended at 0, no will delay.
            byte[] value = java.nio.ByteBuffer.allocate(18).put((byte) 1).put((byte) 0).putInt(3600).putLong(0)
                    .putInt(0).array();
            raw.append(List.of(Record.of(new byte[] {1, 'o', 'l', 'd'}, value))).join();
        }
        start();
        assertThat(broker.session("old")).isNotNull();
        RecordingLink first = new RecordingLink("first");
        ConnectResult adopted = connectAs("old", SessionOwner.of("carol"), first);
        assertThat(adopted.notOwner()).isFalse();
        assertThat(adopted.sessionPresent()).isTrue();
        restart();
        assertThat(connectAs("old", SessionOwner.of("dave"), new RecordingLink("dave")).notOwner())
                .as("carol's now, recorded in version 2").isTrue();
    }

    private Will will(String name) {
        return new Will(new Message("wills/" + name, name.getBytes(StandardCharsets.UTF_8), 1, false,
                MessageProperties.EMPTY, name, clock.millis()), 0);
    }
}
