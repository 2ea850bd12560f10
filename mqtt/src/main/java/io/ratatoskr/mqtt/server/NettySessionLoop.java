package io.ratatoskr.mqtt.server;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.ratatoskr.core.session.LoopHandOffs;
import io.ratatoskr.core.session.SessionLoop;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A Netty event loop seen as a {@link SessionLoop}, so that a session runs on its connection's
 * thread. One instance per event loop (see {@link SessionLoops}): sessions compare loops by identity.
 * Thread-safe.
 */
final class NettySessionLoop implements SessionLoop {
    private final EventLoop eventLoop;

    NettySessionLoop(EventLoop eventLoop) {
        this.eventLoop = eventLoop;
        // The loop's own thread gathers its hand-offs to other loops per read burst (LoopHandOffs).
        if (eventLoop.inEventLoop()) {
            LoopHandOffs.bind(this);
        } else {
            try {
                eventLoop.execute(() -> LoopHandOffs.bind(this));
            } catch (RejectedExecutionException e) {
                // Shutting down: nothing will run there to gather.
            }
        }
    }

    @Override
    public boolean inLoop() {
        return eventLoop.inEventLoop();
    }

    @Override
    public void execute(Runnable task) {
        eventLoop.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        ScheduledFuture<?> f = eventLoop.schedule(task, delay, unit);
        return () -> f.cancel(false);
    }

    @Override
    public String toString() {
        return "NettySessionLoop[" + eventLoop + "]";
    }
}
