package io.ratatoskr.bench.kafka;

import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.ReceiverProgress;
import io.ratatoskr.bench.mqtt.ReceiverStats;
import io.ratatoskr.bench.mqtt.Receipts;
import io.ratatoskr.bench.mqtt.Tally;
import io.ratatoskr.bench.mqtt.Timeline;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * One member of the Kafka consumer group of a run, on a thread of its own (a {@link KafkaConsumer} is
 * single-threaded): it polls, accounts for every record ({@link Tally}: payload header, new or repeat, latency)
 * and commits each poll's records with {@code commitAsync} — the per-batch acknowledgement Kafka offers.
 *
 * <p>The run steers it through phases: {@link Phase#JOIN} (poll until the group is stable), {@link Phase#HOLD}
 * (partitions paused, so that a backlog can be written without it reading), {@link Phase#RUN} and
 * {@link Phase#STOP} (a last {@code commitSync}, then close).
 *
 * <p>Thread-safety: confined to its thread; the phase, the timeline and the progress fields are volatile;
 * {@link #stats()} may be called once the thread has ended.
 */
final class ConsumerClient extends ReceiverProgress implements Runnable {
    private static final Duration POLL = Duration.ofMillis(100);

    enum Phase { JOIN, HOLD, RUN, STOP }

    private final Properties config;
    private final String topic;
    private final int index;
    private final Tally tally;
    private final Thread thread;
    private volatile Phase phase = Phase.JOIN;
    private volatile Timeline timeline;
    private volatile boolean holding;
    private volatile int assigned;
    private volatile int generation = -1;

    ConsumerClient(String bootstrap, String group, String topic, int index, int publishers) {
        this.config = new Properties();
        config.put("bootstrap.servers", bootstrap);
        config.put("group.id", group);
        config.put("client.id", group + "-c" + index);
        config.put("enable.auto.commit", "false");
        config.put("auto.offset.reset", "earliest");
        this.topic = topic;
        this.index = index;
        boolean[] all = new boolean[publishers];
        Arrays.fill(all, true);
        this.tally = new Tally(Receipts.seenSet(publishers), all);
        this.thread = new Thread(this, "kafka-load-consumer-" + index);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Moves to {@code next}; with a timeline, that is set first (before RUN). */
    void phase(Phase next, Timeline t) {
        if (t != null) {
            timeline = t;
        }
        phase = next;
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Timeline applied = null;
            boolean paused = false;
            while (true) {
                Phase p = phase;
                if (p == Phase.STOP) {
                    break;
                }
                if (p == Phase.HOLD) {
                    consumer.pause(consumer.assignment());
                    paused = true;
                } else if (p == Phase.RUN && paused) {
                    consumer.resume(consumer.paused());
                    paused = false;
                }
                Timeline t = timeline;
                if (t != applied) {
                    tally.timeline(t);
                    applied = t;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    long now = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        byte[] v = r.value();
                        if (v == null || v.length < PayloadHeader.BYTES) {
                            tally.garbled();
                        } else {
                            tally.message(PayloadHeader.publisher(v), PayloadHeader.sequence(v),
                                    PayloadHeader.sentNanos(v), now);
                        }
                    }
                    consumer.commitAsync();
                    progress(tally);
                }
                assigned = consumer.assignment().size();
                generation = consumer.groupMetadata().generationId();
                holding = paused;
            }
            consumer.commitSync(Duration.ofSeconds(10));
        } catch (KafkaException e) {
            failed("consumer " + index + ": " + e);
        }
    }

    /** Partitions assigned, as of its last poll. */
    int assigned() {
        return assigned;
    }

    /** The group generation it is in, as of its last poll; -1 before it has joined. */
    int generation() {
        return generation;
    }

    /** Whether its partitions are paused (phase HOLD applied). */
    boolean holding() {
        return holding;
    }

    /** Stops it and waits for its thread. */
    @Override
    public void stopAndJoin(Duration timeout) throws InterruptedException {
        phase = Phase.STOP;
        thread.join(timeout.toMillis());
    }

    @Override
    public ReceiverStats stats() {
        String failure = failure();
        return tally.stats(failure != null ? failure : thread.isAlive() ? "consumer " + index + ": did not stop"
                : null);
    }
}
