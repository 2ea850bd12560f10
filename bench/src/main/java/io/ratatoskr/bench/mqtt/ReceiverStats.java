package io.ratatoskr.bench.mqtt;

import org.HdrHistogram.Histogram;

/**
 * What one receiver counted over a run ({@link Tally}); the histogram is a copy owned by the holder, the
 * receipts are handed over (a consumer group's are merged). Immutable once the receiver has stopped.
 *
 * @param received         messages received, repeats and unexpected ones included
 * @param unique           new messages, by the receiver's own receipts
 * @param receivedMeasured messages received in the measurement window
 * @param duplicates       repeats of messages this receiver had already had
 * @param redelivered      messages marked as redeliveries
 * @param unexpected       messages it should not have received (another run's, misrouted, garbled)
 * @param latency          end to end, for messages sent in the window
 * @param receipts         which messages it had
 * @param failure          what went wrong with its connection, or null
 */
public record ReceiverStats(long received, long unique, long receivedMeasured, long duplicates, long redelivered,
                            long unexpected, Histogram latency, Receipts receipts, String failure) {
}
