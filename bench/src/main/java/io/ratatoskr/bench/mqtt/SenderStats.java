package io.ratatoskr.bench.mqtt;

import org.HdrHistogram.Histogram;

/**
 * What one publisher (an MQTT connection, a Kafka producer) counted over a run; the histogram is a copy owned
 * by the holder. Immutable.
 *
 * @param sent           messages sent
 * @param sentMeasured   messages sent in the measurement window
 * @param acked          acknowledgements received (PUBACK, a Kafka send completing)
 * @param ackedMeasured  acknowledgements received in the window
 * @param ackRefused     acknowledgements that refused the message (an MQTT 5 failure reason code, a Kafka send
 *                       error)
 * @param ackUnexpected  acknowledgements for nothing in flight
 * @param unacknowledged messages still unacknowledged when the run ended
 * @param ackLatency     publish to acknowledgement, for messages sent in the window
 * @param failure        what went wrong with its connection, or null
 */
public record SenderStats(long sent, long sentMeasured, long acked, long ackedMeasured, long ackRefused,
                          long ackUnexpected, long unacknowledged, Histogram ackLatency, String failure) {
}
