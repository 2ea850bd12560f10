package io.ratatoskr.grpc.testing;

import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ratatoskr.api.v1.Ack;
import io.ratatoskr.api.v1.AnswerFailed;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.ConsumeStarted;
import io.ratatoskr.api.v1.Credit;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.api.v1.Nack;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.Reject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code Consume} stream driven from a test over the generated async stub: it records what the
 * broker sends (started, messages, answer failures, the final status) in queues the test polls.
 *
 * <p>Thread-safety: the send methods are for one test thread; the queues are thread-safe.
 */
public final class ConsumeClient implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);

    public final LinkedBlockingQueue<ConsumeStarted> started = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<AnswerFailed> answerFailures = new LinkedBlockingQueue<>();
    private volatile Throwable error;
    private volatile boolean completed;
    private volatile ClientCallStreamObserver<ConsumeRequest> requests;

    private ConsumeClient() {
    }

    /** Opens a stream (nothing is sent yet). */
    public static ConsumeClient open(RatatoskrGrpc.RatatoskrStub stub) {
        ConsumeClient c = new ConsumeClient();
        stub.consume(c.new Responses());
        return c;
    }

    /** Opens a stream and joins {@code group} of {@code topic} with {@code credits} and {@code prefetch}. */
    public static ConsumeClient start(RatatoskrGrpc.RatatoskrStub stub, String topic, String group, int credits,
                                      int prefetch) {
        ConsumeClient c = open(stub);
        c.send(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic(topic).setGroup(group)
                .setInitialCredits(credits).setPrefetch(prefetch)).build());
        return c;
    }

    /** Waits for the {@code started} answer. */
    public ConsumeStarted awaitStarted() {
        return poll(started, "started");
    }

    public void send(ConsumeRequest r) {
        requests.onNext(r);
    }

    public void credit(int n) {
        send(ConsumeRequest.newBuilder().setCredit(Credit.newBuilder().setCount(n)).build());
    }

    public void ack(String messageId) {
        send(ConsumeRequest.newBuilder().setAck(Ack.newBuilder().setMessageId(messageId)).build());
    }

    public void nack(String messageId, long delayMs) {
        send(ConsumeRequest.newBuilder().setNack(Nack.newBuilder().setMessageId(messageId).setDelayMs(delayMs))
                .build());
    }

    public void reject(String messageId, String reason) {
        send(ConsumeRequest.newBuilder().setReject(Reject.newBuilder().setMessageId(messageId).setReason(reason))
                .build());
    }

    /** The next message (waits up to 10 s). */
    public Message next() {
        return poll(messages, "a message");
    }

    /** The next {@code n} messages. */
    public List<Message> next(int n) {
        List<Message> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    public AnswerFailed nextAnswerFailure() {
        return poll(answerFailures, "an answer_failed event");
    }

    /** Waits for the stream to fail and returns its status. */
    public Status awaitError() {
        await().atMost(WAIT).until(() -> error != null);
        return Status.fromThrowable(error);
    }

    public Throwable error() {
        return error;
    }

    public boolean completed() {
        return completed;
    }

    /** Cancels the call (as a client that goes away). */
    public void cancel() {
        requests.cancel("test cancels", null);
    }

    /** Half-closes: the client sends nothing more. */
    public void halfClose() {
        requests.onCompleted();
    }

    @Override
    public void close() {
        if (error == null && !completed) {
            cancel();
        }
    }

    private static <T> T poll(LinkedBlockingQueue<T> q, String what) {
        try {
            T t = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (t == null) {
                throw new AssertionError("no " + what + " within " + WAIT);
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private final class Responses implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
        @Override
        public void beforeStart(ClientCallStreamObserver<ConsumeRequest> r) {
            requests = r;
        }

        @Override
        public void onNext(ConsumeResponse r) {
            switch (r.getEventCase()) {
                case STARTED -> started.add(r.getStarted());
                case MESSAGE -> messages.add(r.getMessage());
                case ANSWER_FAILED -> answerFailures.add(r.getAnswerFailed());
                case EVENT_NOT_SET -> throw new AssertionError("empty ConsumeResponse");
            }
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }
}
