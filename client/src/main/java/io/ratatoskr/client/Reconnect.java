package io.ratatoskr.client;

import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what happens when a subscription's or consumer's stream fails: on a connection loss
 * ({@code UNAVAILABLE}, e.g. a broker restart) it reopens the stream after an exponential backoff
 * with jitter; on anything else (the broker refused the stream: {@code NOT_FOUND},
 * {@code INVALID_ARGUMENT}, ...) it gives up, tells the error listener and stops the stream.
 *
 * <p>The delay before attempt {@code n} (from 0) is {@code d = min(max, initial * 2^n)}, drawn
 * uniformly from {@code [d/2, d]} ("equal jitter", so reconnecting clients spread out). A stream that
 * opens again resets {@code n}.
 *
 * <p>Thread-safety: thread-safe; guarded by its monitor.
 */
final class Reconnect {
    private static final Logger log = LoggerFactory.getLogger(Reconnect.class);

    private final String source;
    private final RatatoskrClient client;
    private final Runnable reopen;
    private final Consumer<RatatoskrClientException> giveUp;
    private int attempt;
    private ScheduledFuture<?> pending;
    private boolean closed;

    /**
     * @param source what the stream is, for logs and the error listener
     * @param reopen opens the stream again (runs on the client's scheduler thread)
     * @param giveUp stops the stream after a failure that is not retried
     */
    Reconnect(String source, RatatoskrClient client, Runnable reopen, Consumer<RatatoskrClientException> giveUp) {
        this.source = source;
        this.client = client;
        this.reopen = reopen;
        this.giveUp = giveUp;
    }

    /** The stream is open (the broker answered its first request): the next failure starts a fresh backoff. */
    synchronized void connected() {
        attempt = 0;
    }

    /** The stream failed with {@code failure}: schedule a reopen, or give up. */
    void failed(Throwable failure) {
        RatatoskrClientException error = RatatoskrClientException.from(failure);
        synchronized (this) {
            if (closed) {
                return;
            }
            if (retryable(error.status())) {
                long delayMs = delayMs(attempt, client.reconnectInitial(), client.reconnectMax(),
                        client.nextJitter());
                attempt++;
                log.info("{}: stream lost ({}: {}); reopening in {} ms (attempt {})", source, error.code(),
                        error.getMessage(), delayMs, attempt);
                try {
                    pending = client.scheduler().schedule(this::reopenNow, delayMs, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    closed = true; // the client is closing
                }
                return;
            }
            closed = true;
        }
        log.warn("{}: stream refused by the broker ({}: {}); not retrying", source, error.code(), error.getMessage());
        giveUp.accept(error);
        client.reportError(source, error);
    }

    /** No more reopening. */
    synchronized void close() {
        closed = true;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private void reopenNow() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        client.channel().resetConnectBackoff();
        reopen.run();
    }

    /** Whether a stream that failed with {@code status} is reopened. */
    static boolean retryable(Status.Code status) {
        return status == Status.Code.UNAVAILABLE || status == Status.Code.ABORTED;
    }

    /**
     * The delay before reopening attempt {@code attempt} (from 0), given a uniform {@code jitter} in [0, 1).
     */
    static long delayMs(int attempt, Duration initial, Duration max, double jitter) {
        long ceiling = max.toMillis();
        long d = initial.toMillis() << Math.min(attempt, 30);
        if (d <= 0 || d > ceiling) {
            d = ceiling;
        }
        return d / 2 + (long) (jitter * (d - d / 2));
    }
}
