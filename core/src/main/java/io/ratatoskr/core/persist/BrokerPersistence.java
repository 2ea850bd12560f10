package io.ratatoskr.core.persist;

import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.session.ThreadSessionLoop;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;

import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The broker's state on disk: retained messages in {@code <data>/retained} ({@link RetainedLog}) and
 * persistent sessions in {@code <data>/sessions} ({@link LogSessionJournal}). Opening loads both into
 * the broker — restored sessions live, disconnected, on a loop of their own until their clients
 * reconnect — and attaches them, so that every later change is written.
 *
 * <p>Thread-safety: {@link #open} and {@link #close} are called once each by the wiring: open before
 * any listener starts, close after every listener has stopped.
 */
public final class BrokerPersistence implements AutoCloseable {
    private final RetainedLog retained;
    private final LogSessionJournal sessions;
    private final ThreadSessionLoop restoredLoop;

    private BrokerPersistence(RetainedLog retained, LogSessionJournal sessions, ThreadSessionLoop restoredLoop) {
        this.retained = retained;
        this.sessions = sessions;
        this.restoredLoop = restoredLoop;
    }

    /**
     * Opens (recovering after a crash) the state logs under {@code dataDir} and loads them into
     * {@code broker}.
     *
     * @param maxMessageBytes the largest message a client may publish (the state logs' batches hold one)
     * @param scheduler       runs the logs' background compaction
     */
    public static BrokerPersistence open(Path dataDir, PersistenceConfig config, int maxMessageBytes, Broker broker,
                                         ScheduledExecutorService scheduler) {
        LogConfig logConfig = StateLogs.logConfig(config, maxMessageBytes);
        LogEnvironment env = LogEnvironment.system().withClock(broker.clock()).withScheduler(scheduler);
        RetainedLog retained = RetainedLog.open(dataDir.resolve("retained"), logConfig, env, broker.retained());
        if (!config.sessions()) {
            return new BrokerPersistence(retained, null, null);
        }
        LogSessionJournal sessions;
        try {
            sessions = LogSessionJournal.open(dataDir.resolve("sessions"), logConfig, env);
        } catch (RuntimeException e) {
            retained.close();
            throw e;
        }
        ThreadSessionLoop loop = new ThreadSessionLoop("ratatoskr-restored-sessions");
        broker.persistSessions(sessions);
        broker.restore(sessions.restored(), loop);
        return new BrokerPersistence(retained, sessions, loop);
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
            retained.close();
        }
    }
}
