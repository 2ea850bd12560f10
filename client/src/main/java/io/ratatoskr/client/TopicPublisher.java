package io.ratatoskr.client;

import io.grpc.Status;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Publishes to one durable topic, one message per {@link #send}, and packs the messages sent close together
 * into {@code PublishBatch} calls: what is sent while {@link PublisherOptions#maxCallsInFlight} calls are
 * unanswered waits, and goes in the next call when one is answered. A lone message goes at once (unless a
 * {@link PublisherOptions#linger} is set), so a slow sender pays no delay, and a busy one gets batches as
 * large as its rate and the broker's answer time make them: many messages share a call, and with
 * {@code fsync} durability one write and one fsync. Kafka's producer batches the same way.
 *
 * <p>What differs from {@link RatatoskrClient#publish}: the messages are stored in this topic only (not in
 * other durable topics whose filters capture the name); live subscribers of the name still receive them.
 * Messages must not be retained or live-only, and the QoS for live MQTT subscribers is the publisher's
 * ({@link PublisherOptions#qos}).
 *
 * <p><b>Results.</b> Each send's future completes with the message's position once the broker has stored it
 * as the topic's durability mode says, or exceptionally with a {@link RatatoskrClientException}: the
 * message's own refusal ({@code MESSAGE_TOO_LARGE}, ...; the others of its call are stored), the whole
 * call's ({@code TOPIC_NOT_FOUND}, {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}: the call's messages may
 * or may not be stored), or {@code BUFFER_FULL}. Nothing is retried: retry with an idempotency key to store
 * a message once. The futures of an answered call complete in the order its messages were sent, on a gRPC
 * thread (with {@link RatatoskrClient.Builder#directCallbacks}, the connection's thread); a {@code BUFFER_FULL}
 * on the sending thread, a {@code CANCELLED} on the closing one.
 *
 * <p><b>Order.</b> With one call in flight (the default), messages are stored in the order they were sent,
 * except that a failed call's messages are not: the next call goes on. With more calls in flight, one
 * call's messages may be stored before an earlier call's.
 *
 * <p><b>Flow control.</b> At most {@link PublisherOptions#bufferBytes} of messages wait or are in flight;
 * {@link #send} blocks for room up to {@link PublisherOptions#maxBlock}.
 *
 * <p>Thread-safety: thread-safe; share one publisher per topic.
 */
public final class TopicPublisher implements AutoCloseable {
    /** A sent message waiting for its call, or in flight. */
    private record Pending(BatchMessage message, int bytes, long queuedAtNanos,
                           CompletableFuture<PublishResult> result) {
    }

    /** Set while this thread completes a call's futures: a send from a dependent stage must not wait for room. */
    private static final ThreadLocal<Boolean> ANSWERING = new ThreadLocal<>();
    /**
     * Calls to start that this thread came upon while it was starting calls: a call that fails at once (the
     * channel down) is answered inside its start, and starting the next one there would nest a frame per call.
     */
    private static final ThreadLocal<ArrayDeque<Runnable>> STARTING = new ThreadLocal<>();

    private final RatatoskrClient client;
    private final String topic;
    private final PublisherOptions options;
    private final long lingerNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when bytes are answered (room in the buffer) and when the publisher closes. */
    private final Condition room = lock.newCondition();
    /** Signalled when nothing waits and nothing is in flight. */
    private final Condition idle = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /**
     * The calls made whose futures are not all complete yet: a {@link #flush} waits for their futures, a close
     * until there are none.
     */
    private final List<List<Pending>> inFlight = new ArrayList<>();
    /** Bytes queued or in flight. */
    private long unansweredBytes;
    /** Bytes queued. */
    private long queuedBytes;
    /** Calls made and not yet answered (below {@link PublisherOptions#maxCallsInFlight}). */
    private int callsInFlight;
    private long callsMade;
    /** How many of the queue's oldest messages go without waiting for the linger ({@link #flush}, close). */
    private int flushing;
    private ScheduledFuture<?> lingerTimer;
    /** Senders waiting for room: what waits then goes without lingering, as it is what would make room. */
    private int waitingForRoom;
    private boolean closed;

    TopicPublisher(RatatoskrClient client, String topic, PublisherOptions options) {
        this.client = client;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.options = Objects.requireNonNull(options, "options");
        this.lingerNanos = options.linger().toNanos();
    }

    /** The durable topic this publisher stores to. */
    public String topic() {
        return topic;
    }

    /** Sends {@code payload}. See {@link #send(OutgoingMessage)}. */
    public CompletableFuture<PublishResult> send(byte[] payload) {
        return send(OutgoingMessage.builder(topic).payload(payload).build());
    }

    /** Sends {@code payload} as UTF-8. See {@link #send(OutgoingMessage)}. */
    public CompletableFuture<PublishResult> send(String payload) {
        return send(payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code message}; it goes in the next call (see the class comment). Blocks while the buffer is
     * full, at most {@link PublisherOptions#maxBlock}; called from a dependent stage of a publisher's future,
     * it does not wait (the answers that make room may need the very thread it runs on).
     *
     * @throws IllegalArgumentException if the message names another topic, is retained or live-only, or sets
     *                                  a QoS other than the publisher's
     * @throws IllegalStateException    if the publisher is closed, or closes or is interrupted while this waits
     *                                  for room
     */
    public CompletableFuture<PublishResult> send(OutgoingMessage message) {
        if (message.qos() != null && !message.qos().equals(options.qos())) {
            throw new IllegalArgumentException("a message of a publisher takes the publisher's QoS ("
                    + options.qos() + "), not its own: " + message.qos());
        }
        BatchMessage m = RatatoskrClient.batchMessage(topic, message);
        int bytes = m.getSerializedSize();
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        List<List<Pending>> calls;
        lock.lock();
        try {
            if (!awaitRoom(bytes)) {
                result.completeExceptionally(new RatatoskrClientException("BUFFER_FULL",
                        Status.Code.RESOURCE_EXHAUSTED, "the publisher's buffer of " + options.bufferBytes()
                        + " bytes stayed full for " + options.maxBlock().toMillis() + " ms", null));
                return result;
            }
            queue.add(new Pending(m, bytes, System.nanoTime(), result));
            unansweredBytes += bytes;
            queuedBytes += bytes;
            calls = takeReadyCalls();
        } finally {
            lock.unlock();
        }
        sendCalls(calls);
        return result;
    }

    /**
     * Sends what waits without lingering, and returns a future that completes once every message sent
     * before this call is answered (stored or failed; each send's own future says which).
     */
    public CompletableFuture<Void> flush() {
        List<CompletableFuture<PublishResult>> waitFor = new ArrayList<>();
        List<List<Pending>> calls;
        lock.lock();
        try {
            for (List<Pending> call : inFlight) {
                for (Pending p : call) {
                    waitFor.add(p.result());
                }
            }
            for (Pending p : queue) {
                waitFor.add(p.result());
            }
            flushing = queue.size();
            calls = takeReadyCalls();
        } finally {
            lock.unlock();
        }
        sendCalls(calls);
        return CompletableFuture.allOf(waitFor.toArray(CompletableFuture[]::new)).handle((v, t) -> null);
    }

    /**
     * Sends what waits and waits up to the client's close timeout for the answers; messages still not sent
     * then fail with {@code CANCELLED}. Further sends throw. Idempotent: a second close waits as the first
     * does. Called from a dependent stage of a publisher's future, it sends what waits and does not wait.
     * The client's close closes it too.
     */
    @Override
    public void close() {
        List<List<Pending>> calls = List.of();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                room.signalAll();
                if (lingerTimer != null) {
                    lingerTimer.cancel(false);
                    lingerTimer = null;
                }
                flushing = queue.size();
                calls = takeReadyCalls();
            }
        } finally {
            lock.unlock();
        }
        sendCalls(calls);
        client.forget(this);
        if (ANSWERING.get() != null) {
            return; // the answers it would wait for may need this very thread
        }
        List<Pending> abandoned = new ArrayList<>();
        lock.lock();
        try {
            long left = client.closeTimeout().toNanos();
            while ((!queue.isEmpty() || !inFlight.isEmpty()) && left > 0) {
                left = idle.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            abandoned.addAll(queue);
            for (Pending p : queue) {
                unansweredBytes -= p.bytes();
            }
            queue.clear();
            queuedBytes = 0;
            lock.unlock();
        }
        for (Pending p : abandoned) {
            p.result().completeExceptionally(new RatatoskrClientException("CANCELLED", Status.Code.CANCELLED,
                    "the publisher closed before the message was sent", null));
        }
    }

    /** How many {@code PublishBatch} calls this publisher has made. */
    public long calls() {
        lock.lock();
        try {
            return callsMade;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "TopicPublisher[" + topic + "]";
    }

    // ---- Under the lock ----------------------------------------------------------------------------

    /** Waits until {@code bytes} more fit in the buffer; false when {@code maxBlock} passed first. */
    private boolean awaitRoom(int bytes) {
        long left = ANSWERING.get() != null ? 0 : options.maxBlock().toNanos();
        boolean counted = false;
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("the publisher to " + topic + " is closed");
                }
                if (unansweredBytes == 0 || unansweredBytes + bytes <= options.bufferBytes()) {
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
                if (!counted) {
                    counted = true;
                    waitingForRoom++;
                    List<List<Pending>> calls = takeReadyCalls(); // lingering messages hold the room
                    if (!calls.isEmpty()) {
                        lock.unlock();
                        try {
                            sendCalls(calls);
                        } finally {
                            lock.lock();
                        }
                        continue;
                    }
                }
                left = room.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for room in the publisher's buffer", e);
        } finally {
            if (counted) {
                waitingForRoom--;
            }
        }
    }

    /**
     * The calls to make now: while a call may start and the queue holds a batch that may go (full, lingered
     * long enough, or flushed), takes it off the queue. Sets the linger timer for what stays.
     */
    private List<List<Pending>> takeReadyCalls() {
        List<List<Pending>> calls = List.of();
        long now = System.nanoTime();
        while (callsInFlight < options.maxCallsInFlight() && !queue.isEmpty() && mayGo(now)) {
            List<Pending> call = new ArrayList<>(Math.min(queue.size(), options.maxBatchMessages()));
            long bytes = 0;
            while (!queue.isEmpty() && call.size() < options.maxBatchMessages()
                    && (call.isEmpty() || bytes + queue.peekFirst().bytes() <= options.maxBatchBytes())) {
                Pending p = queue.pollFirst();
                bytes += p.bytes();
                call.add(p);
            }
            queuedBytes -= bytes;
            inFlight.add(call);
            flushing = Math.max(0, flushing - call.size());
            callsInFlight++;
            callsMade++;
            if (calls.isEmpty()) {
                calls = new ArrayList<>(2);
            }
            calls.add(call);
        }
        if (lingerNanos > 0 && !queue.isEmpty() && lingerTimer == null && !closed
                && callsInFlight < options.maxCallsInFlight()) {
            long wait = Math.max(0, queue.peekFirst().queuedAtNanos() + lingerNanos - now);
            try {
                lingerTimer = client.scheduler().schedule(this::lingered, wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // The client is closing: its close closes this publisher (it was tracked before any send),
                // which sends what waits.
            }
        }
        return calls;
    }

    /** Whether the queue's first batch may go now (a call slot being free). */
    private boolean mayGo(long now) {
        return lingerNanos == 0 || flushing > 0 || closed || waitingForRoom > 0
                || queue.size() >= options.maxBatchMessages()
                || queuedBytes >= options.maxBatchBytes()
                || now - queue.peekFirst().queuedAtNanos() >= lingerNanos;
    }

    // ---- Calls -------------------------------------------------------------------------------------

    private void lingered() {
        List<List<Pending>> calls;
        lock.lock();
        try {
            lingerTimer = null;
            calls = takeReadyCalls();
        } finally {
            lock.unlock();
        }
        sendCalls(calls);
    }

    private void sendCalls(List<List<Pending>> calls) {
        if (calls.isEmpty()) {
            return;
        }
        ArrayDeque<Runnable> starting = STARTING.get();
        if (starting != null) {
            for (List<Pending> call : calls) {
                starting.add(() -> start(call));
            }
            return;
        }
        starting = new ArrayDeque<>();
        STARTING.set(starting);
        try {
            for (List<Pending> call : calls) {
                start(call);
            }
            Runnable next;
            while ((next = starting.poll()) != null) {
                next.run();
            }
        } finally {
            STARTING.remove();
        }
    }

    private void start(List<Pending> call) {
        PublishBatchRequest.Builder request = PublishBatchRequest.newBuilder().setTopic(topic);
        for (Pending p : call) {
            request.addMessages(p.message());
        }
        if (options.qos() != null) {
            request.setQos(options.qos());
        }
        client.call(RatatoskrGrpc.RatatoskrStub::publishBatch, request.build())
                .whenComplete((response, failure) -> answered(call, response, failure));
    }

    /** One call's answer: frees its slot and bytes, starts what may go next, then completes its messages. */
    private void answered(List<Pending> call, PublishBatchResponse response, Throwable failure) {
        List<List<Pending>> next;
        lock.lock();
        try {
            callsInFlight--;
            long bytes = 0;
            for (Pending p : call) {
                bytes += p.bytes();
            }
            unansweredBytes -= bytes;
            room.signalAll();
            next = takeReadyCalls();
        } finally {
            lock.unlock();
        }
        boolean outermost = ANSWERING.get() == null;
        try {
            sendCalls(next);
            if (failure == null && response.getResultsCount() != call.size()) {
                failure = new RatatoskrClientException("INTERNAL", Status.Code.INTERNAL, "the broker answered "
                        + response.getResultsCount() + " results for a batch of " + call.size() + " messages", null);
            }
            ANSWERING.set(Boolean.TRUE);
            for (int i = 0; i < call.size(); i++) {
                CompletableFuture<PublishResult> f = call.get(i).result();
                if (failure != null) {
                    f.completeExceptionally(RatatoskrClientException.from(failure));
                    continue;
                }
                switch (BatchResult.from(response.getResults(i))) {
                    case BatchResult.Stored stored -> f.complete(stored.result());
                    case BatchResult.Failed refused -> f.completeExceptionally(refused.toException());
                }
            }
        } finally {
            if (outermost) {
                ANSWERING.remove();
            }
            lock.lock();
            try {
                inFlight.removeIf(c -> c == call); // its futures are complete: flush and close need not wait
                if (queue.isEmpty() && inFlight.isEmpty()) {
                    idle.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
