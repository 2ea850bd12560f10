package io.ratatoskr.log;

import java.nio.ByteBuffer;

/**
 * A buffer that successive reads of one reader load file ranges into, so that a read allocates (and
 * zeroes) nothing: see {@link Log#read(long, int, int, boolean, ReadBuffer, java.util.function.Consumer)}.
 * Direct memory, so the file read lands in it without the JDK's bounce through a temporary direct
 * buffer; a second, small one serves the lookups of batch boundaries. It grows to the largest range
 * asked for up to {@link #KEEP_BYTES_MAX}; a larger range gets a buffer of its own for that read only,
 * so what a reader keeps is bounded.
 *
 * <p>Thread-safety: not thread-safe; confine it to one thread. A read's {@link RecordView}s point into
 * it and are overwritten by the next read that uses it.
 */
public final class ReadBuffer {
    /** The most this buffer keeps between reads. */
    public static final int KEEP_BYTES_MAX = 4 * 1024 * 1024;

    private ByteBuffer buf;
    private ByteBuffer scan;

    /** A cleared buffer of exactly {@code size} bytes (position 0, limit {@code size}). */
    ByteBuffer take(int size) {
        if (size > KEEP_BYTES_MAX) {
            return ByteBuffer.allocateDirect(size);
        }
        if (buf == null || buf.capacity() < size) {
            buf = ByteBuffer.allocateDirect(Math.min(KEEP_BYTES_MAX, Math.max(size, 64 * 1024)));
        }
        return buf.clear().limit(size);
    }

    /** A direct buffer of {@code size} bytes kept for finding batch boundaries in the file (cleared by its user). */
    ByteBuffer scan(int size) {
        if (scan == null || scan.capacity() != size) {
            scan = ByteBuffer.allocateDirect(size);
        }
        return scan;
    }

    /**
     * {@code taken} (from {@link #take}, its first {@code taken.position()} bytes loaded) grown to
     * {@code size} bytes: the same buffer with its limit raised when it has room, else a new one with
     * those bytes copied. Position and limit are left for the caller to set.
     */
    ByteBuffer grow(ByteBuffer taken, int size) {
        if (taken == buf && size <= buf.capacity()) {
            return taken;
        }
        int loaded = taken.position();
        ByteBuffer out = take(size); // another buffer: this one's is too small, or taken was not it
        out.put(0, taken, 0, loaded);
        return out;
    }
}
