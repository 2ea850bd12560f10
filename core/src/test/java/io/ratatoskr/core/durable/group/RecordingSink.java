package io.ratatoskr.core.durable.group;

import static org.awaitility.Awaitility.await;

import io.ratatoskr.core.error.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link GroupSink} that keeps what it receives, for tests.
 *
 * <p>Thread-safety: thread-safe.
 */
final class RecordingSink implements GroupSink {
    final LinkedBlockingQueue<GroupDelivery> deliveries = new LinkedBlockingQueue<>();
    final List<GroupDelivery> all = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile String endedReason;
    volatile ErrorCode endedCode;

    /** Deliveries handed over before each {@link #flush}, in order; an entry of 0 is a flush with nothing new. */
    final List<Integer> flushes = java.util.Collections.synchronizedList(new ArrayList<>());
    private int sinceFlush; // the group's thread

    @Override
    public void deliver(GroupDelivery delivery) {
        sinceFlush++;
        all.add(delivery);
        deliveries.add(delivery);
    }

    /** The deliveries a flush came after so far. */
    int flushedDeliveries() {
        synchronized (flushes) {
            return flushes.stream().mapToInt(Integer::intValue).sum();
        }
    }

    @Override
    public void flush() {
        flushes.add(sinceFlush);
        sinceFlush = 0;
    }

    @Override
    public void ended(ErrorCode code, String reason) {
        endedCode = code;
        endedReason = reason;
    }

    /** Waits for the next delivery (at most 10 s). */
    GroupDelivery next() {
        try {
            GroupDelivery d = deliveries.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            if (d == null) {
                throw new AssertionError("no delivery within 10 s");
            }
            return d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for {@code n} deliveries. */
    List<GroupDelivery> next(int n) {
        List<GroupDelivery> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    /** Asserts nothing more arrives while the group processes a round trip (a describe). */
    void assertNothingWithin(ConsumerGroups groups, String topic, String group) {
        groups.describe(topic, group).join();
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(deliveries::isEmpty);
    }
}
