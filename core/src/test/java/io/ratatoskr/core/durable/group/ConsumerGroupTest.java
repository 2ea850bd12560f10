package io.ratatoskr.core.durable.group;

import static io.ratatoskr.core.durable.group.GroupFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.core.durable.DeadLetterHeaders;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.testing.LocalTopicDirectory.LocalTopic;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Header;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsumerGroupTest {
    @TempDir
    Path dir;
    GroupFixture f;
    LocalTopic orders;

    @BeforeEach
    void setUp() {
        f = new GroupFixture(dir);
        orders = f.topic("orders", 1);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        f.close();
    }

    private void publish(int n) {
        for (int i = 0; i < n; i++) {
            orders.publish(f.message("m" + i), null);
        }
    }

    private GroupMember join(String name, int prefetch, RecordingSink sink) {
        return f.groups.join("orders", "workers", MemberOptions.named(name).withPrefetch(prefetch), sink);
    }

    private GroupInfo describe() {
        return f.groups.describe("orders", "workers").join();
    }

    private void configure(GroupConfig c) {
        f.groups.configure("orders", "workers", c).join();
    }

    @Test
    void ackAdvancesCommittedOffsetOverTheContiguousAckedPrefix() {
        publish(5);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        List<GroupDelivery> got = sink.next(5);
        assertThat(got).extracting(GroupFixture::text).containsExactly("m0", "m1", "m2", "m3", "m4");

        m.ack(got.get(0).deliveryId()).join();
        m.ack(got.get(2).deliveryId()).join();
        assertThat(describe().partitions().get(0).committedOffset()).isEqualTo(1);

        m.ack(got.get(1).deliveryId()).join();
        assertThat(describe().partitions().get(0).committedOffset()).isEqualTo(3);

        m.ack(got.get(3).deliveryId()).join();
        m.ack(got.get(4).deliveryId()).join();
        GroupInfo info = describe();
        assertThat(info.partitions().get(0).committedOffset()).isEqualTo(5);
        assertThat(info.lag()).isZero();
        assertThat(info.inFlight()).isZero();
        assertThat(f.counter("ratatoskr.group.messages.acked", "group", "workers")).isEqualTo(5);
    }

    @Test
    void ackAllAcknowledgesEveryOutstandingDeliveryAndSkipsOnesNoLongerOutstanding() {
        publish(6);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        List<GroupDelivery> got = sink.next(6);
        m.ack(got.get(1).deliveryId()).join();

        // m1 is already acknowledged: skipped, and the others still count.
        long[] ids = got.stream().limit(4).mapToLong(GroupDelivery::deliveryId).toArray();
        assertThat(m.ackAll(ids).join()).isEqualTo(3);
        GroupInfo info = describe();
        assertThat(info.partitions().get(0).committedOffset()).isEqualTo(4);
        assertThat(info.inFlight()).isEqualTo(2);
        assertThat(f.counter("ratatoskr.group.messages.acked", "group", "workers")).isEqualTo(4);

        m.ackAll(new long[] {got.get(4).deliveryId(), got.get(5).deliveryId()}).join();
        assertThat(describe().partitions().get(0).committedOffset()).isEqualTo(6);
        assertThat(describe().lag()).isZero();
    }

    @Test
    void aMemberHearsFlushOnceAfterEachPassThatHandedItDeliveries() {
        publish(10);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 4, sink);
        List<GroupDelivery> first = sink.next(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.flushedDeliveries() == 4);
        RecordingSink idle = new RecordingSink();
        join("b", 4, idle);
        List<GroupDelivery> toB = idle.next(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> idle.flushedDeliveries() == 4);
        int flushesOfA = sink.flushes.size();
        int flushesOfB = idle.flushes.size();

        // One ack step frees four places: the refill is one pass, so one flush after all four.
        m.ackAll(first.stream().mapToLong(GroupDelivery::deliveryId).toArray()).join();
        List<GroupDelivery> refill = sink.next(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.flushes.size() == flushesOfA + 1);
        assertThat(sink.flushes.get(flushesOfA)).as("the refill's deliveries, then one flush").isEqualTo(2);
        assertThat(refill).extracting(GroupFixture::text).containsExactly("m8", "m9");
        assertThat(sink.flushes).as("no flush without deliveries before it").doesNotContain(0);
        assertThat(idle.flushes).as("a member handed nothing in a pass hears no flush")
                .hasSize(flushesOfB).doesNotContain(0);
        assertThat(toB).extracting(GroupFixture::text).containsExactly("m4", "m5", "m6", "m7");
    }

    @Test
    void ackingTwiceFailsWithDeliveryNotFound() {
        publish(1);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        GroupDelivery d = sink.next();
        m.ack(d.deliveryId()).join();
        assertThatThrownBy(() -> m.ack(d.deliveryId()).join())
                .cause().isInstanceOfSatisfying(RatatoskrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DELIVERY_NOT_FOUND));
    }

    @Test
    void nackedMessageIsRedeliveredAfterBackoff() {
        configure(GroupConfig.DEFAULTS.withBackoff(1_000, 2.0, 60_000));
        publish(1);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        GroupDelivery first = sink.next();
        assertThat(first.attempt()).isEqualTo(1);

        m.nack(first.deliveryId(), -1).join();
        f.clock.advanceMs(999);
        sink.assertNothingWithin(f.groups, "orders", "workers");
        assertThat(describe().waitingRetry()).isEqualTo(1);

        f.clock.advanceMs(1);
        GroupDelivery second = sink.next();
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(text(second)).isEqualTo("m0");

        // The second failure waits twice as long.
        m.nack(second.deliveryId(), -1).join();
        f.clock.advanceMs(1_999);
        sink.assertNothingWithin(f.groups, "orders", "workers");
        f.clock.advanceMs(1);
        assertThat(sink.next().attempt()).isEqualTo(3);
        assertThat(f.counter("ratatoskr.group.messages.redelivered", "reason", "nack")).isEqualTo(2);
    }

    @Test
    void nackWithAnExplicitDelayWaitsThatLong() {
        publish(1);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        m.nack(sink.next().deliveryId(), 5_000).join();
        f.clock.advanceMs(4_999);
        sink.assertNothingWithin(f.groups, "orders", "workers");
        f.clock.advanceMs(1);
        assertThat(sink.next().attempt()).isEqualTo(2);
    }

    @Test
    void ackTimeoutRedeliversToAnotherMember() {
        configure(GroupConfig.DEFAULTS.withAckTimeoutMs(30_000));
        publish(1);
        RecordingSink a = new RecordingSink();
        RecordingSink b = new RecordingSink();
        join("a", 1, a);
        GroupDelivery first = a.next();
        join("b", 1, b);
        b.assertNothingWithin(f.groups, "orders", "workers");

        f.clock.advanceMs(30_000);
        GroupDelivery second = b.next();
        assertThat(text(second)).isEqualTo(text(first));
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(a.deliveries).isEmpty();
        assertThat(f.counter("ratatoskr.group.messages.redelivered", "reason", "timeout")).isEqualTo(1);
    }

    @Test
    void afterMaxAttemptsTheMessageGoesToTheDeadLetterTopicWithHeaders() {
        configure(GroupConfig.DEFAULTS.withMaxAttempts(2).withBackoff(0, 1.0, 0));
        orders.publish(f.message("orders/eu", "poison", -1, List.of(new Header("trace", "t-1"))), "k".getBytes());
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        long firstFailure = f.clock.millis();
        GroupDelivery d1 = sink.next();
        m.nack(d1.deliveryId(), -1).join();
        f.clock.advanceMs(10);
        GroupDelivery d2 = sink.next();
        assertThat(d2.attempt()).isEqualTo(2);
        m.nack(d2.deliveryId(), -1).join();

        await().atMost(Duration.ofSeconds(10)).until(() -> f.topics.find("orders.dlq").isPresent()
                && !f.topics.topic("orders.dlq").readAll().isEmpty());
        DurableMessage dead = f.topics.topic("orders.dlq").readAll().get(0);
        assertThat(dead.id()).isEqualTo(d1.message().id());
        assertThat(dead.key()).isEqualTo("k".getBytes());
        assertThat(dead.message().topic()).isEqualTo("orders/eu");
        assertThat(new String(dead.message().payload(), StandardCharsets.UTF_8)).isEqualTo("poison");
        Map<String, String> h = headers(dead);
        assertThat(h).containsEntry("trace", "t-1")
                .containsEntry(DeadLetterHeaders.ATTEMPTS, "2")
                .containsEntry(DeadLetterHeaders.SOURCE_TOPIC, "orders")
                .containsEntry(DeadLetterHeaders.SOURCE_PARTITION, "0")
                .containsEntry(DeadLetterHeaders.SOURCE_OFFSET, "0")
                .containsEntry(DeadLetterHeaders.FIRST_FAILURE, Long.toString(firstFailure))
                .containsEntry(DeadLetterHeaders.GROUP, "workers");
        assertThat(h.get(DeadLetterHeaders.REASON)).contains("max attempts (2)").contains("nack");

        await().atMost(Duration.ofSeconds(10)).until(() -> describe().partitions().get(0).committedOffset() == 1);
        GroupInfo info = describe();
        assertThat(info.deadLetterDepth()).isEqualTo(1);
        assertThat(info.deadLetteredSinceStart()).isEqualTo(1);
        sink.assertNothingWithin(f.groups, "orders", "workers");
    }

    @Test
    void rejectMovesTheMessageToTheDeadLetterTopicAtOnce() {
        publish(2);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        GroupDelivery d = sink.next();
        m.reject(d.deliveryId(), "payload is not JSON").join();
        await().atMost(Duration.ofSeconds(10)).until(() -> f.topics.find("orders.dlq").isPresent()
                && !f.topics.topic("orders.dlq").readAll().isEmpty());
        Map<String, String> h = headers(f.topics.topic("orders.dlq").readAll().get(0));
        assertThat(h).containsEntry(DeadLetterHeaders.REASON, "payload is not JSON")
                .containsEntry(DeadLetterHeaders.ATTEMPTS, "1");
        assertThat(f.counter("ratatoskr.group.messages.rejected", "group", "workers")).isEqualTo(1);
    }

    @Test
    void aMemberNeverHoldsMoreThanItsPrefetch() {
        publish(10);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 3, sink);
        List<GroupDelivery> got = sink.next(3);
        sink.assertNothingWithin(f.groups, "orders", "workers");
        assertThat(describe().members()).singleElement().satisfies(i -> assertThat(i.inFlight()).isEqualTo(3));

        m.ack(got.get(1).deliveryId()).join();
        assertThat(text(sink.next())).isEqualTo("m3");
        sink.assertNothingWithin(f.groups, "orders", "workers");
    }

    @Test
    void anInOrderAckerSeesEachPartitionInOrder() {
        LocalTopic multi = f.topic("events", 3);
        for (int i = 0; i < 300; i++) {
            multi.publish(f.message("e" + i), ("key" + (i % 7)).getBytes());
        }
        RecordingSink sink = new RecordingSink();
        GroupMember m = f.groups.join("events", "g", MemberOptions.named("a").withPrefetch(5), sink);
        Map<Integer, List<Long>> seen = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            GroupDelivery d = sink.next();
            seen.computeIfAbsent(d.message().partition(), p -> new ArrayList<>()).add(d.message().offset());
            m.ack(d.deliveryId());
        }
        assertThat(seen).hasSize(3);
        seen.forEach((p, offsets) -> assertThat(offsets).isSorted().doesNotHaveDuplicates()
                .hasSize((int) multi.partitions().get(p).endOffset()));
    }

    @Test
    void aLeavingMembersInFlightMessagesGoToAnotherMember() {
        publish(5);
        RecordingSink a = new RecordingSink();
        RecordingSink b = new RecordingSink();
        GroupMember ma = join("a", 5, a);
        List<GroupDelivery> held = a.next(5);
        join("b", 5, b);
        b.assertNothingWithin(f.groups, "orders", "workers");

        ma.leave().join();
        List<GroupDelivery> moved = b.next(5);
        assertThat(moved).extracting(GroupFixture::text)
                .containsExactlyElementsOf(held.stream().map(GroupFixture::text).toList());
        assertThat(moved).allSatisfy(d -> assertThat(d.attempt()).isEqualTo(2));
        assertThat(f.counter("ratatoskr.group.messages.redelivered", "reason", "member_left")).isEqualTo(5);
    }

    @Test
    void leavingCountsOnlyTheDeliveriesTheConsumerMayHaveSeen() {
        publish(2);
        RecordingSink a = new RecordingSink();
        GroupMember ma = join("a", 5, a);
        List<GroupDelivery> held = a.next(2);
        ma.leave(List.of(held.get(0).deliveryId())).join();
        RecordingSink b = new RecordingSink();
        join("b", 5, b);
        Map<String, Integer> attempts = b.next(2).stream()
                .collect(Collectors.toMap(GroupFixture::text, GroupDelivery::attempt));
        assertThat(attempts).containsEntry("m0", 2).containsEntry("m1", 1);
    }

    @Test
    void aReleasedDeliveryComesBackWithoutCountingTheAttempt() {
        publish(1);
        RecordingSink a = new RecordingSink();
        GroupMember ma = join("a", 5, a);
        ma.release(a.next().deliveryId()).join();
        assertThat(a.next().attempt()).isEqualTo(1);
    }

    @Test
    void firstDeliveriesAcknowledgedWithinTheHoldWriteNoMessageRecordOrTombstone() {
        publish(50);
        RecordingSink a = new RecordingSink();
        GroupMember m = join("a", 10, a);
        for (int i = 0; i < 50; i++) {
            m.ack(a.next().deliveryId()).join(); // the manual clock stands still: well inside the hold
        }
        List<String> records = f.closeAndReadStateLog("orders", "workers");
        assertThat(records).noneMatch(r -> r.startsWith("m/"));
        assertThat(records).last().isEqualTo("p/0=50,50");
    }

    @Test
    void aDeliveryHeldPastTheHoldGetsItsRecordAndTheDeliveredEndStopsBeforeTheHeldOnes() throws Exception {
        publish(3);
        RecordingSink a = new RecordingSink();
        GroupMember m = join("a", 1, a);
        GroupDelivery d0 = a.next();
        // d0 is handed over midway through the join's task, which appends the partition record after it: let
        // that task end before the clock moves, or its append, stamped at the moved time, would hold the next
        // one (m0's record) back for STATE_APPEND_INTERVAL_MS, which this clock, standing still, never gives.
        describe();
        f.clock.advanceMs(GroupStateLog.HOLD_MS); // m0's record is due: the next change of the group writes it
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            describe(); // a request ends with the group's state changes
            return f.stateLogFilesContain("orders", "workers", "m/0/0");
        });
        m.ack(d0.deliveryId()).join();
        GroupDelivery d1 = a.next(); // acknowledged within the hold: never written
        m.ack(d1.deliveryId()).join();
        a.next(); // m2, still held when the group closes: a close releases it
        List<String> records = f.closeAndReadStateLog("orders", "workers");
        assertThat(records).contains("m/0/0", "m/0/0 (deleted)", "m/0/2").doesNotContain("m/0/1");
        // No partition record's delivered end passes a delivery whose record is not written before it (records
        // that change before a flush are coalesced, so which partition records appear depends on timing).
        for (int i = 0; i < records.size(); i++) {
            String r = records.get(i);
            if (r.startsWith("p/0=")) {
                long deliveredEnd = Long.parseLong(r.substring(r.indexOf(',') + 1));
                if (deliveredEnd > 0) {
                    assertThat(i).as("%s comes after m/0/0", r).isGreaterThan(records.indexOf("m/0/0"));
                }
                if (deliveredEnd > 2) {
                    assertThat(i).as("%s comes after m/0/2", r).isGreaterThan(records.indexOf("m/0/2"));
                }
            }
        }
        assertThat(records).last().isEqualTo("p/0=2,3"); // the close released m2's record, then covered it
    }

    @Test
    void aCrashRedeliversTheFirstDeliveriesItsStateLogWasHoldingAndLosesNone() {
        publish(6);
        RecordingSink a = new RecordingSink();
        GroupMember m = join("a", 10, a);
        List<GroupDelivery> first = a.next(6);
        m.ack(first.get(0).deliveryId()).join();
        m.ack(first.get(1).deliveryId()).join();

        f.crashAndRestart(); // m2..m5 in flight, their records held: nothing says they were delivered
        RecordingSink b = new RecordingSink();
        GroupMember mb = join("b", 10, b);
        List<GroupDelivery> again = new ArrayList<>();
        while (again.stream().map(GroupFixture::text).noneMatch("m5"::equals)) {
            again.add(b.next());
        }
        assertThat(again).extracting(GroupFixture::text).containsSubsequence("m2", "m3", "m4", "m5");
        // Their first attempt left no trace, so these are first attempts again; m0 and m1 may come again
        // too (acknowledged, but the crash may have taken the committed offset that said so).
        assertThat(again).filteredOn(d -> !List.of("m0", "m1").contains(text(d)))
                .extracting(GroupDelivery::attempt).containsOnly(1);
        for (GroupDelivery d : again) {
            mb.ack(d.deliveryId()).join();
        }
        assertThat(describe().partitions().get(0).committedOffset()).isEqualTo(6);
    }

    @Test
    void aChangeWithinTheAppendIntervalOfTheLastStateAppendWaitsForItAndACrashBeforeThenForgetsIt() {
        publish(2);
        RecordingSink a = new RecordingSink();
        GroupMember m = join("a", 10, a); // starting the group wrote its partition record: an append just now
        a.next();
        GroupDelivery d1 = a.next();
        m.nack(d1.deliveryId(), 60_000).join(); // the manual clock stands still: inside the interval
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> !f.stateLogFilesContain("orders", "workers", "m/0/1"));

        f.crashAndRestart(); // the nack was not written yet, nor m1's held first delivery
        RecordingSink b = new RecordingSink();
        join("b", 10, b);
        List<GroupDelivery> again = b.next(2);
        assertThat(again).extracting(GroupFixture::text).containsExactlyInAnyOrder("m0", "m1");
        assertThat(again).as("nothing says they were delivered: first attempts again, at once")
                .extracting(GroupDelivery::attempt).containsOnly(1);
    }

    @Test
    void aChangeHeldBackByTheAppendIntervalIsWrittenOnceItHasPassed() throws Exception {
        publish(2);
        RecordingSink a = new RecordingSink();
        GroupMember m = join("a", 10, a);
        m.ack(a.next().deliveryId()).join();
        GroupDelivery d1 = a.next();
        m.nack(d1.deliveryId(), 60_000).join();
        f.clock.advanceMs(ConsumerGroup.STATE_APPEND_INTERVAL_MS); // no other change comes: the wake-up writes
        await().atMost(Duration.ofSeconds(10)).until(() -> f.stateLogFilesContain("orders", "workers", "m/0/1"));

        f.crashAndRestart();
        RecordingSink b = new RecordingSink();
        join("b", 10, b);
        f.clock.advanceMs(60_000);
        GroupDelivery retried = b.next();
        assertThat(retried).extracting(GroupFixture::text).isEqualTo("m1");
        assertThat(retried.attempt()).as("the nack was written: counted, and its delay kept").isEqualTo(2);
        assertThat(describe().partitions().get(0).committedOffset()).as("m0's ack was written with it").isEqualTo(1);
    }

    @Test
    void aBacklogOfMoreThanOneAppendsWorthIsWrittenWithoutWaitingForTheInterval() throws Exception {
        f.close();
        GroupsConfig d = GroupsConfig.DEFAULTS.withTickMs(5);
        f = new GroupFixture(dir.resolve("backlog"), new GroupsConfig(d.maxGroups(), d.maxMembersPerGroup(),
                d.maxPendingMessages(), d.maxPendingBytes(), d.readBatchMessages(), d.readBatchBytes(),
                d.maxNackDelayMs(), d.tickMs(), 16, d.stateSegmentBytes()));
        orders = f.topic("orders", 1);
        publish(20);
        RecordingSink a = new RecordingSink();
        GroupMember m = join("a", 20, a);
        for (GroupDelivery delivery : a.next(20)) {
            m.nack(delivery.deliveryId(), 60_000).join(); // a record each; the manual clock stands still
        }
        // 20 records buffered, 16 per append: the first 16 go at once.
        await().atMost(Duration.ofSeconds(10)).until(() -> f.stateLogFilesContain("orders", "workers", "m/0/15"));
    }

    @Test
    void restartResumesCommittedOffsetsInFlightDeliveriesAttemptsAndRetrySchedule() {
        publish(6);
        RecordingSink a = new RecordingSink();
        GroupMember m = join("a", 2, a);
        GroupDelivery d0 = a.next();
        GroupDelivery d1 = a.next();
        m.ack(d0.deliveryId()).join();
        GroupDelivery d2 = a.next();
        m.ack(d1.deliveryId()).join();
        GroupDelivery d3 = a.next();
        m.nack(d2.deliveryId(), 10_000).join();
        GroupDelivery d4 = a.next();
        assertThat(List.of(d2, d3, d4)).extracting(GroupFixture::text).containsExactly("m2", "m3", "m4");

        f.restart();
        assertThat(describe().partitions().get(0).committedOffset()).isEqualTo(2);
        assertThat(describe().waitingRetry()).isEqualTo(1);

        RecordingSink b = new RecordingSink();
        GroupMember mb = join("b", 10, b);
        List<GroupDelivery> again = b.next(3);
        assertThat(again).extracting(GroupFixture::text).containsExactly("m3", "m4", "m5");
        assertThat(again).extracting(GroupDelivery::attempt).containsExactly(2, 2, 1);
        b.assertNothingWithin(f.groups, "orders", "workers");
        assertThat(f.counter("ratatoskr.group.messages.redelivered", "reason", "restart")).isEqualTo(2);

        f.clock.advanceMs(10_000);
        GroupDelivery retried = b.next();
        assertThat(text(retried)).isEqualTo("m2");
        assertThat(retried.attempt()).isEqualTo(2);
        for (GroupDelivery d : List.of(again.get(0), again.get(1), again.get(2), retried)) {
            mb.ack(d.deliveryId()).join();
        }
        assertThat(describe().partitions().get(0).committedOffset()).isEqualTo(6);

        f.restart();
        RecordingSink c = new RecordingSink();
        join("c", 10, c);
        c.assertNothingWithin(f.groups, "orders", "workers");
    }

    @Test
    void aNewGroupStartsWhereItsFirstMemberAsks() {
        publish(3);
        RecordingSink sink = new RecordingSink();
        f.groups.join("orders", "late", MemberOptions.named("a").withStart(StartPosition.LATEST), sink);
        sink.assertNothingWithin(f.groups, "orders", "late");
        orders.publish(f.message("fresh"), null);
        assertThat(text(sink.next())).isEqualTo("fresh");

        RecordingSink other = new RecordingSink();
        f.groups.join("orders", "mid", MemberOptions.named("a").withStart(new StartPosition.AtOffset(2)), other);
        assertThat(other.next(2)).extracting(GroupFixture::text).containsExactly("m2", "fresh");
    }

    @Test
    void seekReplaysFromAnOffsetForAnExistingGroup() {
        publish(3);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        for (GroupDelivery d : sink.next(3)) {
            m.ack(d.deliveryId()).join();
        }
        f.groups.seek("orders", "workers", StartPosition.EARLIEST).join();
        assertThat(sink.next(3)).extracting(GroupFixture::text).containsExactly("m0", "m1", "m2");
    }

    @Test
    void expiredMessagesAreSkipped() {
        orders.publish(f.message("orders/x", "short-lived", 5, List.of()), null);
        orders.publish(f.message("orders/x", "durable", -1, List.of()), null);
        f.clock.advanceMs(5_000);
        RecordingSink sink = new RecordingSink();
        join("a", 10, sink);
        assertThat(text(sink.next())).isEqualTo("durable");
        sink.assertNothingWithin(f.groups, "orders", "workers");
        assertThat(f.counter("ratatoskr.group.messages.expired", "group", "workers")).isEqualTo(1);
    }

    @Test
    void deletingTheTopicEndsTheGroupAndTellsItsMembers() {
        publish(1);
        RecordingSink sink = new RecordingSink();
        GroupMember m = join("a", 10, sink);
        sink.next();
        f.topics.delete("orders");
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.endedReason != null);
        assertThat(sink.endedReason).contains("deleted");
        assertThat(sink.endedCode).isEqualTo(ErrorCode.TOPIC_NOT_FOUND);
        assertThatThrownBy(() -> m.ack(1).join()).isInstanceOf(CompletionException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(f.groupsDir.resolve("orders/workers")));
    }

    @Test
    void joinRefusesBadNamesUnknownTopicsAndTooManyMembers() throws InterruptedException {
        assertThatThrownBy(() -> f.groups.join("orders", "bad/name", MemberOptions.named("a"), new RecordingSink()))
                .isInstanceOfSatisfying(RatatoskrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_GROUP_NAME));
        assertThatThrownBy(() -> f.groups.join("..", "g", MemberOptions.named("a"), new RecordingSink()))
                .isInstanceOfSatisfying(RatatoskrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOPIC_NAME));
        assertThatThrownBy(() -> f.groups.join("nope", "g", MemberOptions.named("a"), new RecordingSink()))
                .isInstanceOfSatisfying(RatatoskrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND));
        f.close();
        f = new GroupFixture(dir.resolve("small"), GroupsConfig.DEFAULTS.withTickMs(5).withMaxMembersPerGroup(1));
        f.topic("orders", 1);
        join("a", 1, new RecordingSink());
        assertThatThrownBy(() -> join("b", 1, new RecordingSink()))
                .isInstanceOfSatisfying(RatatoskrException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.GROUP_LIMIT_REACHED));
        assertThat(f.counter("ratatoskr.group.joins.refused")).isEqualTo(1);
    }

    @Test
    void configurationAndGroupsSurviveARestart() {
        configure(GroupConfig.DEFAULTS.withMaxAttempts(7).withDeadLetterTopic("failed-orders"));
        f.restart();
        assertThat(f.groups.list()).containsExactly(new GroupId("orders", "workers"));
        GroupInfo info = describe();
        assertThat(info.config().maxAttempts()).isEqualTo(7);
        assertThat(info.config().deadLetterTopic()).isEqualTo("failed-orders");
        assertThat(f.groups.delete("orders", "workers").join()).isTrue();
        assertThat(f.groups.list()).isEmpty();
    }

    @Test
    void aGroupWhoseTopicVanishedWhileTheBrokerWasDownIsKeptUntilDeleted() {
        configure(GroupConfig.DEFAULTS.withMaxAttempts(5));
        f.groups.close();
        f.topics.delete("orders");
        f.restart();
        assertThat(f.groups.list()).containsExactly(new GroupId("orders", "workers"));
        assertThat(f.groups.delete("orders", "workers").join()).isTrue();
        assertThat(f.groups.list()).isEmpty();
        assertThat(f.groupsDir.resolve("orders")).doesNotExist();
    }

    private static Map<String, String> headers(DurableMessage m) {
        Map<String, String> h = new HashMap<>();
        for (Header header : m.message().properties().userProperties()) {
            h.put(header.name(), header.value());
        }
        return h;
    }
}
