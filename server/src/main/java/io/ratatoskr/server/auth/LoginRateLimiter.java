package io.ratatoskr.server.auth;

import io.ratatoskr.core.security.SourceAddresses;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed logins per source address: a token bucket of {@code maxFailuresPerMinute} tokens that
 * refills at that rate; each failure takes a token. When a failure leaves less than one token, the
 * address is refused without its credentials being checked for {@link #COOLDOWN_MS}, so a guesser
 * gets at most about {@code maxFailuresPerMinute} tries a minute and costs no hashing while refused.
 * At most {@link #MAX_TRACKED} addresses are tracked; the least recently seen is forgotten first.
 *
 * <p>Thread-safety: guarded by this object's monitor (short critical sections, no I/O).
 */
final class LoginRateLimiter {
    static final int MAX_TRACKED = 10_000;
    static final long COOLDOWN_MS = 60_000;

    private static final class Bucket {
        double tokens;
        long updatedMs;
        long blockedUntilMs;
    }

    private final int maxFailuresPerMinute;
    private final Clock clock;
    private final Map<Object, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Bucket> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    LoginRateLimiter(int maxFailuresPerMinute, Clock clock) {
        this.maxFailuresPerMinute = maxFailuresPerMinute;
        this.clock = clock;
    }

    /** Whether logins from {@code remote} are refused now, without being checked. */
    synchronized boolean limited(SocketAddress remote) {
        Bucket b = buckets.get(key(remote));
        return b != null && clock.millis() < b.blockedUntilMs;
    }

    /** Counts a failed login from {@code remote}. */
    synchronized void failed(SocketAddress remote) {
        long now = clock.millis();
        Bucket b = buckets.computeIfAbsent(key(remote), k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = maxFailuresPerMinute;
            fresh.updatedMs = now;
            return fresh;
        });
        b.tokens = Math.min(maxFailuresPerMinute, b.tokens + (now - b.updatedMs) * maxFailuresPerMinute / 60_000.0);
        b.updatedMs = now;
        b.tokens -= 1;
        if (b.tokens < 1) {
            b.blockedUntilMs = now + COOLDOWN_MS;
            b.tokens = 0;
        }
    }

    synchronized int tracked() {
        return buckets.size();
    }

    /** The source, without the port; an IPv6 address by its /64 ({@link SourceAddresses#key}). */
    static Object key(SocketAddress remote) {
        return SourceAddresses.key(remote);
    }
}
