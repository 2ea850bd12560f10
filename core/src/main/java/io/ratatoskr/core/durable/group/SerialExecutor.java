package io.ratatoskr.core.durable.group;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the thread a consumer group is
 * confined to. Between two tasks the pool thread may change, but tasks never overlap and each one
 * sees what the previous ones did (the queue hand-off and the running flag publish it).
 *
 * <p>After {@link #BATCH} tasks a drain yields the pool thread to other groups and continues in a
 * fresh pool task, so one busy group cannot starve the others.
 *
 * <p>Thread-safety: {@link #execute} may be called from any thread.
 */
final class SerialExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    private static final int BATCH = 256;

    private final Executor pool;
    private final String name;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private volatile Thread current;

    SerialExecutor(Executor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /** Whether the calling thread is running this executor's task now. */
    boolean inExecutor() {
        return current == Thread.currentThread();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(drain);
            } catch (RejectedExecutionException e) {
                // The pool is shutting down: the tasks left are dropped with it.
                scheduled.set(false);
                log.debug("{}: pool refused a drain ({} tasks left)", name, tasks.size());
            }
        }
    }

    private void drain() {
        current = Thread.currentThread();
        try {
            for (int n = 0; n < BATCH; n++) {
                Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                try {
                    task.run();
                } catch (RuntimeException | AssertionError e) {
                    log.error("{}: a task failed; the group goes on", name, e);
                }
            }
        } finally {
            current = null;
            scheduled.set(false);
        }
        if (!tasks.isEmpty()) {
            schedule();
        }
    }
}
