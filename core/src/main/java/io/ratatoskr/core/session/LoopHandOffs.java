package io.ratatoskr.core.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * The hand-offs a loop thread makes to other loops during its current work (one read burst of one or
 * more connections), gathered per target loop and handed over as one task per target when the loop has
 * finished that work: one wake-up of another loop per burst instead of one per session told.
 *
 * <p>What it keeps: a task handed to a target loop runs there after every task this thread handed to
 * that loop before it (the tasks of one target go over in the order gathered, as one task), so a
 * session's mailbox is drained in order exactly as with a direct {@link SessionLoop#execute}. Only the
 * moment of the hand-off moves: to the end of the current work of the calling loop, which runs the
 * gathered hand-offs as a task of its own (queued behind what that work queued on its own loop). A
 * hand-off to the calling thread's own loop is never gathered: queuing a task there wakes nothing.
 * At most one task per session is gathered at a time (a session schedules one drain until it runs), so
 * the memory held is bounded by the number of sessions.
 *
 * <p>A loop takes part once it has called {@link #bind} on its own thread; other threads (a log
 * completer, a group's executor, a test) hand over at once.
 *
 * <p>Thread-safety: each bound thread has its own instance ({@link ThreadLocal}), touched only by that
 * thread; the gathered tasks are handed to the targets through their thread-safe
 * {@link SessionLoop#execute}.
 */
public final class LoopHandOffs {
    private static final Logger log = LoggerFactory.getLogger(LoopHandOffs.class);
    private static final ThreadLocal<LoopHandOffs> CURRENT = new ThreadLocal<>();
    /** Target loops remembered between bursts at most (a node has a handful of event loops). */
    private static final int MAX_KEPT_TARGETS = 16;

    private final SessionLoop own;
    /** Targets in the order first touched in this burst; few (one per other loop). */
    private final List<SessionLoop> targets = new ArrayList<>(4);
    private final List<List<Runnable>> tasks = new ArrayList<>(4);
    private final Runnable handOverTask = this::handOver;
    private boolean scheduled;

    private LoopHandOffs(SessionLoop own) {
        this.own = own;
    }

    /**
     * On {@code loop}'s own thread: from now on, hand-offs made on this thread go over when the loop has
     * finished its current work. Binding again does nothing.
     */
    public static void bind(SessionLoop loop) {
        if (!loop.inLoop()) {
            throw new IllegalStateException("bind must run on the loop's own thread");
        }
        LoopHandOffs current = CURRENT.get();
        if (current == null || current.own != loop) {
            CURRENT.set(new LoopHandOffs(loop));
        }
    }

    /**
     * Any thread. Runs {@code task} on {@code target}: at the end of the calling loop's current work when
     * the caller is a bound loop other than {@code target}, at once otherwise.
     */
    public static void execute(SessionLoop target, Runnable task) {
        LoopHandOffs h = CURRENT.get();
        if (h == null || h.own == target) {
            target.execute(task);
            return;
        }
        h.gather(target, task);
    }

    private void gather(SessionLoop target, Runnable task) {
        int i = targets.indexOf(target);
        if (i < 0) {
            targets.add(target);
            tasks.add(new ArrayList<>(8));
            i = targets.size() - 1;
        }
        tasks.get(i).add(task);
        if (!scheduled) {
            scheduled = true;
            try {
                own.execute(handOverTask);
            } catch (RejectedExecutionException e) {
                handOver(); // this loop is shutting down: hand over now, from here
            }
        }
    }

    /** On the own loop: one task per target, each running that target's gathered tasks in order. */
    private void handOver() {
        scheduled = false;
        for (int i = 0; i < targets.size(); i++) {
            List<Runnable> gathered = tasks.get(i);
            if (gathered.isEmpty()) {
                continue;
            }
            SessionLoop target = targets.get(i);
            Runnable batch;
            if (gathered.size() == 1) {
                batch = gathered.getFirst();
                gathered.clear();
            } else {
                List<Runnable> copy = List.copyOf(gathered);
                gathered.clear();
                batch = () -> runAll(copy);
            }
            try {
                target.execute(batch);
            } catch (RejectedExecutionException e) {
                log.debug("loop {} refused a hand-off (shutting down)", target, e);
            }
        }
        if (targets.size() > MAX_KEPT_TARGETS) {
            targets.clear(); // loops come and go (tests, restarts): keep no stale ones
            tasks.clear();
        }
    }

    private static void runAll(List<Runnable> batch) {
        for (Runnable r : batch) {
            try {
                r.run();
            } catch (RuntimeException | AssertionError e) {
                log.error("a task handed over from another loop failed; the others go on", e);
            }
        }
    }
}
