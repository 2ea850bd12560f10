package io.ratatoskr.server;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits of admin API handlers (on the API's worker pool, never on an event loop) for an
 * answer computed elsewhere: a consumer group, a session's loop.
 *
 * <p>Thread-safety: stateless.
 */
final class Await {
    /** The longest a handler waits for one answer. */
    static final long WAIT_MS = 10_000;

    private Await() {}

    /**
     * The value of {@code f}, waiting at most {@link #WAIT_MS}; its failure as the catalogue error it
     * is; a timeout as UNAVAILABLE naming {@code who} did not answer.
     */
    static <T> T result(CompletableFuture<T> f, String who) {
        try {
            return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RatatoskrException r) {
                throw r;
            }
            throw new RatatoskrException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw ErrorCode.UNAVAILABLE.exception(who + " did not answer within " + WAIT_MS + " ms; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ErrorCode.UNAVAILABLE.exception("interrupted");
        }
    }
}
