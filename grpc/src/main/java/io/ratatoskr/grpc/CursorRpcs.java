package io.ratatoskr.grpc;

import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.CommitOffsetRequest;
import io.ratatoskr.api.v1.CommitOffsetResponse;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.FetchResponse;
import io.ratatoskr.api.v1.GetOffsetRequest;
import io.ratatoskr.api.v1.GetOffsetResponse;
import io.ratatoskr.api.v1.PartitionOffset;
import io.ratatoskr.api.v1.Position;
import io.ratatoskr.api.v1.SeekRequest;
import io.ratatoskr.api.v1.SeekResponse;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.ReadBatch;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.core.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seek, Fetch, CommitOffset and GetOffset: cursor consumers over {@link DurableTopics} (read,
 * resolve, commitOffset) and the group seek of {@code ConsumerGroups}.
 *
 * <p>A Fetch with {@code max_wait_ms} that finds nothing new waits without holding a thread: it
 * watches the partition ({@code Partition.watch}: called when the durable end moves) and sets a
 * timer on {@code poller}; whichever comes first reads again, on {@code poller}, and answers. The
 * call's cancellation (client gone, deadline passed) removes the watch and the timer.
 *
 * <p>Thread-safety: stateless apart from the thread-safe backend and executor.
 */
final class CursorRpcs {
    private static final Logger log = LoggerFactory.getLogger(CursorRpcs.class);
    static final int DEFAULT_MAX_MESSAGES = 500;
    static final int MAX_MESSAGES = 10_000;
    static final int DEFAULT_MAX_BYTES = 1024 * 1024;
    static final int MAX_BYTES = 16 * 1024 * 1024;
    static final long MAX_WAIT_MS = 300_000;

    private final GrpcBackend backend;
    private final ScheduledExecutorService poller;

    CursorRpcs(GrpcBackend backend, ScheduledExecutorService poller) {
        this.backend = backend;
        this.poller = poller;
    }

    void seek(SeekRequest request, StreamObserver<SeekResponse> response) {
        Calls.async(response, () -> {
            String topic = request.getTopic();
            DurableTopics.checkName(topic);
            StartPosition position = position(request.getPosition());
            return switch (request.getTargetCase()) {
                case GROUP -> backend.groups().seek(topic, request.getGroup(), position)
                        .thenCompose(done -> backend.groups().describe(topic, request.getGroup()))
                        .thenApply(CursorRpcs::offsets);
                case CONSUMER -> seekConsumer(topic, checkConsumer(request.getConsumer()), position);
                case TARGET_NOT_SET -> throw ErrorCode.INVALID_ARGUMENT.exception("set group or consumer");
            };
        });
    }

    private static SeekResponse offsets(GroupInfo g) {
        SeekResponse.Builder b = SeekResponse.newBuilder();
        for (GroupInfo.PartitionInfo p : g.partitions()) {
            b.addOffsets(PartitionOffset.newBuilder().setPartition(p.partition()).setOffset(p.committedOffset()));
        }
        return b.build();
    }

    private CompletableFuture<SeekResponse> seekConsumer(String topic, String consumer, StartPosition position) {
        DurableTopics topics = backend.topics();
        int partitions = topics.describe(topic).partitions().size();
        SeekResponse.Builder b = SeekResponse.newBuilder();
        List<CompletableFuture<Void>> commits = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            long offset = topics.resolve(topic, p, position);
            b.addOffsets(PartitionOffset.newBuilder().setPartition(p).setOffset(offset));
            commits.add(topics.commitOffset(topic, consumer, p, offset));
        }
        return CompletableFuture.allOf(commits.toArray(CompletableFuture<?>[]::new)).thenApply(done -> b.build());
    }

    static StartPosition position(Position p) {
        return switch (p.getPositionCase()) {
            case EARLIEST -> StartPosition.EARLIEST;
            case LATEST -> StartPosition.LATEST;
            case OFFSET -> {
                Calls.check(p.getOffset() >= 0, "position.offset must not be negative, was " + p.getOffset());
                yield new StartPosition.AtOffset(p.getOffset());
            }
            case TIMESTAMP_MS -> {
                Calls.check(p.getTimestampMs() >= 0, "position.timestamp_ms must not be negative");
                yield new StartPosition.AtTime(p.getTimestampMs());
            }
            case POSITION_NOT_SET -> throw ErrorCode.INVALID_ARGUMENT.exception(
                    "position is required: earliest, latest, offset or timestamp_ms");
        };
    }

    void fetch(FetchRequest request, StreamObserver<FetchResponse> response) {
        Calls.async(response, () -> {
            String topic = request.getTopic();
            DurableTopics.checkName(topic);
            int partition = request.getPartition();
            long offset = request.getOffset();
            Calls.check(partition >= 0, "partition must not be negative, was " + partition);
            Calls.check(offset >= 0, "offset must not be negative, was " + offset);
            int maxMessages = Calls.orDefault(request.getMaxMessages(), DEFAULT_MAX_MESSAGES, 1, MAX_MESSAGES,
                    "max_messages");
            int maxBytes = Calls.orDefault(request.getMaxBytes(), DEFAULT_MAX_BYTES, 1, MAX_BYTES, "max_bytes");
            long maxWaitMs = request.getMaxWaitMs();
            Calls.check(maxWaitMs >= 0 && maxWaitMs <= MAX_WAIT_MS,
                    "max_wait_ms must be in 0.." + MAX_WAIT_MS + ", was " + maxWaitMs);
            ReadBatch batch = backend.topics().read(topic, partition, offset, maxMessages, maxBytes);
            if (maxWaitMs == 0 || !caughtUp(batch, offset)) {
                return CompletableFuture.completedFuture(toResponse(batch));
            }
            LongPoll poll = new LongPoll(topic, partition, offset, maxMessages, maxBytes);
            poll.start(maxWaitMs);
            return poll.result;
        });
    }

    /** Nothing to return yet: no message read and the read position is the partition's end. */
    private static boolean caughtUp(ReadBatch batch, long offset) {
        return batch.messages().isEmpty() && batch.nextOffset() <= Math.max(offset, batch.startOffset());
    }

    private static FetchResponse toResponse(ReadBatch batch) {
        FetchResponse.Builder b = FetchResponse.newBuilder()
                .setNextOffset(batch.nextOffset())
                .setStartOffset(batch.startOffset())
                .setEndOffset(batch.endOffset());
        for (DurableMessage m : batch.messages()) {
            b.addMessages(ProtoMessages.durable(m));
        }
        return b.build();
    }

    /** One waiting Fetch: answered once, by new data, the timer, or not at all (cancelled). */
    private final class LongPoll {
        final CompletableFuture<FetchResponse> result = new CompletableFuture<>();
        private final String topic;
        private final int partition;
        private final long offset;
        private final int maxMessages;
        private final int maxBytes;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicBoolean readQueued = new AtomicBoolean();
        private volatile AutoCloseable watch;
        private volatile ScheduledFuture<?> timer;

        LongPoll(String topic, int partition, long offset, int maxMessages, int maxBytes) {
            this.topic = topic;
            this.partition = partition;
            this.offset = offset;
            this.maxMessages = maxMessages;
            this.maxBytes = maxBytes;
            // Calls.async cancels the result when the call is cancelled (client gone, deadline passed).
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) {
                    finish();
                }
            });
        }

        void start(long maxWaitMs) {
            // The listener runs on a partition thread: it only queues a read on the poller.
            watch = backend.topics().partition(topic, partition).watch(this::queueRead);
            timer = poller.schedule(() -> read(true), maxWaitMs, TimeUnit.MILLISECONDS);
            queueRead(); // a message appended between the first read and the watch
        }

        private void queueRead() {
            if (!done.get() && readQueued.compareAndSet(false, true)) {
                poller.execute(() -> {
                    readQueued.set(false);
                    read(false);
                });
            }
        }

        private void read(boolean timedOut) {
            if (done.get()) {
                return;
            }
            try {
                ReadBatch batch = backend.topics().read(topic, partition, offset, maxMessages, maxBytes);
                if (timedOut || !caughtUp(batch, offset)) {
                    finish();
                    result.complete(toResponse(batch));
                }
            } catch (RuntimeException e) {
                finish();
                result.completeExceptionally(e);
            }
        }

        private void finish() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            AutoCloseable w = watch;
            if (w != null) {
                try {
                    w.close();
                } catch (Exception e) {
                    log.debug("closing a partition watch failed: {}", e.toString());
                }
            }
        }
    }

    void commitOffset(CommitOffsetRequest request, StreamObserver<CommitOffsetResponse> response) {
        Calls.async(response, () -> {
            DurableTopics.checkName(request.getTopic());
            Calls.check(request.getPartition() >= 0, "partition must not be negative");
            Calls.check(request.getOffset() >= 0, "offset must not be negative, was " + request.getOffset());
            return backend.topics().commitOffset(request.getTopic(), checkConsumer(request.getConsumer()),
                    request.getPartition(), request.getOffset()).thenApply(done -> CommitOffsetResponse.getDefaultInstance());
        });
    }

    void getOffset(GetOffsetRequest request, StreamObserver<GetOffsetResponse> response) {
        Calls.unary(response, () -> {
            DurableTopics.checkName(request.getTopic());
            Calls.check(request.getPartition() >= 0, "partition must not be negative");
            backend.topics().partition(request.getTopic(), request.getPartition()); // TOPIC_NOT_FOUND, range
            OptionalLong o = backend.topics().committedOffset(request.getTopic(), checkConsumer(request.getConsumer()),
                    request.getPartition());
            return GetOffsetResponse.newBuilder().setFound(o.isPresent()).setOffset(o.orElse(0)).build();
        });
    }

    /** Cursor consumer names: 1-200 characters; names starting with '$' are the broker's own. */
    private static String checkConsumer(String consumer) {
        Calls.required(consumer, "consumer");
        Calls.check(consumer.length() <= 200 && consumer.indexOf('\u0000') < 0,
                "consumer must have 1-200 characters and no U+0000");
        Calls.check(!consumer.startsWith("$"), "consumer names starting with '$' are reserved for the broker");
        return consumer;
    }
}
