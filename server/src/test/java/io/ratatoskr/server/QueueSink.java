package io.ratatoskr.server;

import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.durable.group.GroupSink;
import io.ratatoskr.core.error.ErrorCode;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A consumer-group member's sink for tests: keeps deliveries in a queue.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class QueueSink implements GroupSink {
    private final LinkedBlockingQueue<GroupDelivery> deliveries = new LinkedBlockingQueue<>();

    @Override
    public void deliver(GroupDelivery delivery) {
        deliveries.add(delivery);
    }

    @Override
    public void ended(ErrorCode code, String reason) {}

    /** The next delivery, waiting at most 10 s. */
    public GroupDelivery next() throws InterruptedException {
        GroupDelivery d = deliveries.poll(10, TimeUnit.SECONDS);
        if (d == null) {
            throw new AssertionError("no delivery within 10 s");
        }
        return d;
    }
}
