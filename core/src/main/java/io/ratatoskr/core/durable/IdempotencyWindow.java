package io.ratatoskr.core.durable;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The idempotency keys one durable topic saw within its dedupe window, with the receipt of the
 * publish that brought each (PRODUCT.md, Concepts: idempotent publish).
 *
 * <p>A publish {@link #claim claims} its key: the first gets an empty claim and appends; a repeat
 * within the window gets the first one's receipt future — still pending while the first append is
 * not yet durable, so the repeat waits for it. A failed first append {@link #release releases} the
 * key, so that the publisher's retry is stored.
 *
 * <p>Memory is bounded by a budget shared by every topic's window ({@code dedupeMaxKeys}): keys are
 * kept in arrival order and dropped when older than the window, or — oldest first, counted as
 * evictions — when the budget is spent. A key whose first append is still running is never
 * evicted (a repeat waits for that append); when only such keys are left, a new key is not
 * remembered (counted as an eviction too). The window is rebuilt at open from the records of the
 * last window, which carry their idempotency keys.
 *
 * <p>Thread-safety: thread-safe; every method holds the window's monitor briefly (no I/O, no
 * callbacks under it). The budget is an atomic counter.
 */
final class IdempotencyWindow {

    private static final class Entry {
        final long timestampMs;
        final CompletableFuture<PublishReceipt> receipt;

        Entry(long timestampMs, CompletableFuture<PublishReceipt> receipt) {
            this.timestampMs = timestampMs;
            this.receipt = receipt;
        }
    }

    private final LinkedHashMap<String, Entry> keys = new LinkedHashMap<>();
    private final AtomicLong budgetUsed;
    private final long budget;
    private final Runnable onEviction;
    private volatile long windowMs;

    IdempotencyWindow(long windowMs, AtomicLong budgetUsed, long budget, Runnable onEviction) {
        this.windowMs = windowMs;
        this.budgetUsed = budgetUsed;
        this.budget = budget;
        this.onEviction = onEviction;
    }

    void windowMs(long windowMs) {
        this.windowMs = windowMs;
    }

    long windowMs() {
        return windowMs;
    }

    /**
     * Claims {@code key} at {@code nowMs}: returns the receipt of an earlier publish with the same
     * key within the window, or null after registering {@code pending} as this key's receipt.
     */
    synchronized CompletableFuture<PublishReceipt> claim(String key, long nowMs,
                                                        CompletableFuture<PublishReceipt> pending) {
        expire(nowMs);
        Entry e = keys.get(key);
        if (e != null && (nowMs - e.timestampMs <= windowMs || !e.receipt.isDone())) {
            return e.receipt;
        }
        if (e != null) {
            // Expired, but still behind a pending older key: replace it.
            keys.remove(key);
            budgetUsed.decrementAndGet();
        }
        remember(key, new Entry(nowMs, pending));
        return null;
    }

    /** Records a key found in the log at open (its publish is durable). */
    synchronized void restore(String key, long timestampMs, PublishReceipt receipt, long nowMs) {
        if (nowMs - timestampMs > windowMs) {
            return;
        }
        Entry old = keys.remove(key);
        if (old != null) {
            budgetUsed.decrementAndGet();
        }
        remember(key, new Entry(timestampMs, CompletableFuture.completedFuture(receipt)));
    }

    /** Forgets {@code key} if {@code pending} is still its receipt: its append failed. */
    synchronized void release(String key, CompletableFuture<PublishReceipt> pending) {
        Entry e = keys.get(key);
        if (e != null && e.receipt == pending) {
            keys.remove(key);
            budgetUsed.decrementAndGet();
        }
    }

    synchronized int size() {
        return keys.size();
    }

    /** Forgets every key (the topic was deleted), returning the budget. */
    synchronized void clear() {
        budgetUsed.addAndGet(-keys.size());
        keys.clear();
    }

    private void remember(String key, Entry entry) {
        if (budget == 0) {
            return; // deduplication switched off for the whole registry
        }
        while (budgetUsed.get() >= budget && evictOldestSettled()) {
            onEviction.run();
        }
        if (budgetUsed.get() >= budget) {
            // Other topics, or appends of this one still running, hold the whole budget: this key is
            // not remembered.
            onEviction.run();
            return;
        }
        keys.put(key, entry);
        budgetUsed.incrementAndGet();
    }

    /** Drops keys older than the window, from the oldest; keys arrive in time order. */
    private void expire(long nowMs) {
        Iterator<Map.Entry<String, Entry>> it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Entry e = it.next().getValue();
            if (nowMs - e.timestampMs <= windowMs || !e.receipt.isDone()) {
                return;
            }
            it.remove();
            budgetUsed.decrementAndGet();
        }
    }

    /**
     * Drops the oldest key whose publish has settled; false if there is none. A key whose first
     * append is still running stays: a repeat of it must wait for that append, not be stored again.
     */
    private boolean evictOldestSettled() {
        Iterator<Entry> it = keys.values().iterator();
        while (it.hasNext()) {
            if (it.next().receipt.isDone()) {
                it.remove();
                budgetUsed.decrementAndGet();
                return true;
            }
        }
        return false;
    }
}
