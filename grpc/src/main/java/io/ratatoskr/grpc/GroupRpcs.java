package io.ratatoskr.grpc;

import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.ConfigureGroupRequest;
import io.ratatoskr.api.v1.DeadLetter;
import io.ratatoskr.api.v1.DeadLetterTopic;
import io.ratatoskr.api.v1.DeleteGroupRequest;
import io.ratatoskr.api.v1.DeleteGroupResponse;
import io.ratatoskr.api.v1.DescribeGroupRequest;
import io.ratatoskr.api.v1.GroupDescription;
import io.ratatoskr.api.v1.GroupMemberInfo;
import io.ratatoskr.api.v1.GroupPartition;
import io.ratatoskr.api.v1.GroupRef;
import io.ratatoskr.api.v1.InspectDeadLettersRequest;
import io.ratatoskr.api.v1.InspectDeadLettersResponse;
import io.ratatoskr.api.v1.ListDeadLettersRequest;
import io.ratatoskr.api.v1.ListDeadLettersResponse;
import io.ratatoskr.api.v1.ListGroupsRequest;
import io.ratatoskr.api.v1.ListGroupsResponse;
import io.ratatoskr.api.v1.ReplayDeadLettersRequest;
import io.ratatoskr.api.v1.ReplayDeadLettersResponse;
import io.ratatoskr.core.durable.DeadLetters;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.group.GroupId;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Consumer-group and dead-letter administration over {@code ConsumerGroups} and
 * {@link DeadLetters}. Replay blocks on appends, so it runs on {@code admin} (a small executor of
 * its own), never on a call or transport thread.
 *
 * <p>Thread-safety: stateless apart from the thread-safe backend and executor.
 */
final class GroupRpcs {
    static final int DEFAULT_INSPECT = 100;
    static final int MAX_INSPECT = 1000;
    static final int DEFAULT_REPLAY = 1000;
    static final int MAX_REPLAY = 100_000;

    private final GrpcBackend backend;
    private final Executor admin;
    /** Replays queued or running: answered UNAVAILABLE at shutdown rather than left hanging. */
    private final Set<CompletableFuture<Integer>> pendingReplays = ConcurrentHashMap.newKeySet();

    GroupRpcs(GrpcBackend backend, Executor admin) {
        this.backend = backend;
        this.admin = admin;
    }

    /**
     * Answers every replay not finished yet UNAVAILABLE (the server is shutting down; the admin
     * executor drops what is queued). A replay already running may still finish appending: its
     * progress is recorded, so calling replay again after the restart continues where it stopped.
     */
    void shutdown() {
        for (CompletableFuture<Integer> r : pendingReplays) {
            r.completeExceptionally(ErrorCode.UNAVAILABLE.exception("the broker is shutting down"));
        }
    }

    void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> response) {
        Calls.unary(response, () -> {
            List<GroupId> groups = request.getTopic().isEmpty() ? backend.groups().list()
                    : backend.groups().list(request.getTopic());
            ListGroupsResponse.Builder b = ListGroupsResponse.newBuilder();
            for (GroupId g : groups) {
                b.addGroups(GroupRef.newBuilder().setTopic(g.topic()).setGroup(g.group()));
            }
            return b.build();
        });
    }

    void describeGroup(DescribeGroupRequest request, StreamObserver<GroupDescription> response) {
        Calls.async(response, () -> backend.groups().describe(request.getTopic(), request.getGroup())
                .thenApply(GroupRpcs::toProto));
    }

    /** Merges the fields set onto the group's policy (the defaults for a new group), then describes it. */
    void configureGroup(ConfigureGroupRequest request, StreamObserver<GroupDescription> response) {
        Calls.async(response, () -> {
            String topic = request.getTopic();
            String group = request.getGroup();
            DurableTopics.checkName(topic);
            CompletableFuture<GroupConfig> current = backend.groups().describe(topic, group)
                    .thenApply(GroupInfo::config)
                    .exceptionally(e -> {
                        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        if (t instanceof RatatoskrException r && r.code() == ErrorCode.GROUP_NOT_FOUND) {
                            return GroupConfig.DEFAULTS;
                        }
                        throw e instanceof CompletionException c ? c : new CompletionException(e);
                    });
            return current.thenCompose(c -> backend.groups().configure(topic, group, merge(c, request.getConfig())))
                    .thenCompose(done -> backend.groups().describe(topic, group))
                    .thenApply(GroupRpcs::toProto);
        });
    }

    static GroupConfig merge(GroupConfig c, io.ratatoskr.api.v1.GroupConfig p) {
        long ackTimeout = p.hasAckTimeoutMs() ? p.getAckTimeoutMs() : c.ackTimeoutMs();
        int maxAttempts = p.hasMaxAttempts() ? p.getMaxAttempts() : c.maxAttempts();
        long initial = p.hasBackoffInitialMs() ? p.getBackoffInitialMs() : c.backoffInitialMs();
        double multiplier = p.hasBackoffMultiplier() ? p.getBackoffMultiplier() : c.backoffMultiplier();
        long max = p.hasBackoffMaxMs() ? p.getBackoffMaxMs() : c.backoffMaxMs();
        String dlq = !p.hasDeadLetterTopic() ? c.deadLetterTopic()
                : p.getDeadLetterTopic().isEmpty() ? null : p.getDeadLetterTopic();
        if (dlq != null) {
            DurableTopics.checkName(dlq);
        }
        int prefetch = p.hasPrefetch() ? p.getPrefetch() : c.prefetch();
        return new GroupConfig(ackTimeout, maxAttempts, initial, multiplier, max, dlq, prefetch);
    }

    void deleteGroup(DeleteGroupRequest request, StreamObserver<DeleteGroupResponse> response) {
        Calls.async(response, () -> backend.groups().delete(request.getTopic(), request.getGroup())
                .thenApply(deleted -> DeleteGroupResponse.newBuilder().setDeleted(deleted).build()));
    }

    static GroupDescription toProto(GroupInfo g) {
        GroupConfig c = g.config();
        GroupDescription.Builder b = GroupDescription.newBuilder()
                .setTopic(g.topic())
                .setGroup(g.group())
                .setConfig(io.ratatoskr.api.v1.GroupConfig.newBuilder()
                        .setAckTimeoutMs(c.ackTimeoutMs())
                        .setMaxAttempts(c.maxAttempts())
                        .setBackoffInitialMs(c.backoffInitialMs())
                        .setBackoffMultiplier(c.backoffMultiplier())
                        .setBackoffMaxMs(c.backoffMaxMs())
                        .setDeadLetterTopic(c.deadLetterTopicFor(g.topic()))
                        .setPrefetch(c.prefetch()))
                .setStarted(g.started())
                .setLag(g.lag())
                .setInFlight(g.inFlight())
                .setWaitingRetry(g.waitingRetry())
                .setDeadLetteredSinceStart(g.deadLetteredSinceStart())
                .setDeadLetterDepth(g.deadLetterDepth());
        for (GroupInfo.MemberInfo m : g.members()) {
            b.addMembers(GroupMemberInfo.newBuilder().setName(m.name()).setPrefetch(m.prefetch())
                    .setInFlight(m.inFlight()));
        }
        for (GroupInfo.PartitionInfo p : g.partitions()) {
            b.addPartitions(GroupPartition.newBuilder().setPartition(p.partition())
                    .setCommittedOffset(p.committedOffset()).setEndOffset(p.endOffset()).setLag(p.lag())
                    .setPending(p.pending()));
        }
        return b.build();
    }

    /** The dead-letter topics {@code visible} lets the caller see. */
    void listDeadLetters(ListDeadLettersRequest request, StreamObserver<ListDeadLettersResponse> response,
                         java.util.function.Predicate<String> visible) {
        Calls.unary(response, () -> {
            ListDeadLettersResponse.Builder b = ListDeadLettersResponse.newBuilder();
            for (DeadLetters.DeadLetterTopic t : backend.topics().deadLetters().list()) {
                if (!visible.test(t.name())) {
                    continue;
                }
                b.addTopics(DeadLetterTopic.newBuilder().setName(t.name()).setDepth(t.depth())
                        .setMessages(t.messages()));
            }
            return b.build();
        });
    }

    void inspectDeadLetters(InspectDeadLettersRequest request, StreamObserver<InspectDeadLettersResponse> response) {
        Calls.unary(response, () -> {
            DurableTopics.checkName(request.getTopic());
            Calls.check(request.getPartition() >= 0, "partition must not be negative");
            Calls.check(request.getFromOffset() >= 0, "from_offset must not be negative");
            int max = Calls.orDefault(request.getMaxMessages(), DEFAULT_INSPECT, 1, MAX_INSPECT, "max_messages");
            InspectDeadLettersResponse.Builder b = InspectDeadLettersResponse.newBuilder();
            for (DeadLetters.DeadLetter d : backend.topics().deadLetters()
                    .inspect(request.getTopic(), request.getPartition(), request.getFromOffset(), max)) {
                DeadLetter.Builder l = DeadLetter.newBuilder()
                        .setMessage(ProtoMessages.durable(d.message()))
                        .setAttempts(d.attempts())
                        .setSourcePartition(d.sourcePartition())
                        .setSourceOffset(d.sourceOffset())
                        .setFirstFailureMs(d.firstFailureMs())
                        .setReplayed(d.replayed());
                if (d.reason() != null) {
                    l.setReason(d.reason());
                }
                if (d.sourceTopic() != null) {
                    l.setSourceTopic(d.sourceTopic());
                }
                if (d.group() != null) {
                    l.setGroup(d.group());
                }
                b.addLetters(l);
            }
            return b.build();
        });
    }

    void replayDeadLetters(ReplayDeadLettersRequest request, StreamObserver<ReplayDeadLettersResponse> response) {
        Calls.async(response, () -> {
            String topic = request.getTopic();
            DurableTopics.checkName(topic);
            int max = Calls.orDefault(request.getMaxMessages(), DEFAULT_REPLAY, 1, MAX_REPLAY, "max_messages");
            CompletableFuture<Integer> replay =
                    CompletableFuture.supplyAsync(() -> backend.topics().deadLetters().replay(topic, max), admin);
            pendingReplays.add(replay);
            replay.whenComplete((n, e) -> pendingReplays.remove(replay));
            return replay.thenApply(n -> ReplayDeadLettersResponse.newBuilder().setReplayed(n).build());
        });
    }
}
