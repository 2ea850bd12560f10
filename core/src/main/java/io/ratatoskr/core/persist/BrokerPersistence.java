package io.ratatoskr.core.persist;

import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.broker.LogMetrics;
import io.ratatoskr.core.session.ThreadSessionLoop;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.LogStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The broker's state on disk: retained messages in {@code <data>/retained} ({@link RetainedLog}) and
 * persistent sessions in {@code <data>/sessions} ({@link LogSessionJournal}). Opening loads the
 * retained messages into the broker and attaches both logs, so that every later change is written;
 * {@link #restoreSessions} then brings the persistent sessions back — disconnected, on a loop of
 * their own until their clients reconnect — once everything a restored session's will may reach
 * (the broker's stores) is in place.
 *
 * <p>A state log that fails (an I/O error, a full disk) refuses the writes publishers wait for — they
 * are told, not acknowledged — and is retried every {@value #RECOVER_INTERVAL_SECONDS} s until it
 * opens again. Gauges: {@code ratatoskr_state_retained_bytes}, {@code ratatoskr_state_sessions_bytes}
 * (disk use) and {@code ratatoskr_state_failed} (logs that refuse writes).
 *
 * <p>Thread-safety: {@link #open}, {@link #restoreSessions} and {@link #close} are called once each
 * by the wiring: open and restore before any listener starts, close after every listener has stopped.
 */
public final class BrokerPersistence implements AutoCloseable {
    static final long RECOVER_INTERVAL_SECONDS = 10;
    private static final Logger log = LoggerFactory.getLogger(BrokerPersistence.class);

    private final Broker broker;
    private final RetainedLog retained;
    private final LogSessionJournal sessions;
    private final ThreadSessionLoop restoredLoop;
    private final ScheduledExecutorService maintenance;

    private BrokerPersistence(Broker broker, RetainedLog retained, LogSessionJournal sessions,
                              ThreadSessionLoop restoredLoop, BrokerMetrics metrics,
                              ScheduledExecutorService maintenance) {
        this.broker = broker;
        this.retained = retained;
        this.sessions = sessions;
        this.restoredLoop = restoredLoop;
        this.maintenance = maintenance;
        metrics.gauge("ratatoskr.state.retained.bytes", "Bytes on disk of the retained-message log",
                () -> retained.log().stats().sizeInBytes());
        if (sessions != null) {
            metrics.gauge("ratatoskr.state.sessions.bytes", "Bytes on disk of the session journal",
                    () -> sessions.log().stats().sizeInBytes());
        }
        metrics.gauge("ratatoskr.state.failed", "State logs (retained, sessions) that refuse writes after a failure",
                () -> failed(retained.log()) + (sessions == null ? 0 : failed(sessions.log())));
        maintenance.scheduleWithFixedDelay(this::recoverFailed, RECOVER_INTERVAL_SECONDS, RECOVER_INTERVAL_SECONDS,
                TimeUnit.SECONDS);
    }

    private static int failed(Log l) {
        return l.status().state() == LogStatus.State.FAILED ? 1 : 0;
    }

    private void recoverFailed() {
        for (Log l : sessions == null ? new Log[] {retained.log()} : new Log[] {retained.log(), sessions.log()}) {
            if (failed(l) == 1) {
                try {
                    if (l.recover()) {
                        log.warn("{}: recovered after a failure; taking writes again", l.dir());
                    }
                } catch (RuntimeException e) {
                    log.debug("{}: still failing: {}", l.dir(), e.toString());
                }
            }
        }
    }

    /**
     * Opens (recovering after a crash) the state logs under {@code dataDir}, loads the retained
     * messages into {@code broker} and makes it write persistent sessions to the journal.
     *
     * @param maxMessageBytes the largest message a client may publish (the state logs' batches hold one)
     */
    public static BrokerPersistence open(Path dataDir, PersistenceConfig config, int maxMessageBytes, Broker broker) {
        LogConfig logConfig = StateLogs.logConfig(config, maxMessageBytes);
        // Compaction, delayed file deletion and recovery run on a thread of their own, stopped after the logs close.
        ScheduledThreadPoolExecutor maintenance = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ratatoskr-state-maintenance");
            t.setDaemon(true);
            return t;
        });
        LogEnvironment env = LogEnvironment.system().withClock(broker.clock()).withScheduler(maintenance)
                .withListener(new LogMetrics(broker.metrics().registry(), "state"));
        RetainedLog retained = null;
        try {
            retained = RetainedLog.open(dataDir.resolve("retained"), logConfig, env, broker.retained());
            if (!config.sessions()) {
                return new BrokerPersistence(broker, retained, null, null, broker.metrics(), maintenance);
            }
            LogSessionJournal sessions = LogSessionJournal.open(dataDir.resolve("sessions"), logConfig, env);
            ThreadSessionLoop loop = new ThreadSessionLoop("ratatoskr-restored-sessions");
            broker.persistSessions(sessions);
            return new BrokerPersistence(broker, retained, sessions, loop, broker.metrics(), maintenance);
        } catch (RuntimeException e) {
            if (retained != null) {
                retained.close();
            }
            maintenance.shutdownNow();
            throw e;
        }
    }

    /**
     * Recreates the persistent sessions the journal kept, with their subscriptions; their will and
     * expiry timers start at once. Call after the broker's stores are registered (a will published
     * now must reach them) and before any client connects.
     */
    public void restoreSessions() {
        if (sessions != null) {
            broker.restore(sessions.restored(), restoredLoop);
        }
    }

    /** The retained-message log. */
    public RetainedLog retained() {
        return retained;
    }

    /** The session journal, or null when sessions are not persisted. */
    public LogSessionJournal sessions() {
        return sessions;
    }

    /** Runs what restored sessions still had to do, then closes the logs cleanly (flushed). */
    @Override
    public void close() {
        try {
            if (restoredLoop != null) {
                restoredLoop.close();
            }
            if (sessions != null) {
                sessions.close();
            }
        } finally {
            try {
                retained.close();
            } finally {
                maintenance.shutdownNow();
            }
        }
    }
}
