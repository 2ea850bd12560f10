package io.ratatoskr.bench.kafka;

import io.ratatoskr.bench.mqtt.Histograms;
import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.SendLoop;
import io.ratatoskr.bench.mqtt.SenderStats;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.time.Duration;

/**
 * One producer of the Kafka load: its own {@link KafkaProducer} (connection and I/O thread), in a closed loop
 * that keeps at most {@code inflight} records unacknowledged — the window the MQTT publishers keep. The
 * first {@code inflight} records are sent by {@link #start}; after that every acknowledgement sends the next
 * record from the producer's I/O thread, so that no thread of ours sits between an acknowledgement and the
 * next send. Each value is a fresh array starting with the {@link PayloadHeader}.
 *
 * <p>At a fixed rate ({@link #startPaced}) a pacer thread sends each record when it is due, stamped with its due
 * time ({@link SendLoop}); acknowledgements then send nothing.
 *
 * <p>It stops when the measurement window ends, when it has sent its limit (a preload), or when told to.
 *
 * <p>Thread-safety: counters are guarded by this object's lock (sends come from the starting thread, the pacer
 * and the I/O thread, acknowledgements from the I/O thread); {@link #outstanding()} may be read from any thread.
 */
final class ProducerClient extends SendLoop implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int index;
    private final byte[] template;
    private final int limit;
    private final Histogram ackLatency = Histograms.create();
    private int nextSequence;
    private long sentMeasured;
    private long acked;
    private long ackedMeasured;
    private long refused;
    private String failure;

    /** @param limit records to send at most, or 0 to send until the window ends */
    ProducerClient(KafkaProducer<byte[], byte[]> producer, String topic, int index, int payloadBytes, int inflight,
                   int limit) {
        super("kafka-load-pacer-" + index, inflight);
        this.producer = producer;
        this.topic = topic;
        this.index = index;
        this.template = PayloadHeader.filled(payloadBytes);
        this.limit = limit == 0 ? Integer.MAX_VALUE : limit;
        producer.partitionsFor(topic); // metadata now, not in the first send
    }

    @Override
    protected void sendNext(long due) {
        int sequence;
        long now;
        synchronized (this) {
            if (stopped()) {
                return;
            }
            now = System.nanoTime();
            if (now - timeline.measureEndNanos() >= 0 || nextSequence >= limit) {
                stop();
                return;
            }
            sequence = nextSequence++;
            if (due != -1) {
                now = due;
            }
            if (timeline.measures(now)) {
                sentMeasured++;
            }
            sending();
        }
        long stamp = now;
        byte[] value = template.clone();
        PayloadHeader.write(value, stamp, index, sequence);
        try {
            producer.send(new ProducerRecord<>(topic, value), (metadata, e) -> acknowledged(stamp, e));
        } catch (KafkaException e) {
            synchronized (this) {
                refused++;
                if (failure == null) {
                    failure = "producer " + index + ": send failed: " + e;
                }
                stop();
            }
            unsent();
        }
    }

    private void acknowledged(long sentNanos, Exception e) {
        long now = System.nanoTime();
        synchronized (this) {
            if (e != null) {
                refused++;
                if (failure == null) {
                    failure = "producer " + index + ": " + e;
                }
            } else {
                acked++;
                if (timeline.measures(now)) {
                    ackedMeasured++;
                }
                if (timeline.measures(sentNanos)) {
                    ackLatency.recordValue(Histograms.clamp(now - sentNanos));
                }
            }
        }
        answered(false);
    }

    /** What it did; call once it has stopped. */
    synchronized SenderStats stats() {
        return new SenderStats(nextSequence, sentMeasured, acked, ackedMeasured, refused, 0, outstanding(),
                ackLatency.copy(), failure);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
