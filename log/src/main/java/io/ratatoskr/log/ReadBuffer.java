package io.ratatoskr.log;

import java.nio.ByteBuffer;

/**
 * A buffer that successive reads of one reader load file ranges into, so that a read allocates (and
 * zeroes) nothing: see {@link Log#read(long, int, int, boolean, ReadBuffer, java.util.function.Consumer)}.
 * Direct memory, so the file read lands in it without the JDK's bounce through a temporary direct
 * buffer. It grows to the largest range asked for up to {@link #KEEP_BYTES_MAX}; a larger range gets a
 * buffer of its own for that read only, so what a reader keeps is bounded.
 *
 * <p>Thread-safety: not thread-safe; confine it to one thread. A read's {@link RecordView}s point into
 * it and are overwritten by the next read that uses it.
 */
public final class ReadBuffer {
    /** The most this buffer keeps between reads. */
    public static final int KEEP_BYTES_MAX = 4 * 1024 * 1024;

    private ByteBuffer buf;

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
}
