package io.ratatoskr.grpc;

import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicResponse;
import io.ratatoskr.api.v1.GetStatsRequest;
import io.ratatoskr.api.v1.GetTopicRequest;
import io.ratatoskr.api.v1.GroupLag;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.ListTopicsResponse;
import io.ratatoskr.api.v1.Topic;
import io.ratatoskr.api.v1.TopicExistsRequest;
import io.ratatoskr.api.v1.TopicExistsResponse;
import io.ratatoskr.api.v1.TopicStats;
import io.ratatoskr.api.v1.UpdateTopicRequest;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.PartitionSnapshot;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.TopicInfo;
import io.ratatoskr.core.durable.group.GroupId;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The durable-topic RPCs: CreateTopic, DeleteTopic, ListTopics, TopicExists, GetTopic, UpdateTopic
 * and GetStats, over {@link DurableTopics} (create, alter and delete do file I/O: they run on the
 * call thread, never on the transport's event loop).
 *
 * <p>Thread-safety: stateless apart from the thread-safe backend.
 */
final class TopicRpcs {
    private final GrpcBackend backend;

    TopicRpcs(GrpcBackend backend) {
        this.backend = backend;
    }

    void createTopic(CreateTopicRequest request, StreamObserver<Topic> response) {
        Calls.unary(response, () -> {
            String name = request.getName();
            DurableTopics.checkName(name);
            TopicConfig config = TopicMapping.merge(TopicConfig.DEFAULTS, request.getConfig(), false);
            try {
                return TopicMapping.toProto(backend.topics().create(name, config));
            } catch (RatatoskrException e) {
                if (e.code() == ErrorCode.TOPIC_EXISTS && request.getIfNotExists()) {
                    return TopicMapping.toProto(backend.topics().describe(name));
                }
                throw e;
            }
        });
    }

    void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> response) {
        Calls.unary(response, () -> {
            String name = request.getName();
            DurableTopics.checkName(name);
            try {
                backend.topics().delete(name);
            } catch (RatatoskrException e) {
                if (e.code() == ErrorCode.TOPIC_NOT_FOUND && request.getIfExists()) {
                    return DeleteTopicResponse.newBuilder().setDeleted(false).build();
                }
                throw e;
            }
            return DeleteTopicResponse.newBuilder().setDeleted(true).build();
        });
    }

    /** The topics whose names start with the prefix and that {@code visible} lets the caller see. */
    void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> response,
                    java.util.function.Predicate<String> visible) {
        Calls.unary(response, () -> {
            ListTopicsResponse.Builder b = ListTopicsResponse.newBuilder();
            for (TopicInfo t : backend.topics().list()) {
                if (t.name().startsWith(request.getPrefix()) && visible.test(t.name())) {
                    b.addTopics(TopicMapping.toProto(t));
                }
            }
            return b.build();
        });
    }

    void topicExists(TopicExistsRequest request, StreamObserver<TopicExistsResponse> response) {
        Calls.unary(response, () -> TopicExistsResponse.newBuilder()
                .setExists(backend.topics().exists(Calls.required(request.getName(), "name"))).build());
    }

    void getTopic(GetTopicRequest request, StreamObserver<Topic> response) {
        Calls.unary(response, () -> {
            DurableTopics.checkName(request.getName());
            return TopicMapping.toProto(backend.topics().describe(request.getName()));
        });
    }

    void updateTopic(UpdateTopicRequest request, StreamObserver<Topic> response) {
        Calls.unary(response, () -> {
            DurableTopics.checkName(request.getName());
            Calls.check(!(request.getResetFilters() && request.getConfig().getFiltersCount() > 0),
                    "set either config.filters or reset_filters, not both");
            return TopicMapping.toProto(backend.topics().alter(request.getName(),
                    current -> TopicMapping.merge(current, request.getConfig(), request.getResetFilters())));
        });
    }

    /**
     * Counters of one topic; consumer lag comes from describing each of its groups (each on its own
     * executor), so the answer waits for them without blocking the call thread.
     */
    void getStats(GetStatsRequest request, StreamObserver<TopicStats> response) {
        Calls.async(response, () -> {
            String name = request.getTopic();
            DurableTopics.checkName(name);
            TopicInfo info = backend.topics().describe(name);
            int live = backend.broker().subscriberCount(name);
            List<CompletableFuture<GroupInfo>> groups = new ArrayList<>();
            for (GroupId g : backend.groups().list(name)) {
                // A group deleted meanwhile is simply no longer counted.
                groups.add(backend.groups().describe(g.topic(), g.group()).exceptionallyCompose(e ->
                        Calls.isCode(e, ErrorCode.GROUP_NOT_FOUND) ? CompletableFuture.completedFuture(null)
                                : CompletableFuture.failedFuture(e)));
            }
            return CompletableFuture.allOf(groups.toArray(CompletableFuture<?>[]::new)).thenApply(done -> {
                TopicStats.Builder b = TopicStats.newBuilder()
                        .setTopic(name)
                        .setMessages(info.messages())
                        .setSizeBytes(info.sizeBytes())
                        .setPartitions(info.partitions().size());
                int subscribers = live;
                long lag = 0;
                for (CompletableFuture<GroupInfo> f : groups) {
                    GroupInfo g = f.join();
                    if (g == null) {
                        continue;
                    }
                    subscribers += g.members().size();
                    lag += g.lag();
                    b.addGroups(GroupLag.newBuilder().setGroup(g.group()).setLag(g.lag())
                            .setMembers(g.members().size()).setInFlight(g.inFlight()));
                }
                for (PartitionSnapshot p : info.partitions()) {
                    b.addPartitionInfo(TopicMapping.toProto(p));
                }
                return b.setSubscribers(subscribers).setConsumerLag(lag).build();
            });
        });
    }
}
