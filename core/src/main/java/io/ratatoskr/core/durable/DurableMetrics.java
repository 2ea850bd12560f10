package io.ratatoskr.core.durable;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.error.ErrorCode;
import java.util.EnumMap;
import java.util.Map;

/**
 * The durable-topic counters, registered once so the publish path only bumps them. Tags come from
 * fixed sets (error codes), never from topic names or client input.
 *
 * <p>Thread-safety: thread-safe (Micrometer counters are).
 */
final class DurableMetrics {
    private final Counter appended;
    private final Counter duplicates;
    private final Counter dedupeEvictions;
    private final Map<ErrorCode, Counter> refused = new EnumMap<>(ErrorCode.class);

    DurableMetrics(MeterRegistry registry) {
        appended = Counter.builder("ratatoskr.durable.messages.appended")
                .description("Messages stored in durable topics (one per topic that captured it)")
                .register(registry);
        duplicates = Counter.builder("ratatoskr.durable.messages.duplicates")
                .description("Publishes acknowledged as repeats of an idempotency key and not stored again")
                .register(registry);
        dedupeEvictions = Counter.builder("ratatoskr.durable.dedupe.evictions")
                .description("Idempotency keys forgotten before their window ended, to stay within dedupeMaxKeys")
                .register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            refused.put(code, Counter.builder("ratatoskr.durable.messages.refused")
                    .description("Messages a durable topic refused, by reason")
                    .tag("reason", code.code()).register(registry));
        }
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
        refused.get(code).increment();
    }
}
