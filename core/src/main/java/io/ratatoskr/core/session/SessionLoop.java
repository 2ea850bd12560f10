package io.ratatoskr.core.session;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A single thread that owns sessions: everything a session does runs on its loop. The MQTT front
 * end adapts its network event loops to this interface, so a connected session runs on the same
 * thread as its connection and most deliveries need no thread hand-off.
 *
 * <p>Implementations are thread-safe: any thread may {@link #execute} or {@link #schedule}.
 */
public interface SessionLoop extends Executor {

    /** Whether the calling thread is this loop's thread. */
    boolean inLoop();

    /** Runs {@code task} on this loop after {@code delay}. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A scheduled task that may be cancelled. */
    interface Cancellable {
        void cancel();
    }
}
