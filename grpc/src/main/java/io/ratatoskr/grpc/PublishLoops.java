package io.ratatoskr.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.session.SessionLoop;
import io.ratatoskr.core.session.ThreadSessionLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Thread-safety: thread-safe; each loop ({@link ThreadSessionLoop}) runs its tasks on its own thread, in the
 * order submitted.
 */
final class PublishLoops implements ServerCallExecutorSupplier, AutoCloseable {
    private static final String PUBLISH = RatatoskrGrpc.getPublishMethod().getFullMethodName();

    /**
     * The server's executor: it runs only grpc-java's method lookup, which then hands the call to the
     * executor {@link #getExecutor} picks (grpc-java moves a call's later events there). Not
     * {@code directExecutor()}: grpc-java cannot switch a call away from that one.
     */
    static final Executor LOOKUP = Runnable::run;

    private final ThreadSessionLoop[] loops;
    private final Executor pool;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param threads how many loops
     * @param pool    where every other method's calls run
     */
    PublishLoops(int threads, Executor pool) {
        this.pool = pool;
        loops = new ThreadSessionLoop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new ThreadSessionLoop("grpc-publish-" + (i + 1));
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
        for (ThreadSessionLoop l : loops) {
            if (l.inLoop()) {
                return l;
            }
        }
        return null;
    }

    /** Runs the tasks already submitted, then ends the threads (bounded wait; the server has stopped by then). */
    @Override
    public void close() {
        for (ThreadSessionLoop l : loops) {
            l.close();
        }
    }
}
