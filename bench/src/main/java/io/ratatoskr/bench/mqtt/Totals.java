package io.ratatoskr.bench.mqtt;

import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adds up what every publisher and receiver of a run counted into a {@link LoadResult}: rates over the
 * window, losses and duplicates over the whole run, latency percentiles, CPU per counted message. Shared by
 * the MQTT and the Kafka load generators so that both are judged by the same arithmetic.
 *
 * <p>Stateless and thread-safe.
 */
public final class Totals {
    private Totals() {
    }

    /**
     * @param seconds        length of the measurement window
     * @param fanOut         per publisher, the deliveries each of its messages is due (1 for a consumer group)
     * @param group          whether the receivers share the messages (a consumer group): their receipts are
     *                       merged, and a message two of them had counts as a duplicate
     * @param acks           whether publishers get acknowledgements (MQTT QoS 1, Kafka)
     * @param generatorNanos the generator's CPU time in the window
     * @param brokerNanos    the broker's CPU time in the window, or -1 when not measured
     * @param machineNanos   the whole machine's busy CPU time in the window, or -1 when not measured
     * @param preload        what a drain run published before the window, else null
     */
    public static LoadResult result(Instant startedAt, Map<String, String> labels, LoadResult.Settings settings,
                                    double seconds, List<SenderStats> senders, int[] fanOut,
                                    List<ReceiverStats> receivers, boolean group, boolean acks, long generatorNanos,
                                    long brokerNanos, long machineNanos, LoadResult.Preload preload) {
        long sent = 0;
        long sentMeasured = 0;
        long acked = 0;
        long ackedMeasured = 0;
        long ackRefused = 0;
        long unacknowledged = 0;
        long expected = 0;
        long unexpected = 0;
        Histogram ackLatency = Histograms.create();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < senders.size(); i++) {
            SenderStats p = senders.get(i);
            sent += p.sent();
            sentMeasured += p.sentMeasured();
            acked += p.acked();
            ackedMeasured += p.ackedMeasured();
            ackRefused += p.ackRefused();
            unexpected += p.ackUnexpected();
            unacknowledged += p.unacknowledged();
            expected += p.sent() * fanOut[i];
            ackLatency.add(p.ackLatency());
            if (p.failure() != null) {
                failures.add(p.failure());
            }
        }
        long received = 0;
        long receivedMeasured = 0;
        long unique = 0;
        long duplicates = 0;
        long redelivered = 0;
        Receipts.SeenSet union = group ? Receipts.seenSet(fanOut.length) : null;
        Histogram latency = Histograms.create();
        for (ReceiverStats s : receivers) {
            received += s.received();
            receivedMeasured += s.receivedMeasured();
            unique += s.unique();
            duplicates += s.duplicates();
            redelivered += s.redelivered();
            unexpected += s.unexpected();
            latency.add(s.latency());
            if (union != null) {
                union.addAll((Receipts.SeenSet) s.receipts());
            }
            if (s.failure() != null) {
                failures.add(s.failure());
            }
        }
        if (union != null) {
            // A message one member had and another had again is a duplicate of the group's.
            duplicates += unique - union.unique();
            unique = union.unique();
        }
        long lost = expected - unique;
        LoadResult.Rate deliveredRate = LoadResult.Rate.of(received, receivedMeasured, seconds);
        // A drain run's publishers wrote before the window: nothing of theirs counts in it.
        LoadResult.Rate ackedRate = acks ? LoadResult.Rate.of(acked, preload == null ? ackedMeasured : 0, seconds)
                : null;
        LoadResult.Rate publishedRate = LoadResult.Rate.of(sent, preload == null ? sentMeasured : 0, seconds);
        long counted = received > 0 ? receivedMeasured : acks ? ackedMeasured : sentMeasured;
        return new LoadResult(LoadResult.TOOL, LoadResult.FORMAT, startedAt.toString(), labels, settings, seconds,
                publishedRate, ackedRate, deliveredRate, expected, lost, expected == 0 ? 0 : (double) lost / expected,
                duplicates, redelivered, unexpected, ackRefused, unacknowledged, LoadResult.Latency.of(latency),
                acks ? LoadResult.Latency.of(ackLatency) : null,
                LoadResult.Cpu.of(generatorNanos, brokerNanos, machineNanos, counted), preload,
                List.copyOf(failures), null);
    }
}
