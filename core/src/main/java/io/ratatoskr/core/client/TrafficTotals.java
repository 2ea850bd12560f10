package io.ratatoskr.core.client;

/**
 * Message and byte counts of a front end (or of all of them) since start; only ever grow.
 *
 * <p>Thread-safety: immutable.
 */
public record TrafficTotals(long messagesIn, long messagesOut, long bytesIn, long bytesOut) {
    public static final TrafficTotals ZERO = new TrafficTotals(0, 0, 0, 0);

    public TrafficTotals plus(TrafficTotals o) {
        return new TrafficTotals(messagesIn + o.messagesIn, messagesOut + o.messagesOut, bytesIn + o.bytesIn,
                bytesOut + o.bytesOut);
    }
}
