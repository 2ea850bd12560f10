package io.ratatoskr.bench.conn;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What became of the connections of a run: connected (CONNACK 0), refused (another CONNACK code), failed
 * (no CONNACK: a connect error or a close), and lost (closed after connecting). It also bounds the connection
 * attempts in flight: {@link #startAttempt} takes a permit that the attempt's outcome gives back.
 *
 * <p>Thread-safe: atomics and a concurrent map, updated from the client's event loops.
 */
final class Tally {
    private final Semaphore inFlight;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private final ConcurrentHashMap<Integer, AtomicInteger> refusalCodes = new ConcurrentHashMap<>();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();

    Tally(int maxInFlight) {
        this.inFlight = new Semaphore(maxInFlight);
    }

    void startAttempt() throws InterruptedException {
        inFlight.acquire();
    }

    void connected() {
        connected.incrementAndGet();
        inFlight.release();
    }

    void refused(int code) {
        refused.incrementAndGet();
        refusalCodes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
        inFlight.release();
    }

    void failed(String why) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, why);
        inFlight.release();
    }

    void lost() {
        lost.incrementAndGet();
    }

    int connectedCount() {
        return connected.get();
    }

    int refusedCount() {
        return refused.get();
    }

    int failedCount() {
        return failed.get();
    }

    int lostCount() {
        return lost.get();
    }

    /** Connections whose attempt has an outcome. */
    int settled() {
        return connected.get() + refused.get() + failed.get();
    }

    String firstFailure() {
        return firstFailure.get();
    }

    String refusalCodes() {
        StringBuilder sb = new StringBuilder();
        refusalCodes.forEach((code, n) -> sb.append(sb.isEmpty() ? "" : ", ").append("0x")
                .append(Integer.toHexString(code)).append(": ").append(n.get()));
        return sb.toString();
    }
}
