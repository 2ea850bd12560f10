package io.ratatoskr.log;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * What a log takes from the process around it: time, background scheduling, threads and file
 * access. Tests pass a manual clock, no scheduler (and run maintenance passes themselves through
 * {@link Log#enforceRetention()} and {@link Log#compact()}) and a fault-injecting channel factory.
 *
 * <p>Thread-safety: immutable; the objects it holds must be thread-safe.
 *
 * @param clock source of wall-clock time for timestamps, retention, TTL and compaction lag
 * @param scheduler runs retention and cleaner passes and delayed file deletion; null: none (the
 *     owner calls the passes itself, and deleted files are closed at once)
 * @param writerThreads makes the log's writer thread
 * @param channels opens files
 * @param listener told how long appends and fsyncs take
 */
public record LogEnvironment(
        Clock clock,
        ScheduledExecutorService scheduler,
        ThreadFactory writerThreads,
        ChannelFactory channels,
        LogListener listener) {

    public LogEnvironment {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(writerThreads, "writerThreads");
        Objects.requireNonNull(channels, "channels");
    }

    /** The environment without a listener. */
    public LogEnvironment(Clock clock, ScheduledExecutorService scheduler, ThreadFactory writerThreads,
                          ChannelFactory channels) {
        this(clock, scheduler, writerThreads, channels, LogListener.NONE);
    }

    /** The system clock, no scheduler, platform daemon writer threads, plain files, no listener. */
    public static LogEnvironment system() {
        return new LogEnvironment(
                Clock.systemUTC(),
                null,
                r -> {
                    Thread t = new Thread(r);
                    t.setDaemon(true);
                    return t;
                },
                ChannelFactory.DEFAULT);
    }

    public LogEnvironment withClock(Clock clock) {
        return new LogEnvironment(clock, scheduler, writerThreads, channels, listener);
    }

    public LogEnvironment withScheduler(ScheduledExecutorService scheduler) {
        return new LogEnvironment(clock, scheduler, writerThreads, channels, listener);
    }

    public LogEnvironment withChannels(ChannelFactory channels) {
        return new LogEnvironment(clock, scheduler, writerThreads, channels, listener);
    }

    public LogEnvironment withListener(LogListener listener) {
        return new LogEnvironment(clock, scheduler, writerThreads, channels, listener);
    }
}
