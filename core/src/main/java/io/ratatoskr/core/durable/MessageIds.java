package io.ratatoskr.core.durable;

import java.time.Clock;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Makes time-ordered message identifiers: UUID version 7 (RFC 9562 §5.7) — 48 bits of Unix
 * milliseconds, then a 12-bit counter that keeps identifiers made in the same millisecond in
 * order, then random bits.
 *
 * <p>Thread-safety: thread-safe (synchronized; one call is a few nanoseconds).
 */
public final class MessageIds {
    private final Clock clock;
    private final RandomGenerator random;
    private long lastMillis = -1;
    private int counter;

    public MessageIds(Clock clock, RandomGenerator random) {
        this.clock = clock;
        this.random = random;
    }

    public synchronized UUID next() {
        long now = clock.millis();
        if (now > lastMillis) {
            lastMillis = now;
            counter = random.nextInt(1 << 10);
        } else if (++counter >= 1 << 12) {
            // 4096 identifiers in one millisecond: borrow the next millisecond to stay ordered.
            lastMillis++;
            counter = 0;
        }
        long msb = (lastMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | counter;
        long lsb = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /** The Unix milliseconds in a version 7 identifier. */
    public static long millisOf(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }
}
