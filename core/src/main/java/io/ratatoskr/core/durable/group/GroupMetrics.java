package io.ratatoskr.core.durable.group;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The meters of one consumer group, tagged with its topic and group (both validated names, and at
 * most {@link GroupsConfig#maxGroups()} groups, so the label sets stay bounded). Removed when the
 * group ends.
 *
 * <p>Prometheus names: {@code ratatoskr_group_messages_delivered_total}, {@code _acked_total},
 * {@code _nacked_total}, {@code _rejected_total}, {@code _redelivered_total{reason=nack|timeout|member_left}},
 * {@code _dead_lettered_total}, {@code _expired_total}; gauges {@code ratatoskr_group_inflight_messages},
 * {@code ratatoskr_group_lag_messages}, {@code ratatoskr_group_members}; {@code
 * ratatoskr_group_state_write_failures_total}.
 *
 * <p>Thread-safety: thread-safe (Micrometer meters are).
 */
final class GroupMetrics {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    final Counter delivered;
    final Counter acked;
    final Counter nacked;
    final Counter rejected;
    final Counter deadLettered;
    final Counter expired;
    final Counter stateWriteFailures;
    private final Map<PendingMessage.Failure, Counter> redelivered = new EnumMap<>(PendingMessage.Failure.class);

    GroupMetrics(MeterRegistry registry, String topic, String group, Supplier<Number> inFlight, Supplier<Number> lag,
                 Supplier<Number> members) {
        this.registry = registry;
        Tags tags = Tags.of("topic", topic, "group", group);
        delivered = counter("ratatoskr.group.messages.delivered", "Deliveries to members, redeliveries included", tags);
        acked = counter("ratatoskr.group.messages.acked", "Messages acknowledged", tags);
        nacked = counter("ratatoskr.group.messages.nacked", "Negative acknowledgements", tags);
        rejected = counter("ratatoskr.group.messages.rejected", "Messages rejected to the dead-letter topic", tags);
        deadLettered = counter("ratatoskr.group.messages.dead.lettered",
                "Messages appended to the dead-letter topic (rejected or out of attempts)", tags);
        expired = counter("ratatoskr.group.messages.expired", "Messages skipped because their TTL or expiry passed",
                tags);
        stateWriteFailures = counter("ratatoskr.group.state.write.failures",
                "Failed appends to a group's state log (retried)", tags);
        redelivered.put(PendingMessage.Failure.NACK, redeliveredCounter("nack", tags));
        redelivered.put(PendingMessage.Failure.TIMEOUT, redeliveredCounter("timeout", tags));
        redelivered.put(PendingMessage.Failure.MEMBER_LEFT, redeliveredCounter("member_left", tags));
        redelivered.put(PendingMessage.Failure.RESTART, redeliveredCounter("restart", tags));
        gauge("ratatoskr.group.inflight", "Deliveries awaiting an answer", "messages", tags, inFlight);
        gauge("ratatoskr.group.lag", "Messages not yet done (end offset minus committed offset)", "messages", tags,
                lag);
        gauge("ratatoskr.group.members", "Members joined", null, tags, members);
    }

    void redelivered(PendingMessage.Failure why) {
        Counter c = redelivered.get(why);
        if (c != null) {
            c.increment();
        }
    }

    private Counter redeliveredCounter(String reason, Tags tags) {
        return counter("ratatoskr.group.messages.redelivered", "Messages sent back for redelivery, by reason",
                tags.and("reason", reason));
    }

    private Counter counter(String name, String description, Tags tags) {
        Counter c = Counter.builder(name).description(description).tags(tags).register(registry);
        meters.add(c);
        return c;
    }

    private void gauge(String name, String description, String unit, Tags tags, Supplier<Number> value) {
        Gauge.Builder<Supplier<Number>> b = Gauge.builder(name, value).description(description).tags(tags);
        if (unit != null) {
            b.baseUnit(unit);
        }
        meters.add(b.register(registry));
    }

    /** Removes this group's meters from the registry. */
    void remove() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
