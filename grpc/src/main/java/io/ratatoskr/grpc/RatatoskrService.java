package io.ratatoskr.grpc;

import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.api.v1.CommitOffsetRequest;
import io.ratatoskr.api.v1.CommitOffsetResponse;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConfigureGroupRequest;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteGroupRequest;
import io.ratatoskr.api.v1.DeleteGroupResponse;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicResponse;
import io.ratatoskr.api.v1.DescribeGroupRequest;
import io.ratatoskr.api.v1.FetchRequest;
import io.ratatoskr.api.v1.FetchResponse;
import io.ratatoskr.api.v1.GetOffsetRequest;
import io.ratatoskr.api.v1.GetOffsetResponse;
import io.ratatoskr.api.v1.GetStatsRequest;
import io.ratatoskr.api.v1.GetTopicRequest;
import io.ratatoskr.api.v1.GroupDescription;
import io.ratatoskr.api.v1.InspectDeadLettersRequest;
import io.ratatoskr.api.v1.InspectDeadLettersResponse;
import io.ratatoskr.api.v1.ListDeadLettersRequest;
import io.ratatoskr.api.v1.ListDeadLettersResponse;
import io.ratatoskr.api.v1.ListGroupsRequest;
import io.ratatoskr.api.v1.ListGroupsResponse;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.ListTopicsResponse;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.ReplayDeadLettersRequest;
import io.ratatoskr.api.v1.ReplayDeadLettersResponse;
import io.ratatoskr.api.v1.SeekRequest;
import io.ratatoskr.api.v1.SeekResponse;
import io.ratatoskr.api.v1.SubscribeRequest;
import io.ratatoskr.api.v1.SubscribeResponse;
import io.ratatoskr.api.v1.Topic;
import io.ratatoskr.api.v1.TopicExistsRequest;
import io.ratatoskr.api.v1.TopicExistsResponse;
import io.ratatoskr.api.v1.TopicStats;
import io.ratatoskr.api.v1.UnsubscribeRequest;
import io.ratatoskr.api.v1.UnsubscribeResponse;
import io.ratatoskr.api.v1.UpdateTopicRequest;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Service {@code ratatoskr.v1.Ratatoskr}: each RPC translates its request to a call on the core
 * and the core's answer (or catalogue error, see {@link GrpcErrors}) to the response. The RPCs live
 * in handler classes by area ({@link TopicRpcs}, {@link PublishRpcs}, {@link SubscribeRpcs},
 * {@link CursorRpcs}, {@link GroupRpcs}); this class checks the ACL ({@link GrpcAccess}: publish,
 * subscribe/read or admin on the topic the request names) and delegates. ListTopics and ListDeadLetters
 * list only what the caller may subscribe to or administer; Unsubscribe is not ACL-checked (one's own
 * subscription). Methods not overridden answer UNIMPLEMENTED.
 *
 * <p>Besides the call executor it owns two small pools: {@code poller} (one thread) runs the timers
 * and re-reads of long-polling Fetch calls, and {@code admin} (one thread, at most
 * {@value #ADMIN_QUEUE} queued tasks, beyond that UNAVAILABLE) runs dead-letter replays, which
 * block on appends.
 *
 * <p>Thread-safety: thread-safe; calls arrive on the server's call executor.
 */
final class RatatoskrService extends RatatoskrGrpc.RatatoskrImplBase {
    private static final int ADMIN_QUEUE = 100;

    private final GrpcBackend backend;
    private final MeterRegistry registry;
    private final ScheduledThreadPoolExecutor poller;
    private final ThreadPoolExecutor admin;
    private final TopicRpcs topicRpcs;
    private final PublishRpcs publishRpcs;
    private final SubscribeRpcs subscribeRpcs;
    private final CursorRpcs cursorRpcs;
    private final GroupRpcs groupRpcs;
    private final ConsumeStreams consumeStreams;
    private final GrpcAccess access;
    /** Open Subscribe streams and started Consume streams ({@code grpc-sub-<n>}, {@code grpc-consume-<n>}). */
    private final ConnectedClients clients = new ConnectedClients();

    /**
     * @param blocking the server's call executor, where Publish and PublishBatch move a call that must
     *                 first create its topic
     */
    RatatoskrService(GrpcBackend backend, MeterRegistry registry, java.util.concurrent.Executor blocking) {
        this.backend = backend;
        this.registry = registry;
        this.poller = new ScheduledThreadPoolExecutor(1, named("grpc-poll"));
        poller.setRemoveOnCancelPolicy(true);
        this.admin = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(ADMIN_QUEUE),
                named("grpc-admin"));
        this.topicRpcs = new TopicRpcs(backend);
        this.publishRpcs = new PublishRpcs(backend, blocking);
        this.subscribeRpcs = new SubscribeRpcs(backend, clients);
        this.cursorRpcs = new CursorRpcs(backend, poller, registry);
        this.groupRpcs = new GroupRpcs(backend, admin);
        this.access = new GrpcAccess(backend.authorizer(), backend.broker().metrics());
        this.consumeStreams = new ConsumeStreams(backend.groups(), Clock.systemUTC(), registry,
                backend.broker().metrics(), clients, access);
        Gauge.builder("ratatoskr.grpc.subscribers", subscribeRpcs, SubscribeRpcs::openCount)
                .description("Open gRPC Subscribe streams").register(registry);
    }

    ConnectedClients clients() {
        return clients;
    }

    /** Ends the open streams (UNAVAILABLE) and stops the service's own threads (the server is shutting down). */
    void shutdown() {
        subscribeRpcs.shutdown();
        consumeStreams.shutdown();
        cursorRpcs.shutdown();
        poller.shutdownNow();
        groupRpcs.shutdown();
        admin.shutdownNow();
    }

    private static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- Durable topics

    @Override
    public void createTopic(CreateTopicRequest request, StreamObserver<Topic> response) {
        if (access.admin(request.getName(), response)) {
            topicRpcs.createTopic(request, response);
        }
    }

    @Override
    public void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> response) {
        if (access.admin(request.getName(), response)) {
            topicRpcs.deleteTopic(request, response);
        }
    }

    @Override
    public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> response) {
        topicRpcs.listTopics(request, response, access::visible);
    }

    @Override
    public StreamObserver<ConsumeRequest> consume(StreamObserver<ConsumeResponse> response) {
        return consumeStreams.open(response);
    }

    @Override
    public void topicExists(TopicExistsRequest request, StreamObserver<TopicExistsResponse> response) {
        if (access.subscribe(request.getName(), response)) {
            topicRpcs.topicExists(request, response);
        }
    }

    @Override
    public void getTopic(GetTopicRequest request, StreamObserver<Topic> response) {
        if (access.subscribe(request.getName(), response)) {
            topicRpcs.getTopic(request, response);
        }
    }

    @Override
    public void updateTopic(UpdateTopicRequest request, StreamObserver<Topic> response) {
        if (access.admin(request.getName(), response)) {
            topicRpcs.updateTopic(request, response);
        }
    }

    @Override
    public void getStats(GetStatsRequest request, StreamObserver<TopicStats> response) {
        if (access.subscribe(request.getTopic(), response)) {
            topicRpcs.getStats(request, response);
        }
    }

    // ---- Publishing

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
        if (access.publish(request.getTopic(), response)) {
            publishRpcs.publish(request, response);
        }
    }

    @Override
    public void publishBatch(PublishBatchRequest request, StreamObserver<PublishBatchResponse> response) {
        if (access.publish(request.getTopic(), response)) {
            publishRpcs.publishBatch(request, response);
        }
    }

    // ---- Live pub/sub

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> response) {
        if (access.subscribe(request.getFiltersList(), response)) {
            subscribeRpcs.subscribe(request, response);
        }
    }

    @Override
    public void unsubscribe(UnsubscribeRequest request, StreamObserver<UnsubscribeResponse> response) {
        subscribeRpcs.unsubscribe(request, response);
    }

    // ---- Seek and cursor consumers

    @Override
    public void seek(SeekRequest request, StreamObserver<SeekResponse> response) {
        // A group's position is every member's: moving it is administration (as ConfigureGroup is). A
        // cursor is one reader's bookmark: moving it is reading, as CommitOffset is.
        boolean allowed = request.getTargetCase() == SeekRequest.TargetCase.GROUP
                ? access.admin(request.getTopic(), response)
                : access.subscribe(request.getTopic(), response);
        if (allowed) {
            cursorRpcs.seek(request, response);
        }
    }

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> response) {
        if (access.subscribe(request.getTopic(), response)) {
            cursorRpcs.fetch(request, response);
        }
    }

    @Override
    public void commitOffset(CommitOffsetRequest request, StreamObserver<CommitOffsetResponse> response) {
        if (access.subscribe(request.getTopic(), response)) {
            cursorRpcs.commitOffset(request, response);
        }
    }

    @Override
    public void getOffset(GetOffsetRequest request, StreamObserver<GetOffsetResponse> response) {
        if (access.subscribe(request.getTopic(), response)) {
            cursorRpcs.getOffset(request, response);
        }
    }

    // ---- Consumer-group and dead-letter administration

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> response) {
        if (access.subscribe(request.getTopic(), response)) {
            groupRpcs.listGroups(request, response);
        }
    }

    @Override
    public void describeGroup(DescribeGroupRequest request, StreamObserver<GroupDescription> response) {
        if (access.subscribe(request.getTopic(), response)) {
            groupRpcs.describeGroup(request, response);
        }
    }

    @Override
    public void configureGroup(ConfigureGroupRequest request, StreamObserver<GroupDescription> response) {
        if (access.admin(request.getTopic(), response)) {
            groupRpcs.configureGroup(request, response);
        }
    }

    @Override
    public void deleteGroup(DeleteGroupRequest request, StreamObserver<DeleteGroupResponse> response) {
        if (access.admin(request.getTopic(), response)) {
            groupRpcs.deleteGroup(request, response);
        }
    }

    @Override
    public void listDeadLetters(ListDeadLettersRequest request, StreamObserver<ListDeadLettersResponse> response) {
        groupRpcs.listDeadLetters(request, response, access::visible);
    }

    @Override
    public void inspectDeadLetters(InspectDeadLettersRequest request,
                                   StreamObserver<InspectDeadLettersResponse> response) {
        if (access.subscribe(request.getTopic(), response)) {
            groupRpcs.inspectDeadLetters(request, response);
        }
    }

    @Override
    public void replayDeadLetters(ReplayDeadLettersRequest request,
                                  StreamObserver<ReplayDeadLettersResponse> response) {
        if (access.admin(request.getTopic(), response)) {
            groupRpcs.replayDeadLetters(request, response);
        }
    }
}
