package io.ratatoskr.mqtt.server;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.session.Session;

import java.time.Clock;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Holds one publishing connection back while sessions its messages went to are congested
 * ({@link Session#isCongested}): the connection stops reading and decoding (TCP then slows the client;
 * an MQTT 5 client's Receive Maximum already bounds what it has in flight), and goes on only when every
 * one of those sessions is {@link Session#isDecongested decongested} — caught up, left, ended, or
 * stalled past the slow-subscriber timeout. There is no cap on the pause for a subscriber that keeps
 * taking messages, however slowly: that is what keeps its QoS 1/2 messages from being dropped after
 * their PUBACK. A stalled one lets its publishers go ({@code reason=stalled}) and its overflow policy
 * applies.
 *
 * <p>Sessions wake the pause up through {@link Session#whenDecongested} (one callback per connection,
 * so re-arming is free); a timer re-checks the sessions when the earliest could stall, and at least every
 * {@link #MAX_CHECK_MILLIS}, so a stalled subscriber — which sends no wake-up — is noticed on time.
 *
 * <p>Threading: confined to the connection's event loop; sessions' callbacks hop onto it.
 */
final class PublisherPause {
    /** The longest between two checks of the sessions waited for: a missed wake-up costs at most this. */
    static final long MAX_CHECK_MILLIS = 1000;
    private static final long MIN_CHECK_MILLIS = 5;

    private final EventExecutor loop;
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final Runnable stop;
    private final Runnable resume;
    /** Given to sessions; one identity per connection. */
    private final Runnable wakeUp;
    /** The congested sessions this connection waits for while paused; empty otherwise. */
    private final Set<Session> targets = Collections.newSetFromMap(new IdentityHashMap<>(4));
    private boolean paused;
    private long pausedAtMillis;
    private boolean sawStall;
    private ScheduledFuture<?> timer;

    /**
     * @param stop   stops reading and decoding the connection
     * @param resume reads it again, unless something else still holds it
     */
    PublisherPause(EventExecutor loop, Clock clock, BrokerMetrics metrics, Runnable stop, Runnable resume) {
        this.loop = loop;
        this.clock = clock;
        this.metrics = metrics;
        this.stop = stop;
        this.resume = resume;
        this.wakeUp = () -> loop.execute(this::check);
    }

    boolean isPaused() {
        return paused;
    }

    /** A message of this connection went to {@code target}, which is congested: pause until it is not. */
    void congested(Session target) {
        if (!targets.add(target)) {
            return;
        }
        target.whenDecongested(wakeUp);
        if (!paused) {
            paused = true;
            pausedAtMillis = clock.millis();
            sawStall = false;
            metrics.publisherPaused();
            stop.run();
            schedule(target.millisUntilStalled());
        }
    }

    /** The connection is closing: forget the sessions waited for. */
    void close() {
        if (paused) {
            forgetAll();
            end("closed");
        }
    }

    private void check() {
        if (!paused) {
            return;
        }
        long next = MAX_CHECK_MILLIS;
        for (Iterator<Session> it = targets.iterator(); it.hasNext(); ) {
            Session t = it.next();
            if (t.isDecongested()) {
                sawStall |= t.isStalled();
                t.forgetWhenDecongested(wakeUp);
                it.remove();
            } else {
                t.whenDecongested(wakeUp); // re-armed: a callback runs once
                next = Math.min(next, t.millisUntilStalled());
            }
        }
        if (targets.isEmpty()) {
            end(sawStall ? "stalled" : "decongested");
            resume.run();
        } else {
            schedule(next);
        }
    }

    private void schedule(long delayMillis) {
        if (timer != null) {
            timer.cancel(false);
        }
        long delay = Math.max(MIN_CHECK_MILLIS, Math.min(MAX_CHECK_MILLIS, delayMillis));
        timer = loop.schedule(this::check, delay, TimeUnit.MILLISECONDS);
    }

    private void forgetAll() {
        for (Session t : targets) {
            t.forgetWhenDecongested(wakeUp);
        }
        targets.clear();
    }

    private void end(String reason) {
        paused = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        metrics.publisherReleased(reason, clock.millis() - pausedAtMillis);
    }
}
