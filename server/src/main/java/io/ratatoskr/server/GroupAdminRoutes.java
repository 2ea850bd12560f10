package io.ratatoskr.server;

import io.ratatoskr.core.durable.DeadLetters;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupId;
import io.ratatoskr.core.durable.group.GroupInfo;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.http.ApiRequest;
import io.ratatoskr.http.ApiResponse;
import io.ratatoskr.http.Json;
import io.ratatoskr.http.Router;
import io.ratatoskr.http.api.DeadLetterView;
import io.ratatoskr.http.api.GroupConfigPatch;
import io.ratatoskr.http.api.GroupView;
import io.ratatoskr.http.api.ReplayRequest;
import io.ratatoskr.http.api.ResetOffsetsRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The admin API's consumer-group and dead-letter routes.
 *
 * <pre>
 * GET    /api/v1/groups[?topic=T]                           every group (of T), described
 * GET    /api/v1/topics/{topic}/groups/{group}              one group               404 group_not_found
 * PATCH  /api/v1/topics/{topic}/groups/{group}              change its delivery policy (creates it if new)
 * POST   /api/v1/topics/{topic}/groups/{group}/reset-offsets  {"to": "earliest|latest|offset:N|time:..."}
 * DELETE /api/v1/topics/{topic}/groups/{group}              204
 * GET    /api/v1/dlq                                        dead-letter topics with their depth
 * GET    /api/v1/dlq/{topic}?partition=&from=&max=          dead letters of one partition
 * POST   /api/v1/dlq/{topic}/replay                         {"max": N} optional → {"replayed": n}
 * </pre>
 *
 * <p>Handlers run on the admin API's worker pool; the groups' futures are joined there with a
 * bounded wait ({@value Await#WAIT_MS} ms), never on an event loop.
 *
 * <p>Thread-safety: the routes are built once; handlers call thread-safe core APIs. Group PATCHes
 * are serialized by this class's lock so that two of them never undo each other (changes made
 * through another front end at the same moment can still interleave).
 */
final class GroupAdminRoutes {
    /** Dead letters per inspect page: default and most. */
    static final int INSPECT_DEFAULT = 100;
    static final int INSPECT_MAX = 1_000;
    /** Dead letters per replay call: default and most. */
    static final int REPLAY_DEFAULT = 10_000;
    static final int REPLAY_MAX = 100_000;

    private final DurableTopics topics;
    private final ConsumerGroups groups;
    private final Object patchLock = new Object();

    private GroupAdminRoutes(DurableTopics topics, ConsumerGroups groups) {
        this.topics = topics;
        this.groups = groups;
    }

    /** Adds the group and dead-letter routes to {@code router}. */
    static Router addTo(Router router, DurableTopics topics, ConsumerGroups groups) {
        GroupAdminRoutes r = new GroupAdminRoutes(topics, groups);
        String group = "/api/v1/topics/{topic}/groups/{group}";
        return router
                .get("/api/v1/groups", r::list)
                .get(group, q -> ApiResponse.ok(r.describe(q.param("topic"), q.param("group"))))
                .patch(group, AdminApi.administering("topic", r::configure))
                .post(group + "/reset-offsets", AdminApi.administering("topic", r::resetOffsets))
                .delete(group, AdminApi.administering("topic", r::delete))
                .get("/api/v1/dlq", q -> ApiResponse.ok(Map.of("topics", topics.deadLetters().list().stream()
                        .map(t -> new DeadLetterView.TopicDepth(t.name(), t.depth(), t.messages())).toList())))
                .get("/api/v1/dlq/{topic}", r::inspect)
                .post("/api/v1/dlq/{topic}/replay", AdminApi.administering("topic", r::replay));
    }

    private ApiResponse list(ApiRequest q) {
        String topic = q.query("topic", null);
        if (topic != null) {
            requireTopic(topic);
        }
        List<GroupView> out = new ArrayList<>();
        for (GroupId id : topic == null ? groups.list() : groups.list(topic)) {
            try {
                out.add(GroupView.of(await(groups.describe(id.topic(), id.group()))));
            } catch (RatatoskrException e) {
                if (e.code() != ErrorCode.GROUP_NOT_FOUND && e.code() != ErrorCode.TOPIC_NOT_FOUND) {
                    throw e;
                } // deleted since it was listed
            }
        }
        return ApiResponse.ok(Map.of("groups", out));
    }

    private GroupView describe(String topic, String group) {
        requireTopic(topic);
        return GroupView.of(await(groups.describe(topic, group)));
    }

    private ApiResponse configure(ApiRequest q) {
        String topic = q.param("topic");
        String group = q.param("group");
        GroupConfigPatch patch = Json.read(q.body(), GroupConfigPatch.class);
        requireTopic(topic);
        synchronized (patchLock) {
            GroupConfig base;
            try {
                base = await(groups.describe(topic, group)).config();
            } catch (RatatoskrException e) {
                if (e.code() != ErrorCode.GROUP_NOT_FOUND) {
                    throw e;
                }
                base = GroupConfig.DEFAULTS;
            }
            await(groups.configure(topic, group, patch.applyTo(base)));
        }
        return ApiResponse.ok(describe(topic, group));
    }

    private ApiResponse resetOffsets(ApiRequest q) {
        String topic = q.param("topic");
        String group = q.param("group");
        ResetOffsetsRequest body = Json.read(q.body(), ResetOffsetsRequest.class);
        if (body.to() == null) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    "say where to: {\"to\": \"earliest\"|\"latest\"|\"offset:N\"|\"time:<millis|ISO-8601>\"}");
        }
        StartPosition to;
        try {
            to = StartPosition.parse(body.to());
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_ARGUMENT.exception(e.getMessage());
        }
        describe(topic, group); // a reset never creates a group: a misspelt name is a 404
        await(groups.seek(topic, group, to));
        return ApiResponse.ok(describe(topic, group));
    }

    private ApiResponse delete(ApiRequest q) {
        String topic = q.param("topic");
        String group = q.param("group");
        requireTopic(topic);
        if (!await(groups.delete(topic, group))) {
            throw ErrorCode.GROUP_NOT_FOUND.exception(group, topic);
        }
        return ApiResponse.noContent();
    }

    private ApiResponse inspect(ApiRequest q) {
        String topic = q.param("topic");
        long partitionParam = q.queryLong("partition", 0);
        long maxParam = q.queryLong("max", INSPECT_DEFAULT);
        if (partitionParam < 0 || partitionParam > Integer.MAX_VALUE || maxParam < 1) {
            throw ErrorCode.INVALID_ARGUMENT.exception("partition must not be negative and max must be positive");
        }
        int partition = (int) partitionParam;
        int max = (int) Math.min(INSPECT_MAX, maxParam);
        long from = q.queryLong("from", topics.partition(topic, partition).startOffset());
        List<DeadLetters.DeadLetter> letters = topics.deadLetters().inspect(topic, partition, from, max);
        long next = letters.isEmpty() ? from : letters.get(letters.size() - 1).message().offset() + 1;
        return ApiResponse.ok(new DeadLetterView.Page(topic, partition, next,
                letters.stream().map(DeadLetterView::of).toList()));
    }

    private ApiResponse replay(ApiRequest q) {
        String topic = q.param("topic");
        Integer max = q.body() == null || q.body().length == 0 ? null : Json.read(q.body(), ReplayRequest.class).max();
        int n = max == null ? REPLAY_DEFAULT : max;
        if (n < 1 || n > REPLAY_MAX) {
            throw ErrorCode.INVALID_ARGUMENT.exception("max must be in 1.." + REPLAY_MAX + ", was " + n);
        }
        return ApiResponse.ok(Map.of("replayed", topics.deadLetters().replay(topic, n)));
    }

    private void requireTopic(String topic) {
        if (!topics.exists(topic)) {
            throw ErrorCode.TOPIC_NOT_FOUND.exception(topic);
        }
    }

    private static <T> T await(CompletableFuture<T> f) {
        return Await.result(f, "the consumer group");
    }
}
