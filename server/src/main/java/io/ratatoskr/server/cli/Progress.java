package io.ratatoskr.server.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A once-a-second status line on stderr for long-running commands ({@code pub --count}, {@code sub},
 * {@code consume}): {@code \r}-rewritten, showing the counts and the rate over the last second and since
 * the start. Shown only when the process is attached to a terminal ({@link #attachedToTerminal()}) or
 * when asked for ({@code --progress}); never when piped, so scripts see clean output. {@link #close()} ends the line.
 *
 * <p>Thread-safety: the counters are atomic and may be bumped from any thread; the line is written by
 * one daemon thread and by {@link #close()}, serialized on the writer.
 */
final class Progress implements AutoCloseable {
    private final PrintWriter err;
    private final Clock clock;
    private final String verb;
    private final long startMs;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ScheduledExecutorService ticker;
    private long lastDone;
    private boolean closed;
    private long lastMs;

    private Progress(PrintWriter err, Clock clock, String verb, boolean shown) {
        this.err = err;
        this.clock = clock;
        this.verb = verb;
        this.startMs = clock.millis();
        this.lastMs = startMs;
        if (shown) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ratatoskr-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        } else {
            ticker = null;
        }
    }

    /**
     * A progress line counting messages {@code verb} ("sent", "received", ...), shown when
     * {@code forced}, or when the operation is {@code long} and the process is attached to a terminal.
     */
    static Progress start(PrintWriter err, Clock clock, String verb, boolean forced, boolean longRunning) {
        return new Progress(err, clock, verb, forced || (longRunning && attachedToTerminal()));
    }

    /**
     * Whether the process talks to a terminal. From JDK 22 {@code System.console()} is not null when the
     * streams are redirected, so {@code Console.isTerminal()} (JDK 22+) decides when it exists.
     */
    static boolean attachedToTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 21: a console exists only for a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** One more message done. */
    void done() {
        done.incrementAndGet();
    }

    /** One more message failed. */
    void failed() {
        failed.incrementAndGet();
    }

    long doneCount() {
        return done.get();
    }

    long failedCount() {
        return failed.get();
    }

    /** Milliseconds since the start. */
    long elapsedMs() {
        return clock.millis() - startMs;
    }

    /** Messages per second since the start. */
    double rate() {
        return perSecond(done.get(), elapsedMs());
    }

    boolean shown() {
        return ticker != null;
    }

    private void tick() {
        long now = clock.millis();
        long d = done.get();
        double recent;
        synchronized (this) {
            recent = perSecond(d - lastDone, now - lastMs);
            lastDone = d;
            lastMs = now;
        }
        String line = String.format(Locale.ROOT, "\r%,d %s, %,d failed  %,.0f msg/s (average %,.0f msg/s)  %s   ",
                d, verb, failed.get(), recent, perSecond(d, now - startMs), Quantities.formatDuration(
                        (now - startMs) / 1000 * 1000));
        synchronized (err) {
            err.print(line);
            err.flush();
        }
    }

    static double perSecond(long count, long ms) {
        return ms <= 0 ? 0 : count * 1000.0 / ms;
    }

    /** Stops the line and moves to a new one (if it was shown). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tick();
            synchronized (err) {
                err.println();
                err.flush();
            }
        }
    }
}
