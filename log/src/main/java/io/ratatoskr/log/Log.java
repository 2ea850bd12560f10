package io.ratatoskr.log;

import io.ratatoskr.log.format.BatchEncoder;
import io.ratatoskr.log.format.BatchFormat;
import io.ratatoskr.log.format.EncodedBatch;
import io.ratatoskr.log.format.RecordBatch;
import io.ratatoskr.log.segment.FileIo;
import io.ratatoskr.log.segment.LogSegment;
import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.log.segment.SegmentScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A segmented, crash-safe, group-committed append-only log: one durable topic partition.
 *
 * <p>Entry point: {@link #open(Path, LogConfig, LogEnvironment)}. Appends return futures that
 * complete when the batch is as durable as the {@link DurabilityMode} says; reads are served from
 * the calling thread and never see records beyond {@link #highWatermark()}.
 *
 * <p>Thread-safety: every public method is thread-safe. Appends, truncation and every other change
 * are serialized on the log's writer thread; reads run on the caller's thread without locks.
 * Futures complete in commit order on the writer or completer thread, so their dependent stages
 * must not block. Methods that change the segment set ({@link #truncateTo}, {@link #roll}, {@link
 * #enforceRetention}, {@link #compact}, {@link #recover}, {@link #close}) block until the writer has
 * done them: do not call them from a network thread or from a future's callback.
 */
public final class Log implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Log.class);
    private static final int LOOKUP_BUFFER_BYTES = 16 * 1024;

    private final Path dir;
    private final LogConfig config;
    private final LogEnvironment env;
    private final LogSegments segments = new LogSegments();
    private final LogWriter writer;
    private final LogCleaner cleaner;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();

    private Log(Path dir, LogConfig config, LogEnvironment env, FileChannel lockChannel, FileLock lock)
            throws IOException {
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.lockChannel = lockChannel;
        this.lock = lock;
        LogLoader loader = new LogLoader(dir, config, env.channels());
        long started = System.nanoTime();
        LogLoader.Loaded loaded = loader.load();
        this.writer = new LogWriter(dir, config, env, segments, loader, this::releaseLock);
        try {
            writer.install(loaded.segments());
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : loaded.segments()) {
                s.close();
            }
            throw e;
        }
        this.cleaner = new LogCleaner(dir, config, env, segments, writer);
        writer.onTruncate(cleaner::truncated);
        LOG.info(
                "{}: opened {} ({} segments, offsets {} to {}, {} bytes scanned, {} bytes cut) in {} ms",
                dir, loaded.clean() ? "after a clean shutdown" : "with recovery", segments.count(),
                segments.logStartOffset(), writer.nextOffset(), loaded.recoveredBytes(),
                loaded.truncatedBytes(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Opens (creating if needed) the log in {@code dir} with the system environment. */
    public static Log open(Path dir, LogConfig config) {
        return open(dir, config, LogEnvironment.system());
    }

    /**
     * Opens (creating if needed) the log in {@code dir}: recovers it if the last shutdown was not
     * clean, starts its writer thread and schedules its background maintenance on {@code env}'s
     * scheduler, if any. Throws {@link LogException} if the directory is in use or cannot be read.
     */
    public static Log open(Path dir, LogConfig config, LogEnvironment env) {
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dir);
            lockChannel =
                    env.channels()
                            .open(
                                    dir.resolve(SegmentFiles.LOCK),
                                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE));
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new LogException("log directory " + dir + " is in use by another log");
            }
            Log log = new Log(dir, config, env, lockChannel, lock);
            log.writer.start();
            log.schedule();
            return log;
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new LogException("cannot open log " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private void schedule() {
        if (env.scheduler() == null) {
            return;
        }
        if (config.cleanupPolicy().deletes()) {
            scheduled.add(
                    env.scheduler()
                            .scheduleWithFixedDelay(
                                    () -> background("retention", this::enforceRetention),
                                    config.retentionCheckIntervalMs(), config.retentionCheckIntervalMs(),
                                    TimeUnit.MILLISECONDS));
        }
        if (config.cleanupPolicy().compacts()) {
            scheduled.add(
                    env.scheduler()
                            .scheduleWithFixedDelay(
                                    () -> background("compaction", this::compact),
                                    config.cleanerIntervalMs(), config.cleanerIntervalMs(), TimeUnit.MILLISECONDS));
        }
    }

    private void background(String what, Runnable pass) {
        if (writer.status().state() != LogStatus.State.OPEN) {
            return;
        }
        try {
            pass.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: background {} failed: {}", dir, what, e.toString());
        }
    }

    // ---- appending ----

    /**
     * Appends {@code records} as one batch. The future completes with the batch's offsets once it is
     * durable as the log's {@link DurabilityMode} says, or fails with {@link
     * LogOverloadedException} (queue full, at once), {@link InvalidRecordException} (empty, too large,
     * or a keyless record in a compacted log), {@link LogFailedException} or {@link
     * LogClosedException}. Encoding, compression and the CRC run on the calling thread; it never
     * blocks on the disk.
     */
    public CompletableFuture<AppendResult> append(List<Record> records) {
        if (records.isEmpty()) {
            return CompletableFuture.failedFuture(new InvalidRecordException("an append needs records"));
        }
        if (config.cleanupPolicy().compacts()) {
            for (Record r : records) {
                if (r.key() == null) {
                    return CompletableFuture.failedFuture(
                            new InvalidRecordException("log " + dir + " is compacted: every record needs a key"));
                }
            }
        }
        EncodedBatch batch;
        try {
            batch = BatchEncoder.encode(records, config.compression(), env.clock().millis());
        } catch (InvalidRecordException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (batch.sizeInBytes() > config.maxBatchBytes()) {
            return CompletableFuture.failedFuture(
                    new InvalidRecordException(
                            "batch of " + batch.sizeInBytes() + " bytes exceeds maxBatchBytes "
                                    + config.maxBatchBytes()));
        }
        return writer.submit(batch);
    }

    // ---- reading ----

    /**
     * Reads records from {@code offset}: whole batches up to about {@code maxBytes} (at least one
     * batch), at most {@code maxRecords} records, never past {@link #highWatermark()}. Records older
     * than {@code messageTtlMs} are skipped. An offset equal to the high watermark gives an empty
     * result; one outside [{@link #logStartOffset()}, {@link #highWatermark()}] throws {@link
     * OffsetOutOfRangeException}. An offset in a gap left by compaction reads from the next record.
     */
    public ReadResult read(long offset, int maxBytes, int maxRecords) {
        return read(offset, maxBytes, maxRecords, true);
    }

    /**
     * As {@link #read(long, int, int)}; with {@code skipExpired} false, records older than {@code
     * messageTtlMs} are returned too — for state rebuilt from the log (e.g. idempotency keys) that
     * must outlive what consumers may see.
     */
    public ReadResult read(long offset, int maxBytes, int maxRecords, boolean skipExpired) {
        List<StoredRecord> out = new ArrayList<>();
        ReadProgress p = read(offset, maxBytes, maxRecords, skipExpired, null, r -> out.add(r.toStoredRecord()));
        return new ReadResult(out, p.nextOffset(), p.highWatermark(), p.logStartOffset());
    }

    /**
     * As {@link #read(long, int, int, boolean)}, handing each record to {@code visitor} (on the calling
     * thread, in offset order) as a view into the bytes loaded from the file instead of collecting
     * copies: a reader that decodes each record into something of its own at once saves a copy of every
     * value and the allocation of the read. The file ranges are loaded into {@code buffer} (a fresh heap
     * buffer each time when null); the views are valid only during the visit. A visitor that throws
     * ends the read with its exception.
     */
    public ReadProgress read(
            long offset, int maxBytes, int maxRecords, boolean skipExpired, ReadBuffer buffer,
            Consumer<RecordView> visitor) {
        if (maxBytes <= 0 || maxRecords <= 0) {
            throw new IllegalArgumentException("maxBytes and maxRecords must be positive");
        }
        LogSegments.ReadableEnd end = readableEnd();
        long start = checkRange(offset, end);
        int[] visited = {0};
        long next = offset;
        long ttlCutoff = skipExpired && config.messageTtlMs() > 0
                ? env.clock().millis() - config.messageTtlMs() : Long.MIN_VALUE;
        int bytesRead = 0;
        ByteBuffer scan = buffer == null ? ByteBuffer.allocate(LOOKUP_BUFFER_BYTES) : buffer.scan(LOOKUP_BUFFER_BYTES);
        try {
            LogSegment seg = segments.floor(next);
            while (seg != null && next < end.offset() && visited[0] < maxRecords && bytesRead < maxBytes) {
                long limit = segments.readLimit(seg, end);
                long pos = seg.positionOfBatchContaining(next, limit, scan);
                if (pos >= 0) {
                    ByteBuffer bytes = loadBatches(seg, pos, limit, maxBytes - bytesRead, bytesRead == 0, buffer);
                    bytesRead += bytes.limit();
                    next = decode(bytes, next, ttlCutoff, maxRecords, visited, visitor);
                    if (visited[0] >= maxRecords || bytesRead >= maxBytes || pos + bytes.limit() < limit) {
                        break;
                    }
                }
                seg = segments.next(seg);
                if (seg != null) {
                    next = Math.max(next, seg.baseOffset());
                }
            }
        } catch (ClosedChannelException e) {
            throw new LogException("log " + dir + ": a segment was closed during the read; retry", e);
        } catch (IOException e) {
            throw new LogException("log " + dir + ": read at offset " + offset + " failed: " + e, e);
        }
        return new ReadProgress(visited[0], Math.min(next, end.offset()), end.offset(), start);
    }

    private long checkRange(long offset, LogSegments.ReadableEnd end) {
        long start = segments.logStartOffset();
        if (offset < start || offset > end.offset()) {
            throw new OffsetOutOfRangeException(
                    "offset " + offset + " is outside log " + dir + " [" + start + ", " + end.offset() + "]");
        }
        return start;
    }

    /**
     * Loads the whole batches from {@code pos} that fit {@code budget} bytes (the first one whatever its
     * size if {@code atLeastOne}) with one positional read of up to {@code budget} bytes: the returned
     * buffer holds exactly those batches (position 0), and is empty if none fits. Their headers are
     * checked as {@link SegmentScanner} does; a bad one ends the batches before it, and is an error if it
     * is the first. Reading first and finding the boundaries in memory copies each byte from the page
     * cache once, where scanning the headers in the file first would copy them twice.
     */
    private static ByteBuffer loadBatches(
            LogSegment seg, long pos, long limit, int budget, boolean atLeastOne, ReadBuffer buffer)
            throws IOException {
        int want = (int) Math.min(limit - pos, Math.max(budget, BatchFormat.HEADER_SIZE));
        ByteBuffer bytes = buffer == null ? ByteBuffer.allocate(want) : buffer.take(want);
        FileIo.readFully(seg.channel(), bytes, pos);
        int end = 0;
        String problem = null;
        while (end < want) {
            long left = limit - (pos + end);
            if (left < BatchFormat.HEADER_SIZE) {
                problem = "a batch header is cut short: " + left + " bytes left";
                break;
            }
            if (end + BatchFormat.HEADER_SIZE > want) {
                break; // the next header lies beyond the budget
            }
            problem = SegmentScanner.headerProblem(bytes, end, left);
            if (problem != null) {
                break;
            }
            int size = SegmentScanner.batchSize(bytes, end);
            if (end + size > want) {
                if (end == 0 && atLeastOne) {
                    // One batch larger than the budget: load the rest of it.
                    bytes = buffer == null ? grown(bytes, size) : buffer.grow(bytes, size);
                    FileIo.readFully(seg.channel(), bytes.limit(size).position(want), pos + want);
                    end = size;
                }
                break;
            }
            end += size;
        }
        if (end == 0 && problem != null) {
            throw new CorruptRecordException("log " + dir(seg) + ": " + problem + " at position " + pos);
        }
        return bytes.limit(end).position(0);
    }

    /** A heap buffer of {@code size} bytes starting with the {@code bytes} loaded so far (position 0). */
    private static ByteBuffer grown(ByteBuffer bytes, int size) {
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(bytes.flip());
        return out;
    }

    /** End position of whole batches from {@code pos} that fit {@code budget} (one at least). */
    private static long rangeEnd(
            LogSegment seg, long pos, long limit, int budget, boolean atLeastOne, ByteBuffer scan)
            throws IOException {
        SegmentScanner scanner = seg.scanner(pos, limit, scan.clear());
        long stop = pos;
        while (scanner.next()) {
            long batchEnd = scanner.position() + scanner.sizeInBytes();
            if (batchEnd - pos > budget && (stop > pos || !atLeastOne)) {
                break;
            }
            stop = batchEnd;
        }
        if (stop == pos && scanner.stopReason() != null) {
            throw new CorruptRecordException(
                    "log " + dir(seg) + ": " + scanner.stopReason() + " at position " + pos);
        }
        return stop;
    }

    private static String dir(LogSegment seg) {
        return seg.file().toString();
    }

    private static long decode(ByteBuffer bytes, long next, long ttlCutoff, int maxRecords, int[] visited,
            Consumer<RecordView> visitor) {
        long cursor = next;
        while (bytes.hasRemaining()) {
            RecordBatch batch = RecordBatch.wrap(bytes);
            bytes.position(bytes.position() + batch.sizeInBytes());
            if (batch.lastOffset() < cursor) {
                continue;
            }
            if (batch.maxTimestamp() < ttlCutoff) {
                cursor = batch.nextOffset();
                continue;
            }
            for (RecordView r : batch.views()) {
                if (r.offset() < cursor || r.timestampMs() < ttlCutoff) {
                    continue;
                }
                if (visited[0] >= maxRecords) {
                    return r.offset();
                }
                visited[0]++;
                visitor.accept(r);
            }
            cursor = batch.nextOffset();
        }
        return cursor;
    }

    /**
     * The stored batches from the one holding {@code offset}, about {@code maxBytes} of them (at
     * least one), within one segment, as a file region for zero-copy transfer; empty at the high
     * watermark. See {@link FileRegion} for what the receiver must filter.
     */
    public Optional<FileRegion> readRegion(long offset, int maxBytes) {
        LogSegments.ReadableEnd end = readableEnd();
        checkRange(offset, end);
        ByteBuffer scan = ByteBuffer.allocate(LOOKUP_BUFFER_BYTES);
        try {
            for (LogSegment seg = segments.floor(offset); seg != null; seg = segments.next(seg)) {
                long limit = segments.readLimit(seg, end);
                long pos = seg.positionOfBatchContaining(offset, limit, scan);
                if (pos < 0) {
                    continue;
                }
                long stop = rangeEnd(seg, pos, limit, maxBytes, true, scan);
                SegmentScanner first = seg.scanner(pos, stop, scan.clear());
                first.next();
                long firstOffset = first.baseOffset();
                SegmentScanner last = seg.scanner(pos, stop, ByteBuffer.allocate(LOOKUP_BUFFER_BYTES));
                long nextOffset = firstOffset;
                while (last.next()) {
                    nextOffset = last.lastOffset() + 1;
                }
                return Optional.of(new FileRegion(seg.channel(), pos, (int) (stop - pos), firstOffset, nextOffset));
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new LogException("log " + dir + ": region read at offset " + offset + " failed: " + e, e);
        }
    }

    /**
     * The first offset whose record timestamp is at least {@code timestampMs}, or the high watermark
     * if there is none.
     */
    public long offsetForTimestamp(long timestampMs) {
        LogSegments.ReadableEnd end = readableEnd();
        ByteBuffer scan = ByteBuffer.allocate(LOOKUP_BUFFER_BYTES);
        try {
            for (LogSegment seg : segments.all()) {
                long limit = segments.readLimit(seg, end);
                if (limit == 0) {
                    break;
                }
                if (seg.maxTimestampMs() < timestampMs) {
                    continue;
                }
                long found = seg.offsetOfTimestamp(timestampMs, limit, scan);
                if (found >= 0) {
                    return found;
                }
            }
        } catch (IOException e) {
            throw new LogException("log " + dir + ": time lookup failed: " + e, e);
        }
        return end.offset();
    }

    /** The first offset in the log. */
    public long logStartOffset() {
        return segments.logStartOffset();
    }

    /**
     * The offset after the last readable record: in FSYNC and GROUP mode the durable end, in ASYNC
     * mode the written end. Every append completed so far is below it.
     */
    public long highWatermark() {
        return segments.readableEnd().offset();
    }

    /** The offset the next append will get once pending appends are written. */
    public long logEndOffset() {
        return Math.max(writer.logEndOffset(), highWatermark());
    }

    private LogSegments.ReadableEnd readableEnd() {
        if (writer.status().state() == LogStatus.State.CLOSED) {
            throw writer.closedException();
        }
        return segments.readableEnd();
    }

    // ---- changes run on the writer thread ----

    /**
     * Removes every record at or above {@code offset} (for replication); a no-op at or above the end.
     * Below the log start it empties the log and starts it at {@code offset}. Blocks until done.
     */
    public void truncateTo(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        await(writer.submitControl("truncate", () -> writer.failing(() -> {
            writer.truncateTo(offset);
            return null;
        })));
    }

    /** Seals the active segment and starts a new one, if the active one is not empty. */
    public void roll() {
        await(writer.submitControl("roll", () -> {
            writer.requireOpen();
            writer.rollNow();
            return null;
        }));
    }

    /**
     * Runs one retention pass now: deletes the old sealed segments that break a limit; returns how
     * many. The scheduler runs this every {@code retentionCheckIntervalMs}.
     */
    public int enforceRetention() {
        return await(writer.submitControl("retention", () -> writer.failing(() -> {
            writer.requireOpen();
            List<LogSegment> victims =
                    Retention.select(
                            segments.sealed(), segments.totalBytes(), writer.nextOffset(), config,
                            env.clock().millis(), segments.active());
            for (LogSegment s : victims) {
                writer.retire(s);
            }
            if (!victims.isEmpty()) {
                FileIo.syncDirectory(env.channels(), dir);
                LOG.info("{}: retention deleted {} segments; the log now starts at offset {}",
                        dir, victims.size(), segments.logStartOffset());
            }
            return victims.size();
        })));
    }

    /**
     * Runs one compaction pass now on the calling thread (the swap of cleaned segments runs on the
     * writer). The scheduler runs this every {@code cleanerIntervalMs} for compacted logs.
     */
    public CompactionResult compact() {
        if (!config.cleanupPolicy().compacts()) {
            return CompactionResult.none(segments.logStartOffset());
        }
        writer.requireOpen();
        try {
            return cleaner.clean();
        } catch (IOException e) {
            throw new LogException("log " + dir + ": compaction failed: " + e, e);
        }
    }

    /**
     * After a failure ({@link LogStatus.State#FAILED}), reloads the directory, cuts what was written but
     * never acknowledged, and reopens for appends. Returns whether the log is open; if the cause
     * persists (the disk is still full) it stays failed with the new cause.
     */
    public boolean recover() {
        return await(writer.submitControl("recover", writer::recover));
    }

    /** Whether the log is open, failed (read-only, with the cause) or closed. */
    public LogStatus status() {
        return writer.status();
    }

    public LogConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    public LogStats stats() {
        return new LogStats(
                writer.appendedBatches.sum(), writer.appendedRecords.sum(), writer.fsyncs.sum(),
                writer.rejectedOverloaded.sum(), segments.count(), segments.totalBytes());
    }

    /**
     * Completes the appends already queued, seals the active segment, writes the clean-shutdown
     * marker and closes every file. Idempotent; blocks until done.
     */
    @Override
    public void close() {
        shutdown(true);
    }

    /** Closes the log and deletes its directory. */
    public void delete() {
        shutdown(false);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new LogException("cannot delete log " + dir + ": " + e, e);
        }
    }

    private void shutdown(boolean clean) {
        scheduled.forEach(f -> f.cancel(false));
        CompletableFuture<Void> done = writer.submitClose(clean);
        try {
            done.get();
            writer.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogException("interrupted while closing log " + dir, e);
        } catch (ExecutionException e) {
            throw new LogException("closing log " + dir + " failed: " + e.getCause(), e.getCause());
        }
    }

    private void releaseLock() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("{}: releasing the lock: {}", dir, e.toString());
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", ch, e.toString());
            }
        }
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LogException le) {
                throw le;
            }
            if (cause instanceof IOException io) {
                throw new LogException("log " + dir + ": " + io, io);
            }
            if (cause instanceof UncheckedIOException uio) {
                throw new LogException("log " + dir + ": " + uio.getCause(), uio.getCause());
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new LogException("log " + dir + ": " + cause, cause);
        }
    }

    @Override
    public String toString() {
        return "Log[" + dir + ", " + status().state() + "]";
    }
}
