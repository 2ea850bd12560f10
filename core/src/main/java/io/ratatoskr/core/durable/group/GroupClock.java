package io.ratatoskr.core.durable.group;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When a consumer group wakes up: every {@code tickMs} (to notice a deleted topic, new partitions,
 * and timers that came due while the wall clock jumped), and at its next deadline when that comes
 * sooner. Both run their task on the group's executor, never on the scheduler's thread.
 *
 * <p>Thread-safety: confined to the group's thread.
 */
final class GroupClock {
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Executor group;
    private final long tickMs;
    private ScheduledFuture<?> tick;
    private ScheduledFuture<?> wakeup;
    private long wakeupAtMs = Long.MAX_VALUE;

    GroupClock(Clock clock, ScheduledExecutorService scheduler, Executor group, long tickMs) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.group = group;
        this.tickMs = tickMs;
    }

    long now() {
        return clock.millis();
    }

    /** Runs {@code onTick} every tick until {@link #stop}. */
    void startTicking(Runnable onTick) {
        tick = scheduler.scheduleWithFixedDelay(() -> group.execute(onTick), tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code onWakeup} at {@code dueMs} unless the tick or an earlier wake-up comes first.
     * {@code onWakeup} must call {@link #wokeUp} first.
     */
    void wakeAt(long dueMs, Runnable onWakeup) {
        long delay = dueMs - clock.millis();
        if (dueMs == Long.MAX_VALUE || delay >= tickMs || dueMs >= wakeupAtMs) {
            return;
        }
        if (wakeup != null) {
            wakeup.cancel(false);
        }
        wakeupAtMs = dueMs;
        wakeup = scheduler.schedule(() -> group.execute(onWakeup), Math.max(0, delay), TimeUnit.MILLISECONDS);
    }

    /** The armed wake-up ran. */
    void wokeUp() {
        wakeup = null;
        wakeupAtMs = Long.MAX_VALUE;
    }

    void stop() {
        if (tick != null) {
            tick.cancel(false);
        }
        if (wakeup != null) {
            wakeup.cancel(false);
            wakeup = null;
        }
    }
}
