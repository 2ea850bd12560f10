package io.ratatoskr.mqtt.server;

import io.netty.util.concurrent.EventExecutor;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.session.Session;

import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Holds one publishing connection back while sessions its messages went to are congested
 * ({@link Session#isCongested}): the connection stops reading and decoding (TCP then slows the client;
 * an MQTT 5 client's Receive Maximum already bounds what it has in flight), and goes on only when every
 * one of those sessions has been {@link Session#isDecongested decongested} — caught up, left, ended, or
 * stalled past the slow-subscriber timeout. There is no cap on the pause for a subscriber that keeps
 * taking messages, however slowly: that is what keeps its QoS 1/2 messages from being dropped after
 * their PUBACK. A stalled one lets its publishers go ({@code reason=stalled}) and its overflow policy
 * applies.
 *
 * <p>A session wakes its waiting publishers first-in first-out through {@link Session#whenDecongested},
 * and each one woken goes on even if others refilled the session meanwhile: every held-back publisher
 * gets at least one more message through per round, so none starves behind faster neighbours (at most one
 * message per publisher past the mark, which the session's bounds allow for). A timer re-checks the
 * sessions when the earliest could stall, and at least every {@link #MAX_CHECK_MILLIS}, because a stalled
 * subscriber wakes nobody.
 *
 * <p>Threading: confined to the connection's event loop; sessions' callbacks hop onto it.
 */
final class PublisherPause {
    /** The longest between two checks of the sessions waited for: a missed wake-up costs at most this. */
    static final long MAX_CHECK_MILLIS = 1000;
    private static final long MIN_CHECK_MILLIS = 5;

    /** This connection's wake-up registered with one session; stale once that session is no longer waited for. */
    private final class Waiter implements Runnable {
        final Session target;

        Waiter(Session target) {
            this.target = target;
        }

        @Override
        public void run() {
            loop.execute(() -> woken(this));
        }
    }

    private final EventExecutor loop;
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final Runnable stop;
    private final Runnable resume;
    /** The congested sessions this connection waits for while paused, with their wake-ups; empty otherwise. */
    private final Map<Session, Waiter> targets = new IdentityHashMap<>(4);
    private boolean paused;
    private long pausedAtMillis;
    private boolean sawStall;
    /** A check is scheduled; it is not cancelled when the pause ends (pauses come and go fast under load). */
    private boolean checkPending;

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
    }

    boolean isPaused() {
        return paused;
    }

    /** A message of this connection went to {@code target}, which is congested: pause until it is not. */
    void congested(Session target) {
        if (targets.containsKey(target)) {
            return;
        }
        Waiter w = new Waiter(target);
        targets.put(target, w);
        target.whenDecongested(w);
        if (!paused) {
            paused = true;
            pausedAtMillis = clock.millis();
            sawStall = false;
            metrics.publisherPaused();
            stop.run();
            if (!checkPending) {
                schedule(target.millisUntilStalled());
            }
        }
    }

    /** The connection is closing: wait for nothing more (wake-ups still registered find nothing to do). */
    void close() {
        if (paused) {
            targets.clear();
            end("closed");
        }
    }

    private void woken(Waiter w) {
        if (paused && targets.get(w.target) == w) {
            sawStall |= w.target.isStalled();
            targets.remove(w.target);
            resumeIfNoneLeft();
        }
    }

    /** On the timer: drops the sessions that are decongested (a stalled one sends no wake-up). */
    private void check() {
        checkPending = false;
        if (!paused) {
            return;
        }
        long next = MAX_CHECK_MILLIS;
        for (Iterator<Session> it = targets.keySet().iterator(); it.hasNext(); ) {
            Session t = it.next();
            if (t.isDecongested()) {
                sawStall |= t.isStalled();
                it.remove();
            } else {
                next = Math.min(next, t.millisUntilStalled());
            }
        }
        if (!resumeIfNoneLeft()) {
            schedule(next);
        }
    }

    private boolean resumeIfNoneLeft() {
        if (!targets.isEmpty()) {
            return false;
        }
        end(sawStall ? "stalled" : "decongested");
        resume.run();
        return true;
    }

    private void schedule(long delayMillis) {
        long delay = Math.max(MIN_CHECK_MILLIS, Math.min(MAX_CHECK_MILLIS, delayMillis));
        checkPending = true;
        loop.schedule(this::check, delay, TimeUnit.MILLISECONDS);
    }

    private void end(String reason) {
        paused = false; // a pending timer finds nothing to do, or the next pause (one timer at most)
        metrics.publisherReleased(reason, clock.millis() - pausedAtMillis);
    }
}
