package io.ratatoskr.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a node can do its work now, check by check: what {@code GET /ready} answers (200 when
 * ready, 503 otherwise). Liveness is {@code GET /health}; a node that is alive but not ready (a
 * partition refusing writes after a full disk, still starting, stopping) should get no new traffic.
 *
 * <p>Checks, in this order:
 * <ul>
 *   <li>{@code mqtt}: the MQTT listener is bound;</li>
 *   <li>{@code grpc}: the gRPC listener is bound (only when gRPC is configured);</li>
 *   <li>{@code storage}: the data directory was recovered and the node started, and is not stopping;</li>
 *   <li>{@code topics}: no durable-topic partition refuses writes after an I/O error;</li>
 *   <li>{@code state}: the state logs (retained messages, session journal) take writes.</li>
 * </ul>
 *
 * <p>Thread-safety: immutable.
 *
 * @param status READY or NOT_READY
 * @param checks each check by name, in the order above
 */
public record Readiness(String status, Map<String, Check> checks) {
    public static final String READY = "READY";
    public static final String NOT_READY = "NOT_READY";

    /**
     * One check's outcome.
     *
     * @param status UP or DOWN
     * @param reason why it is DOWN (names what fails, e.g. the partitions), null when UP
     */
    public record Check(String status, String reason) {
        public static final Check UP = new Check("UP", null);

        public static Check down(String reason) {
            return new Check("DOWN", reason);
        }

        public boolean up() {
            return reason == null;
        }
    }

    public Readiness {
        checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
    }

    /** READY when every check is up. */
    static Readiness of(Map<String, Check> checks) {
        boolean ready = checks.values().stream().allMatch(Check::up);
        return new Readiness(ready ? READY : NOT_READY, checks);
    }

    public boolean ready() {
        return status.equals(READY);
    }
}
