package io.ratatoskr.bench.grpc;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ratatoskr.api.v1.Ack;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.Credit;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.api.v1.Position;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.bench.mqtt.PayloadHeader;
import io.ratatoskr.bench.mqtt.ReceiverProgress;
import io.ratatoskr.bench.mqtt.ReceiverStats;
import io.ratatoskr.bench.mqtt.Receipts;
import io.ratatoskr.bench.mqtt.Tally;
import io.ratatoskr.bench.mqtt.Timeline;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One member of the run's consumer group: a {@code Consume} stream on its own channel. It starts with
 * {@code prefetch} credits and the same prefetch, acknowledges every delivery at once ({@code ack} by message
 * id) and grants credits back in steps of half the prefetch (at least 1), so that at most {@code prefetch}
 * deliveries are ever unanswered or granted: the prefetch window. With a batch above 1 it asks for
 * {@code max_batch} deliveries per response and answers each response with one {@code ack} naming all of
 * its messages (and a credit once half the prefetch is owed); with 1, one message per response and one
 * {@code ack} per message, as clients before batching. Every delivery is counted by a {@link Tally}
 * (payload header: new or repeat, latency); one with {@code attempt} above 1 counts as a redelivery, an
 * {@code answer_failed} as an error.
 *
 * <p>Thread-safety: the response callbacks run serially (gRPC's guarantee for one call) and own the tally and
 * the request stream; the timeline and the progress fields are volatile; {@link #stats} may be called after
 * {@link #stopAndJoin}.
 */
final class ConsumeMember extends ReceiverProgress
        implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
    private final RatatoskrGrpc.RatatoskrStub stub;
    private final String topic;
    private final String group;
    private final int index;
    private final int prefetch;
    private final int creditStep;
    private final int batch;
    private final Tally tally;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Timeline timeline;
    private volatile boolean stopping;
    private ClientCallStreamObserver<ConsumeRequest> requests;
    private Timeline applied;
    private int answeredSinceCredit;
    private long answerFailures;
    private String firstAnswerFailure;

    ConsumeMember(RatatoskrGrpc.RatatoskrStub stub, String topic, String group, int index, int prefetch,
                  int batch, int publishers) {
        this.batch = batch;
        this.stub = stub;
        this.topic = topic;
        this.group = group;
        this.index = index;
        this.prefetch = prefetch;
        this.creditStep = Math.max(1, prefetch / 2);
        boolean[] all = new boolean[publishers];
        Arrays.fill(all, true);
        this.tally = new Tally(Receipts.seenSet(publishers), all);
    }

    /** Opens the stream and sends {@code start}; {@link #awaitStarted} waits for the broker's answer. */
    void start(Timeline t) {
        timeline = t;
        stub.consume(this);
        synchronized (this) {
            requests.onNext(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic(topic)
                    .setGroup(group).setMember("m" + index).setInitialCredits(prefetch).setPrefetch(prefetch)
                    .setMaxBatch(batch > 1 ? batch : 0)
                    .setStart(Position.newBuilder().setEarliest(true))).build());
        }
    }

    /** Sets the measurement window (before the messages it is to measure arrive). */
    void timeline(Timeline t) {
        timeline = t;
    }

    /** Whether the broker answered {@code start} within the timeout. */
    boolean awaitStarted(long timeoutMs) throws InterruptedException {
        return started.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsumeRequest> requestStream) {
        this.requests = requestStream;
    }

    @Override
    public void onNext(ConsumeResponse response) {
        switch (response.getEventCase()) {
            case STARTED -> started.countDown();
            case MESSAGE -> {
                delivered(response.getMessage());
                if (!stopping) {
                    answer(Ack.newBuilder().setMessageId(response.getMessage().getMessageId()), 1);
                }
            }
            case MESSAGES -> {
                Ack.Builder ack = Ack.newBuilder();
                for (Message m : response.getMessages().getMessagesList()) {
                    delivered(m);
                    ack.addMessageIds(m.getMessageId());
                }
                if (!stopping) {
                    answer(ack, response.getMessages().getMessagesCount());
                }
            }
            case ANSWER_FAILED -> {
                answerFailures++;
                if (firstAnswerFailure == null) {
                    firstAnswerFailure = response.getAnswerFailed().getError().getCode() + " for "
                            + response.getAnswerFailed().getMessageId();
                }
            }
            case EVENT_NOT_SET -> tally.garbled();
        }
    }

    private void delivered(Message m) {
        Timeline t = timeline;
        if (t != applied) {
            tally.timeline(t);
            applied = t;
        }
        long now = System.nanoTime();
        byte[] v = m.getPayload().toByteArray();
        if (m.getAttempt() > 1) {
            tally.redelivery();
        }
        if (v.length < PayloadHeader.BYTES) {
            tally.garbled();
        } else {
            tally.message(PayloadHeader.publisher(v), PayloadHeader.sequence(v), PayloadHeader.sentNanos(v), now);
        }
        progress(tally);
    }

    /** Sends {@code ack} (of {@code count} messages) and the credits owed once they reach the step. */
    private void answer(Ack.Builder ack, int count) {
        synchronized (this) {
            requests.onNext(ConsumeRequest.newBuilder().setAck(ack).build());
            answeredSinceCredit += count;
            if (answeredSinceCredit >= creditStep) {
                requests.onNext(ConsumeRequest.newBuilder().setCredit(Credit.newBuilder()
                        .setCount(answeredSinceCredit)).build());
                answeredSinceCredit = 0;
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        if (!stopping) {
            failed("member " + index + ": Consume failed: " + t);
        }
        started.countDown();
        ended.countDown();
    }

    @Override
    public void onCompleted() {
        if (!stopping) {
            failed("member " + index + ": the broker ended the Consume stream");
        }
        started.countDown();
        ended.countDown();
    }

    /** Half-closes the stream (the member leaves), waits for the broker to end it, else cancels it. */
    @Override
    public void stopAndJoin(Duration timeout) throws InterruptedException {
        long timeoutMs = timeout.toMillis();
        stopping = true;
        synchronized (this) {
            if (requests != null) {
                requests.onCompleted();
            }
        }
        if (!ended.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            requests.cancel("load run over", null);
            ended.await(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public ReceiverStats stats() {
        String f = failure();
        if (f == null && answerFailures > 0) {
            f = "member " + index + ": " + answerFailures + " answer(s) failed, first " + firstAnswerFailure;
        }
        return tally.stats(f);
    }
}
