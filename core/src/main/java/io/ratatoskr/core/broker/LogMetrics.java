package io.ratatoskr.core.broker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ratatoskr.log.LogListener;
import java.util.concurrent.TimeUnit;

/**
 * Times the appends and fsyncs of the logs of one storage area ({@code topics}, {@code groups},
 * {@code state}) as Prometheus histograms: {@code ratatoskr_log_append_latency_seconds{area}} and
 * {@code ratatoskr_log_fsync_latency_seconds{area}} (whose {@code _count} is the fsync count). The
 * {@code log} module reports through {@link LogListener} so that it needs no metrics library.
 *
 * <p>Thread-safety: thread-safe (Micrometer timers); shared by every log of the area.
 */
public final class LogMetrics implements LogListener {
    private final Timer append;
    private final Timer fsync;

    public LogMetrics(MeterRegistry registry, String area) {
        append = BrokerMetrics.latencyTimer("ratatoskr.log.append.latency",
                        "From an append's submission to its being durable (queue, group commit, write, fsync)")
                .tag("area", area).register(registry);
        fsync = BrokerMetrics.latencyTimer("ratatoskr.log.fsync.latency", "Duration of one fdatasync of a log segment")
                .tag("area", area).register(registry);
    }

    @Override
    public void appended(long nanos) {
        append.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void synced(long nanos) {
        fsync.record(nanos, TimeUnit.NANOSECONDS);
    }
}
