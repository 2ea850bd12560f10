package io.ratatoskr.bench.kafka;

import io.ratatoskr.bench.mqtt.Histograms;
import io.ratatoskr.bench.mqtt.Pacer;
import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.SenderStats;
import io.ratatoskr.bench.mqtt.Timeline;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One producer of the Kafka load: its own {@link KafkaProducer} (connection and I/O thread), in a closed loop
 * that keeps at most {@code inflight} records unacknowledged — the window the MQTT publishers keep. The
 * first {@code inflight} records are sent by {@link #start}; after that every acknowledgement sends the next
 * record from the producer's I/O thread, so that no thread of ours sits between an acknowledgement and the
 * next send. Each value is a fresh array starting with the {@link PayloadHeader}.
 *
 * <p>At a fixed rate ({@link #startPaced}) a {@link Pacer} thread sends each record when it is due, stamped with
 * its due time, with at most {@link #PACED_OUTSTANDING_MAX} unacknowledged; acknowledgements then send nothing.
 *
 * <p>It stops when the measurement window ends, when it has sent its limit (a preload), or when told to.
 *
 * <p>Thread-safety: counters are guarded by this object's lock (sends come from the starting thread and the
 * I/O thread, acknowledgements from the I/O thread); {@link #outstanding()} may be read from any thread.
 */
final class ProducerClient implements AutoCloseable {
    /** The most records a paced producer keeps unacknowledged. */
    static final int PACED_OUTSTANDING_MAX = 10_000;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int index;
    private final byte[] template;
    private final int inflight;
    private final int limit;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Histogram ackLatency = Histograms.create();
    private volatile boolean stopped;
    private volatile boolean paced;
    private volatile Pacer pacer;
    private Timeline timeline;
    private int nextSequence;
    private long sentMeasured;
    private long acked;
    private long ackedMeasured;
    private long refused;
    private String failure;

    /** @param limit records to send at most, or 0 to send until the window ends */
    ProducerClient(KafkaProducer<byte[], byte[]> producer, String topic, int index, int payloadBytes, int inflight,
                   int limit) {
        this.producer = producer;
        this.topic = topic;
        this.index = index;
        this.template = PayloadHeader.filled(payloadBytes);
        this.inflight = inflight;
        this.limit = limit == 0 ? Integer.MAX_VALUE : limit;
        producer.partitionsFor(topic); // metadata now, not in the first send
    }

    /** Sends the first window of records; acknowledgements keep it full. */
    void start(Timeline t) {
        synchronized (this) {
            this.timeline = t;
        }
        for (int i = 0; i < inflight; i++) {
            sendNext(-1);
        }
    }

    /** Fixed rate: a thread sends {@code ratePerSecond} records/s, the first at {@code firstNanos}. */
    void startPaced(Timeline t, double ratePerSecond, long firstNanos) {
        synchronized (this) {
            this.timeline = t;
        }
        paced = true;
        pacer = Pacer.start("kafka-load-pacer-" + index, firstNanos, 1e9 / ratePerSecond, this::stopped,
                outstanding::get, PACED_OUTSTANDING_MAX, this::sendNext);
    }

    /** Sends one record, stamped {@code due} (paced) or now (closed loop, {@code due} -1). */
    private void sendNext(long due) {
        int sequence;
        long now;
        synchronized (this) {
            if (stopped) {
                return;
            }
            now = System.nanoTime();
            if (now - timeline.measureEndNanos() >= 0 || nextSequence >= limit) {
                stopped = true;
                return;
            }
            sequence = nextSequence++;
            if (due != -1) {
                now = due;
            }
            if (timeline.measures(now)) {
                sentMeasured++;
            }
            outstanding.incrementAndGet();
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
                stopped = true;
            }
            outstanding.decrementAndGet();
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
        outstanding.decrementAndGet();
        if (!paced) {
            sendNext(-1);
        }
    }

    /** Stops sending and waits for the pacer, if any; what is in flight is still acknowledged. */
    void stopAndJoin() throws InterruptedException {
        stopped = true;
        Pacer p = pacer;
        if (p != null) {
            p.join();
        }
    }

    /** Whether it has stopped sending (window over, limit reached, told to, or failed). */
    boolean stopped() {
        return stopped;
    }

    /** Records sent and not yet acknowledged. Any thread. */
    int outstanding() {
        return outstanding.get();
    }

    /** What it did; call once it has stopped. */
    synchronized SenderStats stats() {
        return new SenderStats(nextSequence, sentMeasured, acked, ackedMeasured, refused, 0, outstanding.get(),
                ackLatency.copy(), failure);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
