package io.ratatoskr.core.broker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Monotonic counters kept per thread and summed when read, for the meters bumped once or more per message:
 * a bump is a plain add to the calling thread's own array (no atomic instruction, no cache line shared with
 * another event loop), and a read — a metrics scrape, a $SYS tick — adds up every thread's array. Micrometer
 * reads them through {@code FunctionCounter}s, so the meters keep their names, tags and meaning.
 *
 * <p>Thread-safety: thread-safe. Each thread writes only its own {@link Cell}, with opaque stores, which
 * readers see with opaque loads (never torn, possibly a moment late). The cells of threads that ended are
 * folded into {@link #retired} by a reader, under the monitor of this object, so that counts survive their
 * threads and the list of cells stays as long as the number of live threads that ever counted.
 */
final class ThreadTallies {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final int slots;
    private final ConcurrentLinkedQueue<Cell> cells = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Cell> mine = ThreadLocal.withInitial(this::register);
    /** What ended threads counted; guarded by this object's monitor. */
    private final long[] retired;

    ThreadTallies(int slots) {
        this.slots = slots;
        this.retired = new long[slots];
    }

    /** The calling thread's cell: bump through it. */
    Cell cell() {
        return mine.get();
    }

    private Cell register() {
        Cell c = new Cell(Thread.currentThread(), slots);
        cells.add(c);
        return c;
    }

    /** The total of {@code slot} over all threads, past and present. */
    synchronized long sum(int slot) {
        long sum = retired[slot];
        for (Iterator<Cell> it = cells.iterator(); it.hasNext(); ) {
            Cell c = it.next();
            if (!c.owner.isAlive()) {
                // The owner is gone: nothing writes this cell any more.
                for (int i = 0; i < slots; i++) {
                    retired[i] += c.get(i);
                }
                it.remove();
                sum += c.get(slot);
                continue;
            }
            sum += c.get(slot);
        }
        return sum;
    }

    /** One thread's counters. Written only by {@link #owner}. */
    static final class Cell {
        final Thread owner;
        private final long[] values;

        Cell(Thread owner, int slots) {
            this.owner = owner;
            this.values = new long[slots];
        }

        /** On the owner thread only. */
        void add(int slot, long n) {
            SLOT.setOpaque(values, slot, values[slot] + n);
        }

        long get(int slot) {
            return (long) SLOT.getOpaque(values, slot);
        }
    }
}
