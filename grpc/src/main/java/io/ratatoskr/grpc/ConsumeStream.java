package io.ratatoskr.grpc;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.Ack;
import io.ratatoskr.api.v1.AnswerFailed;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.ConsumeStarted;
import io.ratatoskr.api.v1.Error;
import io.ratatoskr.api.v1.MessageBatch;
import io.ratatoskr.api.v1.Position;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.client.ClientInfo;
import io.ratatoskr.core.client.ClientState;
import io.ratatoskr.core.client.ConnectedClient;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.GroupSink;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Header;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code Consume} stream: a member of a consumer group whose deliveries go to a gRPC client
 * against the credits it grants, and whose answers (ack, nack, reject by message id) go back to the
 * group. The protocol is described in docs/grpc.md ("Consume: consumer groups over gRPC").
 *
 * <h2>Flow control</h2>
 * A delivery is sent only against a credit and while the transport is ready
 * ({@link ServerCallStreamObserver#isReady()}); the others wait here, in the order the group handed
 * them over. The group never hands a member more than its prefetch unanswered, so at most the
 * prefetch waits. The group's ack timer runs from hand-over, so a delivery never waits longer than
 * half of the time it had left when it arrived: it is then released to the group uncounted
 * ({@link GroupMember#release}) and goes out again (to another member, or later to this one) with a
 * fresh timeout. A client therefore always has at least half the ack timeout to answer.
 *
 * <h2>Batches</h2>
 * With {@code start.max_batch} above 1, deliveries go out as {@code messages} events of up to that
 * many messages. The group hands deliveries over one by one on its thread; instead of sending each at
 * once, the stream queues them and sends what has gathered when the group ends its dispatch pass
 * ({@link GroupSink#flush}, same thread), so the deliveries of one group step (e.g. the refill after
 * a batched ack) share a response. A batch never waits to fill. An {@code ack} naming several message
 * ids applies them with one {@link GroupMember#ackAll} step of the group.
 *
 * <h2>Answers</h2>
 * Deliveries sent and not answered are kept by message id (the newest delivery of an id wins: a
 * message that timed out and came back to this stream is answered by its latest delivery). Entries
 * whose deadline passed are dropped once there are more than the prefetch, so the map stays bounded.
 * An answer to an id not kept, or one the group refuses, becomes an {@code answer_failed} event; the
 * stream goes on. Such events wait for a ready transport like deliveries (at most
 * {@value #MAX_QUEUED_EVENTS}: beyond, the stream fails RESOURCE_EXHAUSTED, CONSUMER_TOO_SLOW).
 *
 * <h2>End</h2>
 * Client half-close, cancellation, transport failure or deadline: the member leaves; deliveries sent
 * and unanswered count as failed attempts and go to another member at once, deliveries that waited
 * here are returned uncounted. The group ending (deleted group or topic: NOT_FOUND; shutdown:
 * UNAVAILABLE) or a protocol error (INVALID_ARGUMENT) ends the stream with that status.
 *
 * <p>Thread-safety: thread-safe; all state is guarded by this object's monitor. The client's messages
 * and the transport's ready and cancel callbacks arrive on the call executor (serialized by gRPC),
 * deliveries, group ends and answer outcomes on the group's thread, timer runs on the shared timer.
 * Under the monitor only in-memory work runs, plus {@link GroupMember} calls (they post to the
 * group and return) and {@code onNext}, which does not block (gRPC buffers; readiness bounds it), so
 * the group's thread never waits for more than that.
 */
final class ConsumeStream implements StreamObserver<ConsumeRequest>, GroupSink, ConnectedClient {
    private static final Logger log = LoggerFactory.getLogger(ConsumeStream.class);
    /** Answer-failed events kept while the transport is not ready. */
    static final int MAX_QUEUED_EVENTS = 1024;
    static final int MAX_MEMBER_NAME_CHARS = 200;
    /** The largest {@code max_batch} a stream may ask for. */
    static final int MAX_BATCH = 1000;
    /** The most message ids one {@code ack} may name. */
    static final int MAX_ACK_IDS = 10_000;
    /**
     * The most bytes of messages one {@code messages} response holds (about): under gRPC's default limit
     * of a received message (4 MiB), so that a client with default settings can read every response. A
     * message that alone is larger goes in a response of its own.
     */
    static final int MAX_BATCH_BYTES = 4 * 1024 * 1024 - 64 * 1024;

    private final ConsumeStreams owner;
    private final ServerCallStreamObserver<ConsumeResponse> call;
    private final ClientInfo info;

    // Guarded by this.
    private GroupMember member;
    private boolean startedSent;
    private boolean closed;
    private long credits;
    /** Messages per response: 1 sends {@code message} events, above 1 {@code messages} events. */
    private int maxBatch = 1;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final LinkedHashMap<UUID, Sent> sent = new LinkedHashMap<>();
    private final ArrayDeque<ConsumeResponse> events = new ArrayDeque<>();
    private ScheduledFuture<?> releaseTimer;
    private long releaseTimerAtMs;

    /** A delivery waiting for a credit or a ready transport; released to the group at {@code releaseAtMs}. */
    private record Waiting(GroupDelivery delivery, long releaseAtMs) {
    }

    /** A delivery sent and not answered. */
    private record Sent(long deliveryId, long deadlineMs) {
    }

    ConsumeStream(ConsumeStreams owner, ServerCallStreamObserver<ConsumeResponse> call, String id) {
        this.owner = owner;
        this.call = call;
        this.info = new ClientInfo(id, "grpc", "v1", GrpcTraffic.PEER.get(), null, owner.clock().millis(), 0, true);
        call.setOnReadyHandler(this::onReady);
        call.setOnCancelHandler(this::onCancel);
    }

    // ---------------------------------------------------------------------------------------
    // The client's messages (call executor)

    @Override
    public synchronized void onNext(ConsumeRequest request) {
        if (closed) {
            return;
        }
        if (member == null && request.getRequestCase() != ConsumeRequest.RequestCase.START) {
            fail(ErrorCode.INVALID_ARGUMENT, "the first message of a Consume stream must be 'start', got '"
                    + caseName(request) + "'");
            return;
        }
        try {
            switch (request.getRequestCase()) {
                case START -> start(request.getStart());
                case CREDIT -> credit(request.getCredit().getCount());
                case ACK -> ack(request.getAck());
                case NACK -> answer(request.getNack().getMessageId(), Answer.NACK, request.getNack().getDelayMs(),
                        null);
                case REJECT -> answer(request.getReject().getMessageId(), Answer.REJECT, 0,
                        request.getReject().getReason());
                case REQUEST_NOT_SET -> fail(ErrorCode.INVALID_ARGUMENT,
                        "empty ConsumeRequest: set one of start, credit, ack, nack or reject");
            }
        } catch (RatatoskrException e) {
            fail(e.code(), e.getMessage());
        }
    }

    /** The client half-closed: no answer can come any more, so the member leaves and the stream completes. */
    @Override
    public synchronized void onCompleted() {
        if (closed) {
            return;
        }
        end();
        call.onCompleted();
    }

    /** The call failed on the client's side (cancelled, deadline, transport): the member leaves. */
    @Override
    public synchronized void onError(Throwable t) {
        if (!closed) {
            log.debug("Consume stream of {} ended: {}", member, t.toString());
            end();
        }
    }

    private synchronized void onCancel() {
        if (!closed) {
            end();
        }
    }

    private synchronized void onReady() {
        drain();
    }

    private void start(ConsumeStart s) {
        if (member != null) {
            fail(ErrorCode.INVALID_ARGUMENT, "'start' was sent already: a Consume stream joins one group once");
            return;
        }
        String name = s.getMember().isEmpty() ? owner.generatedMemberName() : s.getMember();
        if (name.length() > MAX_MEMBER_NAME_CHARS) {
            throw ErrorCode.INVALID_ARGUMENT.exception("member name of " + name.length()
                    + " characters exceeds the maximum of " + MAX_MEMBER_NAME_CHARS);
        }
        if (s.getPrefetch() < 0 || s.getPrefetch() > 65_535) {
            throw ErrorCode.INVALID_ARGUMENT.exception("prefetch must be in 0..65535 (0: the group's prefetch), was "
                    + s.getPrefetch());
        }
        if (s.getMaxBatch() < 0 || s.getMaxBatch() > MAX_BATCH) {
            throw ErrorCode.INVALID_ARGUMENT.exception("max_batch must be in 0.." + MAX_BATCH
                    + " (0 or 1: one message per response), was " + s.getMaxBatch());
        }
        if (s.getInitialCredits() < 0) {
            throw ErrorCode.INVALID_ARGUMENT.exception("initial_credits must not be negative, was "
                    + s.getInitialCredits());
        }
        if (ConsumerGroups.checkName(s.getTopic()) != null) {
            throw ErrorCode.INVALID_TOPIC_NAME.exception(s.getTopic());
        }
        if (ConsumerGroups.checkName(s.getGroup()) != null) {
            throw ErrorCode.INVALID_GROUP_NAME.exception(s.getGroup());
        }
        owner.checkConsume(s.getTopic()); // onNext runs in the call's gRPC Context: the caller's principal
        StartPosition position = startPosition(s.getStart());
        credits = s.getInitialCredits();
        maxBatch = Math.max(1, s.getMaxBatch());
        member = owner.groups().join(s.getTopic(), s.getGroup(),
                new MemberOptions(name, s.getPrefetch(), 0, position), this);
        // Posted after the join: it completes once the member is in (its prefetch is known).
        owner.groups().describe(s.getTopic(), s.getGroup()).whenComplete(this::joined);
    }

    private synchronized void joined(GroupInfo info, Throwable err) {
        if (closed) {
            return;
        }
        if (err != null) {
            fail(GrpcErrors.toStatus(err), codeOf(err));
            return;
        }
        call.onNext(ConsumeResponse.newBuilder().setStarted(ConsumeStarted.newBuilder()
                .setTopic(member.topic())
                .setGroup(member.group())
                .setMember(member.name())
                .setPrefetch(member.prefetch())
                .setAckTimeoutMs(info.config().ackTimeoutMs())
                .setMaxBatch(maxBatch)).build());
        startedSent = true;
        owner.clients().add(this);
        drain();
    }

    private void credit(int count) {
        if (count < 0) {
            throw ErrorCode.INVALID_ARGUMENT.exception("credit count must not be negative, was " + count);
        }
        if (credits + count > Integer.MAX_VALUE) {
            throw ErrorCode.INVALID_ARGUMENT.exception("credits would exceed " + Integer.MAX_VALUE
                    + " outstanding (" + credits + " left, " + count + " more granted)");
        }
        credits += count;
        drain();
    }

    private enum Answer { ACK, NACK, REJECT }

    /**
     * An ack of one message (as {@link #answer}) or of several ({@code message_ids}): the ids in flight
     * on this stream are acknowledged in one group step, each other id gets its {@code answer_failed}.
     */
    private void ack(Ack a) {
        if (a.getMessageIdsCount() == 0) {
            answer(a.getMessageId(), Answer.ACK, 0, null);
            return;
        }
        int n = a.getMessageIdsCount() + (a.getMessageId().isEmpty() ? 0 : 1);
        if (n > MAX_ACK_IDS) {
            throw ErrorCode.INVALID_ARGUMENT.exception("an ack may name at most " + MAX_ACK_IDS
                    + " message ids, had " + n);
        }
        long[] deliveries = new long[n];
        String[] ids = new String[n];
        int k = 0;
        if (!a.getMessageId().isEmpty()) {
            k = collectAck(a.getMessageId(), deliveries, ids, k);
        }
        for (int i = 0; i < a.getMessageIdsCount(); i++) {
            k = collectAck(a.getMessageIds(i), deliveries, ids, k);
        }
        if (k == 0) {
            return;
        }
        owner.acked(k);
        String[] answered = k == n ? ids : Arrays.copyOf(ids, k);
        member.ackAll(k == n ? deliveries : Arrays.copyOf(deliveries, k)).whenComplete((acked, err) -> {
            if (err != null) {
                for (String id : answered) {
                    answerRefused(id, err);
                }
            }
        });
    }

    /** Adds the delivery of {@code messageId} to the arrays at {@code k} if it is in flight here, else fails it. */
    private int collectAck(String messageId, long[] deliveries, String[] ids, int k) {
        UUID id = parseMessageId(messageId);
        if (id == null) {
            answerFailed(messageId, GrpcErrors.toError(ErrorCode.INVALID_ARGUMENT, messageId.isEmpty()
                    ? "message_id is empty" : "'" + messageId + "' is not a message id (a UUID)"));
            return k;
        }
        Sent s = sent.remove(id);
        if (s == null) {
            answerFailed(messageId, notInFlight(id.toString()));
            return k;
        }
        deliveries[k] = s.deliveryId();
        ids[k] = messageId;
        return k + 1;
    }

    private void answer(String messageId, Answer kind, long delayMs, String reason) {
        UUID id = parseMessageId(messageId);
        if (id == null) {
            answerFailed(messageId, GrpcErrors.toError(ErrorCode.INVALID_ARGUMENT, messageId.isEmpty()
                    ? "message_id is empty" : "'" + messageId + "' is not a message id (a UUID)"));
            return;
        }
        if (delayMs < 0) {
            answerFailed(messageId, GrpcErrors.toError(ErrorCode.INVALID_ARGUMENT,
                    "nack delay_ms must not be negative, was " + delayMs));
            return;
        }
        Sent s = sent.remove(id);
        if (s == null) {
            answerFailed(messageId, notInFlight(id.toString()));
            return;
        }
        CompletableFuture<Void> applied = switch (kind) {
            case ACK -> {
                owner.acked(1);
                yield member.ack(s.deliveryId());
            }
            case NACK -> {
                owner.nacked();
                yield member.nack(s.deliveryId(), delayMs == 0 ? -1 : delayMs);
            }
            case REJECT -> {
                owner.rejected();
                yield member.reject(s.deliveryId(), reason);
            }
        };
        applied.whenComplete((v, err) -> {
            if (err != null) {
                answerRefused(messageId, err);
            }
        });
    }

    private synchronized void answerRefused(String messageId, Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        Error e = t instanceof RatatoskrException re && re.code() == ErrorCode.DELIVERY_NOT_FOUND
                ? notInFlight(messageId) : GrpcErrors.toError(t);
        answerFailed(messageId, e);
    }

    private static Error notInFlight(String messageId) {
        return GrpcErrors.toError(ErrorCode.DELIVERY_NOT_FOUND, ErrorCode.DELIVERY_NOT_FOUND.format(
                "of message " + messageId + " on this stream"));
    }

    private void answerFailed(String messageId, Error error) {
        owner.answerFailed(error.getCode());
        if (closed) {
            return;
        }
        if (events.size() >= MAX_QUEUED_EVENTS) {
            fail(ErrorCode.CONSUMER_TOO_SLOW, ErrorCode.CONSUMER_TOO_SLOW.format("the client does not read its "
                    + "Consume stream: " + MAX_QUEUED_EVENTS + " answer_failed events are waiting"));
            return;
        }
        events.add(ConsumeResponse.newBuilder().setAnswerFailed(AnswerFailed.newBuilder()
                .setMessageId(messageId).setError(error)).build());
        drain();
    }

    // ---------------------------------------------------------------------------------------
    // The group (group thread)

    @Override
    public synchronized void deliver(GroupDelivery d) {
        if (closed) {
            return; // the member is leaving: the group takes it back uncounted (it is not in the attempted list)
        }
        long now = owner.clock().millis();
        long releaseAtMs = now + Math.max(0, d.deadlineMs() - now) / 2;
        waiting.add(new Waiting(d, releaseAtMs));
        if (maxBatch > 1) {
            return; // gathered until the group's pass ends: flush sends them
        }
        drain();
        if (waiting.isEmpty()) {
            cancelReleaseTimer();
        } else if (releaseTimer == null || releaseTimerAtMs > releaseAtMs) {
            armReleaseTimer();
        }
    }

    /** The group's pass ended: a batched stream sends what it gathered, as credits and the transport allow. */
    @Override
    public synchronized void flush() {
        if (closed || maxBatch == 1) {
            return;
        }
        drain();
        armReleaseTimer();
    }

    @Override
    public synchronized void ended(ErrorCode code, String reason) {
        if (closed) {
            return;
        }
        member = null; // the group ended the membership: nothing to leave
        fail(code, reason);
    }

    @Override
    public ClientInfo info() {
        return info;
    }

    /** Its group as a {@code $queue/<group>/<topic>} subscription at QoS 1, sent and waiting deliveries. */
    @Override
    public synchronized CompletableFuture<ClientState> state() {
        Map<String, Integer> filters = member == null ? Map.of()
                : Map.of("$queue/" + member.group() + "/" + member.topic(), 1);
        return CompletableFuture.completedFuture(new ClientState(filters, sent.size(), waiting.size()));
    }

    /** The stream ends UNAVAILABLE; the member leaves its group (the client may consume again). */
    @Override
    public synchronized CompletableFuture<?> disconnect() {
        log.info("Consume stream {} of {}: disconnected by an administrator", info.clientId(), member);
        fail(ErrorCode.UNAVAILABLE, "disconnected by an administrator");
        return CompletableFuture.completedFuture(null);
    }

    /** The server is shutting down. */
    synchronized void shutdown() {
        fail(ErrorCode.UNAVAILABLE, "the broker is shutting down");
    }

    // ---------------------------------------------------------------------------------------
    // Sending

    /** Sends what credits and the transport allow: queued events first, then waiting deliveries in order. */
    private void drain() {
        if (closed || !startedSent) {
            return;
        }
        while (!events.isEmpty() && call.isReady()) {
            call.onNext(events.poll());
        }
        long now = owner.clock().millis();
        while (credits > 0 && !waiting.isEmpty() && call.isReady()) {
            if (maxBatch == 1) {
                GroupDelivery d = nextToSend(now);
                if (d != null) {
                    call.onNext(ConsumeResponse.newBuilder().setMessage(sending(d)).build());
                    owner.responseSent(1, d.message().message().receivedAtMillis());
                }
                continue;
            }
            MessageBatch.Builder batch = MessageBatch.newBuilder();
            int n = 0;
            long bytes = 0;
            long oldest = BrokerMetrics.NOT_TIMED;
            while (n < maxBatch && credits > 0 && !waiting.isEmpty()) {
                long size = approximateSize(waiting.peek().delivery().message());
                if (n > 0 && bytes + size > MAX_BATCH_BYTES) {
                    break; // the rest goes in the next response
                }
                bytes += size;
                GroupDelivery d = nextToSend(now);
                if (d != null) {
                    batch.addMessages(sending(d));
                    long received = d.message().message().receivedAtMillis();
                    if (received != BrokerMetrics.NOT_TIMED && (oldest == BrokerMetrics.NOT_TIMED || received < oldest)) {
                        oldest = received;
                    }
                    n++;
                }
            }
            if (n > 0) {
                call.onNext(ConsumeResponse.newBuilder().setMessages(batch).build());
                owner.responseSent(n, oldest);
            }
        }
        forgetTimedOut(now);
    }

    /**
     * The next waiting delivery, taking its credit, or null when the one at the head ran out of time
     * here (a stalled thread or clock): the group takes that one back, uncounted if its timer has not
     * fired yet.
     */
    private GroupDelivery nextToSend(long now) {
        GroupDelivery d = waiting.poll().delivery();
        if (d.deadlineMs() <= now) {
            release(d);
            return null;
        }
        credits--;
        return d;
    }

    /** About the bytes {@code m} takes in a response: its payload, strings and properties, plus field overhead. */
    private static long approximateSize(DurableMessage m) {
        var live = m.message();
        String contentType = live.properties().contentType();
        long size = 128L + live.payload().length + (m.key() == null ? 0 : m.key().length)
                + 3L * (live.topic().length() + m.topic().length() + (contentType == null ? 0 : contentType.length()));
        for (Header h : live.properties().userProperties()) {
            size += 8 + 3L * (h.name().length() + h.value().length()); // UTF-8: at most 3 bytes per char
        }
        return size;
    }

    /** Records {@code d} as sent (awaiting its answer) and builds its message. */
    private io.ratatoskr.api.v1.Message.Builder sending(GroupDelivery d) {
        UUID id = d.message().id();
        sent.remove(id); // an earlier delivery of the same message timed out: the newest one answers
        sent.put(id, new Sent(d.deliveryId(), d.deadlineMs()));
        owner.sent(d.message());
        return ProtoMessages.durable(d.message(), id.toString()).setAttempt(d.attempt());
    }

    /**
     * Drops kept deliveries whose deadline passed while there are more than the prefetch: the group
     * holds at most the prefetch in flight with this member, so the surplus has timed out and gone
     * elsewhere. Keeps the map within about the prefetch.
     */
    private void forgetTimedOut(long now) {
        int max = Math.max(1, member.prefetch());
        Iterator<Sent> it = sent.values().iterator();
        while (sent.size() > max && it.hasNext()) {
            if (it.next().deadlineMs() <= now) {
                it.remove();
            }
        }
    }

    private void release(GroupDelivery d) {
        owner.creditWaitExpired();
        member.release(d.deliveryId()).whenComplete((v, err) -> {
            if (err != null) {
                log.debug("releasing delivery {} of {} failed: {}", d.deliveryId(), member, err.toString());
            }
        });
    }

    /** Arms the timer for the earliest release among the waiting deliveries (none if none waits). */
    private void armReleaseTimer() {
        if (closed || waiting.isEmpty()) {
            cancelReleaseTimer();
            return;
        }
        long at = Long.MAX_VALUE;
        for (Waiting w : waiting) {
            at = Math.min(at, w.releaseAtMs());
        }
        if (releaseTimer != null && releaseTimerAtMs <= at) {
            return;
        }
        cancelReleaseTimer();
        releaseTimerAtMs = at;
        releaseTimer = owner.schedule(this::onReleaseTimer, at - owner.clock().millis());
    }

    private void cancelReleaseTimer() {
        if (releaseTimer != null) {
            releaseTimer.cancel(false);
            releaseTimer = null;
        }
    }

    private synchronized void onReleaseTimer() {
        releaseTimer = null;
        if (closed) {
            return;
        }
        long now = owner.clock().millis();
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.releaseAtMs() <= now) {
                it.remove();
                release(w.delivery());
            }
        }
        armReleaseTimer();
    }

    // ---------------------------------------------------------------------------------------
    // Ending

    /** Fails the stream with {@code code}'s status; the member leaves. */
    private void fail(ErrorCode code, String message) {
        fail(GrpcErrors.toStatus(code, message), code);
    }

    private void fail(StatusRuntimeException status, ErrorCode code) {
        if (closed) {
            return;
        }
        owner.streamFailed(code);
        log.debug("Consume stream of {} fails: {}", member, status.getMessage());
        end();
        call.onError(status);
    }

    /** Closes this side: the member (if any) leaves; unanswered sent deliveries count as attempted. */
    private void end() {
        closed = true;
        owner.clients().remove(this);
        cancelReleaseTimer();
        if (member != null) {
            List<Long> attempted = new ArrayList<>(sent.size());
            for (Sent s : sent.values()) {
                attempted.add(s.deliveryId());
            }
            GroupMember m = member;
            m.leave(attempted).whenComplete((v, err) -> {
                if (err != null) {
                    log.debug("{} could not leave: {}", m, err.toString());
                }
            });
        }
        waiting.clear();
        sent.clear();
        events.clear();
        owner.closed(this);
    }

    // ---------------------------------------------------------------------------------------
    // Parsing

    /** Where a brand-new group starts; unset: the earliest message. */
    static StartPosition startPosition(Position p) {
        return switch (p.getPositionCase()) {
            case EARLIEST, POSITION_NOT_SET -> StartPosition.EARLIEST;
            case LATEST -> StartPosition.LATEST;
            case OFFSET -> {
                if (p.getOffset() < 0) {
                    throw ErrorCode.INVALID_ARGUMENT.exception("start offset must not be negative, was "
                            + p.getOffset());
                }
                yield new StartPosition.AtOffset(p.getOffset());
            }
            case TIMESTAMP_MS -> new StartPosition.AtTime(p.getTimestampMs());
        };
    }

    /**
     * The message id {@code id} names, or null unless it is a UUID in the canonical 8-4-4-4-12 form
     * (hex digits of either case). Stricter than {@link UUID#fromString}, which also takes shorter groups.
     */
    static UUID parseMessageId(String id) {
        if (id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(18) != '-'
                || id.charAt(23) != '-') {
            return null;
        }
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                continue;
            }
            int digit = hexDigit(id.charAt(i));
            if (digit < 0) {
                return null;
            }
            if (i < 18) {
                msb = msb << 4 | digit;
            } else {
                lsb = lsb << 4 | digit;
            }
        }
        return new UUID(msb, lsb);
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String caseName(ConsumeRequest r) {
        return r.getRequestCase() == ConsumeRequest.RequestCase.REQUEST_NOT_SET ? "nothing"
                : r.getRequestCase().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static ErrorCode codeOf(Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return t instanceof RatatoskrException re ? re.code() : ErrorCode.INTERNAL;
    }

    @Override
    public String toString() {
        return "ConsumeStream[" + member + "]";
    }

}
