package io.ratatoskr.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A range of whole stored batches in a segment file, for zero-copy transfer to a socket
 * ({@link FileChannel#transferTo}, i.e. sendfile). The bytes are in {@link
 * io.ratatoskr.log.format.BatchFormat} layout; the first batch may start before the offset that was
 * asked for and TTL is not applied: a receiver of raw batches filters by offset and time itself.
 *
 * <p>A region stays readable while its segment exists. Segments removed by retention, compaction or
 * truncation stay open for {@code fileDeleteDelayMs} when the log has a scheduler; a transfer after
 * that fails with an {@link IOException}.
 *
 * <p>Thread-safety: immutable; transfers use positional reads and may run concurrently.
 *
 * @param channel the segment file
 * @param position first byte
 * @param size number of bytes
 * @param firstOffset base offset of the first batch in the region
 * @param nextOffset offset after the last batch in the region
 */
public record FileRegion(
        FileChannel channel, long position, int size, long firstOffset, long nextOffset) {

    /** Transfers the whole region to {@code target}; returns the bytes sent. */
    public long transferTo(WritableByteChannel target) throws IOException {
        long sent = 0;
        while (sent < size) {
            long n = channel.transferTo(position + sent, size - sent, target);
            if (n <= 0) {
                break;
            }
            sent += n;
        }
        return sent;
    }
}
