package io.ratatoskr.mqtt.server;

import io.netty.channel.EventLoop;

import java.util.concurrent.ConcurrentHashMap;

/** The one {@link NettySessionLoop} of each event loop. Thread-safe. */
final class SessionLoops {
    private final ConcurrentHashMap<EventLoop, NettySessionLoop> loops = new ConcurrentHashMap<>();

    NettySessionLoop of(EventLoop eventLoop) {
        NettySessionLoop loop = loops.get(eventLoop);
        return loop != null ? loop : loops.computeIfAbsent(eventLoop, NettySessionLoop::new);
    }
}
