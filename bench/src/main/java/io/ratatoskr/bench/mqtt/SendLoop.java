package io.ratatoskr.bench.mqtt;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * How a publisher whose client has no event loop of ours (a Kafka producer, a gRPC stub) keeps sending, in one of
 * two ways:
 *
 * <ul>
 *   <li><b>Closed loop</b> ({@link #start}): the first {@code window} sends go out at once; each answer sends the
 *       next ({@link #answered}), from whichever thread delivered the answer, so that at most {@code window} are
 *       outstanding. Each send is stamped with the time it went out.</li>
 *   <li><b>Fixed rate</b> ({@link #startPaced}): a thread of its own makes send {@code k} when it is due,
 *       {@code first + k * interval}, and hands it that due time to stamp, so that a broker that falls behind is
 *       charged for the wait in every latency measured from the stamp (no coordinated omission). At most
 *       {@link #PACED_OUTSTANDING_MAX} sends may be outstanding; beyond that the pacer waits (the due times keep
 *       counting).</li>
 * </ul>
 *
 * <p>Thread-safety: the timeline is guarded by this object's lock, which subclasses use for their counters too;
 * the stop flag and the outstanding count may be read from any thread.
 */
public abstract class SendLoop {
    /** The most sends a paced publisher keeps outstanding. */
    public static final int PACED_OUTSTANDING_MAX = 10_000;

    private final String name;
    private final int window;
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean paced;
    private volatile Thread pacer;
    /** Guarded by this. */
    protected Timeline timeline;

    /**
     * @param name   the pacer thread's name
     * @param window sends outstanding at most in a closed loop
     */
    protected SendLoop(String name, int window) {
        this.name = name;
        this.window = window;
    }

    /**
     * Makes one send, stamped {@code due} when paced, else with the time it goes out ({@code due} is then -1).
     * It calls {@link #sending} if it sends, and later {@link #answered} (or {@link #unsent} if the send failed at
     * once); it calls {@link #stop} once there is nothing more to send.
     */
    protected abstract void sendNext(long due);

    /** Closed loop: makes the first {@code window} sends; answers keep the window full. */
    public final void start(Timeline t) {
        synchronized (this) {
            this.timeline = t;
        }
        for (int i = 0; i < window; i++) {
            sendNext(-1);
        }
    }

    /** Fixed rate: a thread makes {@code sendsPerSecond} sends per second, the first at {@code firstNanos}. */
    public final void startPaced(Timeline t, double sendsPerSecond, long firstNanos) {
        synchronized (this) {
            this.timeline = t;
        }
        paced = true;
        double intervalNanos = 1e9 / sendsPerSecond;
        Thread thread = new Thread(() -> {
            for (long k = 0; !stopped; k++) {
                long due = firstNanos + (long) (k * intervalNanos);
                Timeline.sleepUntil(due);
                while (outstanding.get() >= PACED_OUTSTANDING_MAX && !stopped) {
                    LockSupport.parkNanos(100_000);
                }
                sendNext(due);
            }
        }, name);
        thread.setDaemon(true);
        pacer = thread;
        thread.start();
    }

    /** A send is going out. */
    protected final void sending() {
        outstanding.incrementAndGet();
    }

    /** A send failed before it went out. */
    protected final void unsent() {
        outstanding.decrementAndGet();
    }

    /** A send was answered; in a closed loop, unless {@code stop}, the next goes out. */
    protected final void answered(boolean stop) {
        outstanding.decrementAndGet();
        if (stop) {
            stopped = true;
        } else if (!paced) {
            sendNext(-1);
        }
    }

    /** Stops sending; what is outstanding is still answered. */
    protected final void stop() {
        stopped = true;
    }

    /** Whether it has stopped sending. Any thread. */
    public final boolean stopped() {
        return stopped;
    }

    /** Sends made and not yet answered. Any thread. */
    public final int outstanding() {
        return outstanding.get();
    }

    /** Stops sending and waits for the pacer, if any. */
    public final void stopAndJoin() throws InterruptedException {
        stopped = true;
        Thread t = pacer;
        if (t != null) {
            t.join(10_000);
        }
    }
}
