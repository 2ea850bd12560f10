package io.ratatoskr.core.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SessionLoop} on a thread of its own: the home of sessions restored at start until their
 * clients reconnect (a session then moves to its connection's loop), with their expiry and will
 * timers.
 *
 * <p>Thread-safe. {@link #close} runs the tasks already submitted (and those they submit), drops
 * pending timers and waits for the thread to end.
 */
public final class ThreadSessionLoop implements SessionLoop, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ThreadSessionLoop.class);

    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    public ThreadSessionLoop(String name) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(() -> run(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (inLoop()) {
                // Closing: a task that the loop's last tasks hand to the loop runs now.
                run(task);
            } else {
                log.debug("restored-session loop closed; task dropped");
            }
        }
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            ScheduledFuture<?> f = executor.schedule(() -> run(task), delay, unit);
            return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("restored-session loop closed; timer dropped");
            return () -> { };
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | AssertionError e) {
            log.error("a task of the restored-session loop failed", e);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("the restored-session loop did not finish its tasks within 10 s");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
