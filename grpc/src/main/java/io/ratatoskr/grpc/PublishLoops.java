package io.ratatoskr.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.session.SessionLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where unary {@code Publish} calls run: a few single-thread loops, so that the durable messages of
 * the calls one loop takes in one go (the calls a transport read burst handed it) are appended
 * together — one log append per partition instead of one per call ({@link
 * io.ratatoskr.core.broker.AckBarrier#gatherOn}, as MQTT's publish bursts are).
 *
 * <p>What a caller is promised does not change: each call's answer waits for the append that holds
 * its own message, as durable as its topic's mode says; an append that fails fails exactly the calls
 * whose messages it held, each with its status. The gathered appends go when the loop has run the
 * tasks queued before the first of them (never waiting for more calls to arrive), so a lone caller
 * pays no delay.
 *
 * <p>Every other method runs on the server's call pool: they may wait on the disk or on a stream's
 * monitor, which would hold up the publishes queued behind them. Calls are spread over the loops in
 * turn. The server's own executor only looks the method up ({@link #LOOKUP}, on the transport thread),
 * so a call crosses to its loop or the pool once, as before.
 *
 * <p>Thread-safety: thread-safe; each loop runs its tasks on its own thread, in the order submitted.
 */
final class PublishLoops implements ServerCallExecutorSupplier, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PublishLoops.class);
    private static final String PUBLISH = RatatoskrGrpc.getPublishMethod().getFullMethodName();

    /**
     * The server's executor: it runs only grpc-java's method lookup, which then hands the call to the
     * executor {@link #getExecutor} picks (grpc-java moves a call's later events there). Not
     * {@code directExecutor()}: grpc-java cannot switch a call away from that one.
     */
    static final Executor LOOKUP = Runnable::run;

    private final Loop[] loops;
    private final Executor pool;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param threads how many loops
     * @param pool    where every other method's calls run
     */
    PublishLoops(int threads, Executor pool) {
        this.pool = pool;
        loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop("grpc-publish-" + (i + 1));
        }
    }

    @Override
    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata metadata) {
        if (!PUBLISH.equals(call.getMethodDescriptor().getFullMethodName())) {
            return pool;
        }
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** The loop the calling thread runs, or null when it is not one of these loops. */
    SessionLoop current() {
        for (Loop l : loops) {
            if (l.inLoop()) {
                return l;
            }
        }
        return null;
    }

    /** Runs the tasks already submitted, then ends the threads (bounded wait). */
    @Override
    public void close() {
        for (Loop l : loops) {
            l.executor.shutdown();
        }
        for (Loop l : loops) {
            try {
                if (!l.executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    l.executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                l.executor.shutdownNow();
            }
        }
    }

    /** One thread running tasks in order; a {@link SessionLoop} so that publishes can gather on it. */
    private static final class Loop implements SessionLoop {
        private final ScheduledThreadPoolExecutor executor;
        private volatile Thread thread;

        Loop(String name) {
            executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                thread = t;
                return t;
            });
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            executor.setRemoveOnCancelPolicy(true);
            executor.prestartCoreThread();
        }

        @Override
        public boolean inLoop() {
            return Thread.currentThread() == thread;
        }

        @Override
        public void execute(Runnable task) {
            // A refusal (closing) goes back to the caller: gRPC fails the call, a gathered burst is appended at once.
            executor.execute(() -> run(task));
        }

        @Override
        public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
            try {
                ScheduledFuture<?> f = executor.schedule(() -> run(task), delay, unit);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {
                return () -> { };
            }
        }

        private static void run(Runnable task) {
            try {
                task.run();
            } catch (RuntimeException | AssertionError e) {
                log.error("a task of a gRPC publish loop failed", e);
            }
        }
    }
}
