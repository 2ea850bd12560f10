package io.ratatoskr.bench.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.PublishResult;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.bench.mqtt.Histograms;
import io.ratatoskr.bench.mqtt.Pacer;
import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.SenderStats;
import io.ratatoskr.bench.mqtt.Timeline;
import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One publishing client of the gRPC load: its own channel (connection), publishing to one durable topic with
 * unary {@code Publish} calls or, with a batch size, {@code PublishBatch} calls of that many messages.
 *
 * <ul>
 *   <li><b>Closed loop</b> ({@link #start}): at most {@code window} calls outstanding; the first are sent by
 *       {@code start}, then each response sends the next call from the channel's thread (the stub runs with a
 *       direct executor), so that no thread of ours sits between a response and the next call. Window 1 is a
 *       sequential publisher.</li>
 *   <li><b>Fixed rate</b> ({@link #startPaced}): a thread of its own sends call {@code k} when it is due,
 *       {@code first + k * interval}, stamped with the time it was <em>due</em>: a broker that falls behind is
 *       charged for the wait in both the end-to-end and the round-trip latency (no coordinated omission). At
 *       most {@link #PACED_OUTSTANDING_MAX} calls may be outstanding; beyond that the pacer waits (and the due
 *       stamps keep counting).</li>
 * </ul>
 *
 * <p>Every payload starts with the {@link PayloadHeader} (send time, this client's index, sequence number), so
 * that the run's consumers can measure latency and tell lost from duplicate messages. A failed call (any gRPC
 * status) or a message refused inside a batch response counts as refused; a failed call also stops this client
 * and is reported as its failure, so that no error goes unseen.
 *
 * <p>It stops when the measurement window ends, when it has sent its limit (a preload), after a failed call, or
 * when told to.
 *
 * <p>Thread-safety: counters are guarded by this object's lock (calls are started by the starting thread, the
 * pacer and the channel's thread; responses arrive on the channel's thread); {@link #outstanding()} and
 * {@link #stopped()} may be read from any thread.
 */
final class Publisher {
    /** The most calls a paced publisher keeps outstanding. */
    static final int PACED_OUTSTANDING_MAX = 10_000;

    private final RatatoskrGrpc.RatatoskrStub stub;
    private final String topic;
    private final int index;
    private final byte[] template;
    private final int window;
    private final int batch;
    private final long limit;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Histogram ackLatency = Histograms.create();
    private volatile boolean stopped;
    private Timeline timeline;
    private int nextSequence;
    private long sentMeasured;
    private long acked;
    private long ackedMeasured;
    private long refused;
    private long calls;
    private String failure;
    private volatile boolean paced;
    private volatile Pacer pacer;

    /**
     * @param batch messages per call: 0 for unary {@code Publish}, else {@code PublishBatch} of that many
     * @param limit messages to send at most, or 0 to send until the window ends
     */
    Publisher(RatatoskrGrpc.RatatoskrStub stub, String topic, int index, int payloadBytes, int window, int batch,
              long limit) {
        this.stub = stub;
        this.topic = topic;
        this.index = index;
        this.template = PayloadHeader.filled(payloadBytes);
        this.window = window;
        this.batch = batch;
        this.limit = limit == 0 ? Integer.MAX_VALUE : limit;
    }

    /** Closed loop: sends the first window of calls; responses keep it full. */
    void start(Timeline t) {
        synchronized (this) {
            this.timeline = t;
        }
        for (int i = 0; i < window; i++) {
            sendNext(-1);
        }
    }

    /**
     * Fixed rate: a thread sends {@code ratePerSecond} messages/s (in calls of the batch size), the first at
     * {@code firstNanos}.
     */
    void startPaced(Timeline t, double ratePerSecond, long firstNanos) {
        synchronized (this) {
            this.timeline = t;
        }
        paced = true;
        pacer = Pacer.start("grpc-load-pacer-" + index, firstNanos, 1e9 * Math.max(1, batch) / ratePerSecond,
                this::stopped, outstanding::get, PACED_OUTSTANDING_MAX, this::sendNext);
    }

    /** Sends one call, stamped {@code due} (paced) or now (closed loop, {@code due} -1). */
    private void sendNext(long due) {
        int first;
        int count;
        long stamp;
        synchronized (this) {
            if (stopped) {
                return;
            }
            long now = System.nanoTime();
            stamp = due == -1 ? now : due;
            if (now - timeline.measureEndNanos() >= 0 || nextSequence >= limit) {
                stopped = true;
                return;
            }
            first = nextSequence;
            count = (int) Math.min(Math.max(1, batch), limit - first);
            nextSequence += count;
            if (timeline.measures(stamp)) {
                sentMeasured += count;
            }
            calls++;
            outstanding.incrementAndGet();
        }
        if (batch == 0) {
            stub.publish(PublishRequest.newBuilder().setTopic(topic).setPayload(payload(stamp, first)).build(),
                    new UnaryResponse(stamp));
        } else {
            PublishBatchRequest.Builder request = PublishBatchRequest.newBuilder().setTopic(topic);
            for (int i = 0; i < count; i++) {
                request.addMessages(BatchMessage.newBuilder().setPayload(payload(stamp, first + i)));
            }
            stub.publishBatch(request.build(), new BatchResponse(stamp, count));
        }
    }

    private ByteString payload(long stamp, int sequence) {
        byte[] value = template.clone();
        PayloadHeader.write(value, stamp, index, sequence);
        return ByteString.copyFrom(value);
    }

    /** {@code stored} messages of a call sent at {@code stamp} were stored, {@code refusedNow} refused. */
    private void answered(long stamp, int stored, int refusedNow, String error, boolean continueLoop) {
        long now = System.nanoTime();
        synchronized (this) {
            acked += stored;
            refused += refusedNow;
            if (timeline.measures(now)) {
                ackedMeasured += stored;
            }
            if (stored > 0 && timeline.measures(stamp)) {
                ackLatency.recordValueWithCount(Histograms.clamp(now - stamp), stored);
            }
            if (error != null && failure == null) {
                failure = "publisher " + index + ": " + error;
            }
        }
        outstanding.decrementAndGet();
        if (!continueLoop) {
            stopped = true;
        } else if (!paced) {
            sendNext(-1);
        }
    }

    private final class UnaryResponse implements StreamObserver<PublishResponse> {
        private final long stamp;

        UnaryResponse(long stamp) {
            this.stamp = stamp;
        }

        @Override
        public void onNext(PublishResponse value) {
        }

        @Override
        public void onError(Throwable t) {
            answered(stamp, 0, 1, "Publish failed: " + t, false);
        }

        @Override
        public void onCompleted() {
            answered(stamp, 1, 0, null, true);
        }
    }

    private final class BatchResponse implements StreamObserver<PublishBatchResponse> {
        private final long stamp;
        private final int count;
        private PublishBatchResponse response;

        BatchResponse(long stamp, int count) {
            this.stamp = stamp;
            this.count = count;
        }

        @Override
        public void onNext(PublishBatchResponse value) {
            response = value;
        }

        @Override
        public void onError(Throwable t) {
            answered(stamp, 0, count, "PublishBatch failed: " + t, false);
        }

        @Override
        public void onCompleted() {
            int stored = 0;
            String error = null;
            if (response != null) {
                for (PublishResult r : response.getResultsList()) {
                    if (r.hasStored()) {
                        stored++;
                    } else if (error == null) {
                        error = "PublishBatch refused a message: " + r.getError().getCode() + " "
                                + r.getError().getMessage();
                    }
                }
            }
            if (response == null || response.getResultsCount() != count) {
                error = "PublishBatch answered " + (response == null ? 0 : response.getResultsCount())
                        + " result(s) for " + count + " message(s)";
            }
            answered(stamp, stored, count - stored, error, error == null);
        }
    }

    /** Stops sending; what is outstanding is still answered. */
    void stop() {
        stopped = true;
    }

    /** Whether it has stopped sending (window over, limit reached, told to, or failed). */
    boolean stopped() {
        return stopped;
    }

    /** Calls sent and not yet answered. Any thread. */
    int outstanding() {
        return outstanding.get();
    }

    /** Stops the pacer, if any, and waits for it. */
    void joinPacer() throws InterruptedException {
        stopped = true;
        if (pacer != null) {
            pacer.join();
        }
    }

    /** Calls made. */
    synchronized long calls() {
        return calls;
    }

    /** What it did; call once it has stopped. Unacknowledged counts messages, not calls. */
    synchronized SenderStats stats() {
        return new SenderStats(nextSequence, sentMeasured, acked, ackedMeasured, refused, 0,
                nextSequence - acked - refused, ackLatency.copy(), failure);
    }
}
