package io.ratatoskr.bench.mqtt;

import org.HdrHistogram.Histogram;

/**
 * What one receiver (an MQTT subscriber or group member, a Kafka consumer) counted of the messages it got:
 * how many, how many in the measurement window, new ones and repeats by its {@link Receipts}, redeliveries,
 * messages it should not have had, and end-to-end latency of those sent in the window.
 *
 * <p>Not thread-safe: confined to the receiver's thread. {@link #timeline(Timeline)} must happen-before the
 * messages it is to measure (set it on that thread, or before the thread starts).
 */
public final class Tally {
    private final Receipts receipts;
    /** Per publisher: whether this receiver should get its messages at all. */
    private final boolean[] expected;
    private final Histogram latency = Histograms.create();
    private Timeline timeline;
    private long received;
    private long receivedMeasured;
    private long duplicates;
    private long redelivered;
    private long unexpected;
    private long lastNewNanos;

    /**
     * @param receipts           tells new messages from repeats; owned by this tally from now on
     * @param expectedPublishers per publisher, whether this receiver should get its messages
     */
    public Tally(Receipts receipts, boolean[] expectedPublishers) {
        this.receipts = receipts;
        this.expected = expectedPublishers.clone();
    }

    /** The measurement window; until set, nothing counts as measured. */
    public void timeline(Timeline t) {
        this.timeline = t;
    }

    /** A message that was marked as a redelivery (MQTT's DUP flag); count it with {@link #message} too. */
    public void redelivery() {
        redelivered++;
    }

    /** A message whose payload is too short to carry the header. */
    public void garbled() {
        received++;
        unexpected++;
    }

    /** A message with a payload header, received at {@code nowNanos}. */
    public void message(int publisher, int sequence, long sentNanos, long nowNanos) {
        received++;
        if (!receipts.accepts(publisher, sequence) || !expected[publisher]) {
            unexpected++;
            return;
        }
        if (receipts.record(publisher, sequence)) {
            lastNewNanos = nowNanos;
        } else {
            duplicates++;
        }
        if (timeline != null) {
            if (timeline.measures(nowNanos)) {
                receivedMeasured++;
            }
            if (timeline.measures(sentNanos)) {
                latency.recordValue(Histograms.clamp(nowNanos - sentNanos));
            }
        }
    }

    /** New messages so far. */
    public long unique() {
        return receipts.unique();
    }

    /** {@link System#nanoTime()} when the last new message arrived, or 0. */
    public long lastNewNanos() {
        return lastNewNanos;
    }

    /** The counts, with {@code failure} (or null) of the receiver's connection; hands over the receipts. */
    public ReceiverStats stats(String failure) {
        return new ReceiverStats(received, receipts.unique(), receivedMeasured, duplicates, redelivered, unexpected,
                latency.copy(), receipts, failure);
    }
}
