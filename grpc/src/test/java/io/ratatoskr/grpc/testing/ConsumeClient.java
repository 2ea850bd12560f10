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
    /** The size of every {@code messages} (batch) event, in arrival order; single {@code message} events are not in it. */
    public final LinkedBlockingQueue<Integer> batchSizes = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<AnswerFailed> answerFailures = new LinkedBlockingQueue<>();
    private volatile Throwable error;
    private volatile boolean completed;
    private volatile ClientCallStreamObserver<ConsumeRequest> requests;
    /** How many responses the client reads before {@link #read} asks for more; -1: reads all as they come. */
    private final int reads;

    private ConsumeClient(int reads) {
        this.reads = reads;
    }

    /** Opens a stream (nothing is sent yet). */
    public static ConsumeClient open(RatatoskrGrpc.RatatoskrStub stub) {
        return open(stub, -1);
    }

    /**
     * Opens a stream that reads only {@code reads} responses from the transport until {@link #read}
     * asks for more (as a client busy elsewhere); -1 reads everything as it comes.
     */
    public static ConsumeClient open(RatatoskrGrpc.RatatoskrStub stub, int reads) {
        ConsumeClient c = new ConsumeClient(reads);
        stub.consume(c.new Responses());
        return c;
    }

    /** Lets a client opened with a read limit read {@code n} more responses. */
    public void read(int n) {
        requests.request(n);
    }

    /** Opens a stream and joins {@code group} of {@code topic} with {@code credits} and {@code prefetch}. */
    public static ConsumeClient start(RatatoskrGrpc.RatatoskrStub stub, String topic, String group, int credits,
                                      int prefetch) {
        ConsumeClient c = open(stub);
        c.send(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic(topic).setGroup(group)
                .setInitialCredits(credits).setPrefetch(prefetch)).build());
        return c;
    }

    /**
     * Opens a stream and joins {@code group} of {@code topic} with {@code credits}, {@code prefetch} and
     * {@code maxBatch} deliveries per response.
     */
    public static ConsumeClient start(RatatoskrGrpc.RatatoskrStub stub, String topic, String group, int credits,
                                      int prefetch, int maxBatch) {
        ConsumeClient c = open(stub);
        c.send(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic(topic).setGroup(group)
                .setInitialCredits(credits).setPrefetch(prefetch).setMaxBatch(maxBatch)).build());
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

    /** One {@code ack} naming every id of {@code messageIds} (in {@code message_ids}). */
    public void ackAll(List<String> messageIds) {
        send(ConsumeRequest.newBuilder().setAck(Ack.newBuilder().addAllMessageIds(messageIds)).build());
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
            if (reads >= 0) {
                r.disableAutoRequestWithInitial(reads);
            }
        }

        @Override
        public void onNext(ConsumeResponse r) {
            switch (r.getEventCase()) {
                case STARTED -> started.add(r.getStarted());
                case MESSAGE -> messages.add(r.getMessage());
                case MESSAGES -> {
                    batchSizes.add(r.getMessages().getMessagesCount());
                    messages.addAll(r.getMessages().getMessagesList());
                }
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
