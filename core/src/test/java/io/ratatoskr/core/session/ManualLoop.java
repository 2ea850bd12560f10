package io.ratatoskr.core.session;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic {@link SessionLoop} for tests: tasks run only when the test calls
 * {@link #runAll}, timers fire only when the shared {@link ManualClock} advances. Several loops can
 * share one clock to model several threads; {@link #inLoop} is true only while this loop runs.
 */
final class ManualLoop implements SessionLoop {
    private static ManualLoop current;

    private final String name;
    private final ManualClock clock;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    ManualLoop(String name, ManualClock clock) {
        this.name = name;
        this.clock = clock;
        clock.loops.add(this);
    }

    @Override
    public boolean inLoop() {
        return current == this;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        ManualClock.Timer t = new ManualClock.Timer(clock.millis() + unit.toMillis(delay), clock.sequence++, this, task);
        clock.timers.add(t);
        return () -> t.cancelled = true;
    }

    /** Runs tasks of every loop on the clock until all are idle. */
    void runAll() {
        clock.runAllLoops();
    }

    boolean runOnce() {
        boolean ran = false;
        ManualLoop previous = current;
        current = this;
        try {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                ran = true;
            }
        } finally {
            current = previous;
        }
        return ran;
    }

    @Override
    public String toString() {
        return "ManualLoop[" + name + "]";
    }

    /** Test time shared by loops; advancing it fires due timers on their loops. */
    static final class ManualClock extends Clock {
        private long millis = 1_000_000;
        private long sequence;
        private final List<ManualLoop> loops = new ArrayList<>();
        private final PriorityQueue<Timer> timers = new PriorityQueue<>(
                Comparator.comparingLong((Timer t) -> t.due).thenComparingLong(t -> t.seq));

        private static final class Timer {
            final long due;
            final long seq;
            final ManualLoop loop;
            final Runnable task;
            boolean cancelled;

            Timer(long due, long seq, ManualLoop loop, Runnable task) {
                this.due = due;
                this.seq = seq;
                this.loop = loop;
                this.task = task;
            }
        }

        void runAllLoops() {
            boolean ran = true;
            while (ran) {
                ran = false;
                for (ManualLoop l : List.copyOf(loops)) {
                    ran |= l.runOnce();
                }
            }
        }

        void advance(long ms) {
            long target = millis + ms;
            runAllLoops();
            while (!timers.isEmpty() && timers.peek().due <= target) {
                Timer t = timers.poll();
                millis = Math.max(millis, t.due);
                if (!t.cancelled) {
                    t.loop.execute(t.task);
                }
                runAllLoops();
            }
            millis = target;
            runAllLoops();
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
