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
import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.SendLoop;
import io.ratatoskr.bench.mqtt.SenderStats;
import io.ratatoskr.client.TopicPublisher;
import org.HdrHistogram.Histogram;


/**
 * One publishing client of the gRPC load: its own channel (connection), publishing to one durable topic with
 * unary {@code Publish} calls or, with a batch size, {@code PublishBatch} calls of that many messages; or one
 * message per send of the Java client's {@link TopicPublisher}, which makes the calls (its own client and channel).
 *
 * <p>It keeps sending in a closed loop of at most {@code window} calls (1: a sequential publisher) or at a fixed
 * rate, each call then stamped with its due time ({@link SendLoop}); with a direct executor on the channel, responses
 * send the next call from the channel's thread, so that no thread of ours sits between a response and the next
 * call.
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
final class Publisher extends SendLoop {
    private final RatatoskrGrpc.RatatoskrStub stub;
    private final TopicPublisher topicPublisher;
    private final String topic;
    private final int index;
    private final byte[] template;
    private final int batch;
    private final long limit;
    private final Histogram ackLatency = Histograms.create();
    private int nextSequence;
    private long sentMeasured;
    private long acked;
    private long ackedMeasured;
    private long refused;
    private long calls;
    private String failure;

    /**
     * @param batch messages per call: 0 for unary {@code Publish}, else {@code PublishBatch} of that many
     * @param limit messages to send at most, or 0 to send until the window ends
     */
    Publisher(RatatoskrGrpc.RatatoskrStub stub, String topic, int index, int payloadBytes, int window, int batch,
              long limit) {
        this(stub, null, topic, index, payloadBytes, window, batch, limit);
    }

    /** A client sending through {@code publisher}, {@code window} sends outstanding, until the window ends. */
    Publisher(TopicPublisher publisher, int index, int payloadBytes, int window) {
        this(null, publisher, publisher.topic(), index, payloadBytes, window, 1, 0);
    }

    private Publisher(RatatoskrGrpc.RatatoskrStub stub, TopicPublisher topicPublisher, String topic, int index,
                      int payloadBytes, int window, int batch, long limit) {
        super("grpc-load-pacer-" + index, window);
        this.stub = stub;
        this.topicPublisher = topicPublisher;
        this.topic = topic;
        this.index = index;
        this.template = PayloadHeader.filled(payloadBytes);
        this.batch = batch;
        this.limit = limit == 0 ? Integer.MAX_VALUE : limit;
    }

    @Override
    protected void sendNext(long due) {
        int first;
        int count;
        long stamp;
        synchronized (this) {
            if (stopped()) {
                return;
            }
            long now = System.nanoTime();
            stamp = due == -1 ? now : due;
            if (now - timeline.measureEndNanos() >= 0 || nextSequence >= limit) {
                stop();
                return;
            }
            first = nextSequence;
            count = (int) Math.min(Math.max(1, batch), limit - first);
            nextSequence += count;
            if (timeline.measures(stamp)) {
                sentMeasured += count;
            }
            calls++;
            sending();
        }
        if (topicPublisher != null) {
            topicPublisher.send(payloadBytes(stamp, first)).whenComplete((stored, failure) -> {
                if (failure == null) {
                    answered(stamp, 1, 0, null, true);
                } else {
                    answered(stamp, 0, 1, "send failed: " + failure, false);
                }
            });
        } else if (batch == 0) {
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
        return ByteString.copyFrom(payloadBytes(stamp, sequence));
    }

    private byte[] payloadBytes(long stamp, int sequence) {
        byte[] value = template.clone();
        PayloadHeader.write(value, stamp, index, sequence);
        return value;
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
        answered(!continueLoop);
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

    /** Calls made (by the client's publisher, in its mode). */
    synchronized long calls() {
        return topicPublisher != null ? topicPublisher.calls() : calls;
    }

    /** What it did; call once it has stopped. Unacknowledged counts messages, not calls. */
    synchronized SenderStats stats() {
        return new SenderStats(nextSequence, sentMeasured, acked, ackedMeasured, refused, 0,
                nextSequence - acked - refused, ackLatency.copy(), failure);
    }
}
