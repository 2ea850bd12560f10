package io.ratatoskr.core.durable;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.error.ErrorCode;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The durable-topic counters, registered once so the publish path only bumps them. Tags come from
 * fixed sets (error codes), never from topic names or client input.
 *
 * <p>Thread-safety: thread-safe (Micrometer counters are).
 */
final class DurableMetrics {
    /** The refusals a durable append can meet, registered up front so that dashboards see zeros. */
    private static final Set<ErrorCode> APPEND_REFUSALS = EnumSet.of(ErrorCode.TOPIC_NOT_FOUND,
            ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.IDEMPOTENCY_KEY_TOO_LONG, ErrorCode.MESSAGE_KEY_REQUIRED,
            ErrorCode.PARTITION_OVERLOADED, ErrorCode.PARTITION_FAILED, ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL);

    private final MeterRegistry registry;
    private final Counter appended;
    private final Counter duplicates;
    private final Counter dedupeEvictions;
    private final Map<ErrorCode, Counter> refused = new EnumMap<>(ErrorCode.class);
    private final Map<ErrorCode, Counter> otherRefused = new ConcurrentHashMap<>();

    DurableMetrics(MeterRegistry registry) {
        this.registry = registry;
        appended = Counter.builder("ratatoskr.durable.messages.appended")
                .description("Messages stored in durable topics (one per topic that captured it)")
                .register(registry);
        duplicates = Counter.builder("ratatoskr.durable.messages.duplicates")
                .description("Publishes acknowledged as repeats of an idempotency key and not stored again")
                .register(registry);
        dedupeEvictions = Counter.builder("ratatoskr.durable.dedupe.evictions")
                .description("Idempotency keys forgotten before their window ended, to stay within dedupeMaxKeys")
                .register(registry);
        for (ErrorCode code : APPEND_REFUSALS) {
            refused.put(code, refusedCounter(code));
        }
    }

    private Counter refusedCounter(ErrorCode code) {
        return Counter.builder("ratatoskr.durable.messages.refused")
                .description("Messages a durable topic refused, by reason")
                .tag("reason", code.code()).register(registry);
    }

    void appended() {
        appended.increment();
    }

    void duplicate() {
        duplicates.increment();
    }

    void dedupeEviction() {
        dedupeEvictions.increment();
    }

    void refused(ErrorCode code) {
        Counter c = refused.get(code);
        (c != null ? c : otherRefused.computeIfAbsent(code, this::refusedCounter)).increment();
    }
}
