package io.ratatoskr.log;

import io.ratatoskr.log.segment.LogSegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The ordered set of a log's segments, keyed by base offset, and the readable end that bounds what
 * readers may see.
 *
 * <p>Thread-safety: the writer thread changes the set and the readable end; readers iterate the
 * concurrent map and read the volatile end without locks. A reader may see a segment that the writer
 * has just removed; its channel stays open for {@code fileDeleteDelayMs} (with a scheduler).
 */
final class LogSegments {

    /**
     * Where readers must stop: offset {@code offset}, which lies at byte {@code position} of the
     * segment based at {@code segmentBase}. Segments below it are readable to their size; segments
     * above it not at all.
     */
    record ReadableEnd(long offset, long segmentBase, int position) {}

    private final ConcurrentSkipListMap<Long, LogSegment> map = new ConcurrentSkipListMap<>();
    private volatile ReadableEnd readableEnd = new ReadableEnd(0, 0, 0);

    void add(LogSegment segment) {
        map.put(segment.baseOffset(), segment);
    }

    void remove(LogSegment segment) {
        map.remove(segment.baseOffset(), segment);
    }

    void clear() {
        map.clear();
    }

    LogSegment active() {
        Map.Entry<Long, LogSegment> e = map.lastEntry();
        if (e == null) {
            throw new IllegalStateException("a log always has an active segment");
        }
        return e.getValue();
    }

    /** The segment that would hold {@code offset}, or null if it is below the first. */
    LogSegment floor(long offset) {
        Map.Entry<Long, LogSegment> e = map.floorEntry(offset);
        return e == null ? null : e.getValue();
    }

    /** The segment after {@code segment}, or null. */
    LogSegment next(LogSegment segment) {
        Map.Entry<Long, LogSegment> e = map.higherEntry(segment.baseOffset());
        return e == null ? null : e.getValue();
    }

    /** All segments, oldest first. */
    Collection<LogSegment> all() {
        return map.values();
    }

    /** The segments whose base offset is above {@code offset}, oldest first. */
    List<LogSegment> above(long offset) {
        return new ArrayList<>(map.tailMap(offset, false).values());
    }

    /** Every segment except the active one, oldest first. */
    List<LogSegment> sealed() {
        List<LogSegment> all = new ArrayList<>(map.values());
        return all.isEmpty() ? all : all.subList(0, all.size() - 1);
    }

    long logStartOffset() {
        Map.Entry<Long, LogSegment> e = map.firstEntry();
        return e == null ? 0 : e.getKey();
    }

    int count() {
        return map.size();
    }

    long totalBytes() {
        long total = 0;
        for (LogSegment s : map.values()) {
            total += s.size();
        }
        return total;
    }

    ReadableEnd readableEnd() {
        return readableEnd;
    }

    void publishReadableEnd(ReadableEnd end) {
        readableEnd = end;
    }

    /** How far a reader may read in {@code segment} (bytes). */
    long readLimit(LogSegment segment, ReadableEnd end) {
        if (segment.baseOffset() < end.segmentBase()) {
            return segment.size();
        }
        if (segment.baseOffset() == end.segmentBase()) {
            return Math.min(end.position(), segment.size());
        }
        return 0;
    }
}
