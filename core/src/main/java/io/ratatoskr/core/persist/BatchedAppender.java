package io.ratatoskr.core.persist;

import io.ratatoskr.core.session.SessionLoop;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.Record;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Appends records to a {@link Log} in per-thread batches: a record added on a session loop waits
 * until the loop has run what it was doing (one flush task per batch), so the writes of a read burst
 * or a mailbox drain become one append. Everything a thread adds reaches the log in the order added:
 * {@link #now} and {@link #flush} send the thread's batch first.
 *
 * <p>Thread-safety: thread-safe; each thread has its own batch, touched only by that thread (the
 * flush task runs on the loop that added the records, which is the adding thread).
 */
final class BatchedAppender {
    /** A batch this large goes at once rather than at the end of the loop's work. */
    private static final int FLUSH_BYTES = 256 * 1024;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Log log;
    private final Function<Throwable, RuntimeException> onFailure;
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);

    /**
     * @param onFailure told of every failed append (on a log thread); the futures fail with what it
     *                  returns
     */
    BatchedAppender(Log log, Function<Throwable, RuntimeException> onFailure) {
        this.log = log;
        this.onFailure = onFailure;
    }

    /**
     * Adds {@code record} to the calling thread's batch, sent when {@code loop} has finished its
     * current work — or at once when the caller is not on {@code loop}.
     *
     * @return the write of the batch the record is in
     */
    CompletableFuture<Void> later(Record record, SessionLoop loop) {
        Batch b = batches.get();
        b.add(record);
        if (!loop.inLoop() || b.bytes >= FLUSH_BYTES) {
            return b.flush();
        }
        CompletableFuture<Void> f = b.future;
        if (!b.scheduled) {
            b.scheduled = true;
            loop.execute(b.flushTask);
        }
        return f;
    }

    /** Appends the calling thread's batch and {@code records}, now. @return the write */
    CompletableFuture<Void> now(List<Record> records) {
        Batch b = batches.get();
        for (Record r : records) {
            b.add(r);
        }
        return b.flush();
    }

    /** Appends the calling thread's batch now. @return its write (done if it was empty) */
    CompletableFuture<Void> flush() {
        return batches.get().flush();
    }

    private final class Batch {
        private List<Record> records = new ArrayList<>();
        private CompletableFuture<Void> future = new CompletableFuture<>();
        private int bytes;
        private boolean scheduled;
        private final Runnable flushTask = () -> {
            scheduled = false;
            flush();
        };

        void add(Record r) {
            records.add(r);
            bytes += 16 + (r.key() == null ? 0 : r.key().length) + r.valueLength();
        }

        CompletableFuture<Void> flush() {
            if (records.isEmpty()) {
                return DONE;
            }
            List<Record> out = records;
            CompletableFuture<Void> f = future;
            records = new ArrayList<>();
            future = new CompletableFuture<>();
            bytes = 0;
            log.append(out).whenComplete((result, e) -> {
                if (e == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(onFailure.apply(e));
                }
            });
            return f;
        }
    }
}
