package io.ratatoskr.client;

import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.DeleteTopicRequest;
import io.ratatoskr.api.v1.GetStatsRequest;
import io.ratatoskr.api.v1.GetTopicRequest;
import io.ratatoskr.api.v1.ListTopicsRequest;
import io.ratatoskr.api.v1.TopicExistsRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrStub;
import java.util.List;

/**
 * Durable-topic administration, from {@link RatatoskrClient#topics()}. Every method blocks until the
 * broker answers or the client's default deadline passes, and throws {@link RatatoskrClientException}
 * on failure (e.g. {@code TOPIC_NOT_FOUND}, {@code TOPIC_EXISTS}, {@code INVALID_TOPIC_NAME}).
 * Do not call it from a gRPC callback thread (e.g. a dependent stage of a publish future).
 *
 * <p>Thread-safety: thread-safe.
 */
public final class TopicAdmin {
    private final RatatoskrClient client;

    TopicAdmin(RatatoskrClient client) {
        this.client = client;
    }

    /** Creates durable topic {@code name} with the broker's defaults; fails if it exists. */
    public TopicInfo createTopic(String name) {
        return createTopic(name, TopicSettings.DEFAULTS);
    }

    /** Creates durable topic {@code name} with {@code settings} (null fields: defaults); fails if it exists. */
    public TopicInfo createTopic(String name, TopicSettings settings) {
        return create(name, settings, false);
    }

    /** Creates durable topic {@code name} unless it exists; returns it (unchanged if it existed). */
    public TopicInfo createTopicIfNotExists(String name, TopicSettings settings) {
        return create(name, settings, true);
    }

    /** Deletes durable topic {@code name} with its messages and groups; false if there was none. */
    public boolean deleteTopic(String name) {
        return client.callAndWait(RatatoskrStub::deleteTopic,
                DeleteTopicRequest.newBuilder().setName(name).setIfExists(true).build()).getDeleted();
    }

    /** Every durable topic, by name. */
    public List<TopicInfo> listTopics() {
        return listTopics("");
    }

    /** The durable topics whose name starts with {@code prefix}, by name. */
    public List<TopicInfo> listTopics(String prefix) {
        return client.callAndWait(RatatoskrStub::listTopics, ListTopicsRequest.newBuilder().setPrefix(prefix).build())
                .getTopicsList().stream().map(TopicInfo::from).toList();
    }

    /** Whether durable topic {@code name} exists. */
    public boolean topicExists(String name) {
        return client.callAndWait(RatatoskrStub::topicExists,
                TopicExistsRequest.newBuilder().setName(name).build()).getExists();
    }

    /** Durable topic {@code name}; {@code TOPIC_NOT_FOUND} if there is none. */
    public TopicInfo getTopic(String name) {
        return TopicInfo.from(client.callAndWait(RatatoskrStub::getTopic,
                GetTopicRequest.newBuilder().setName(name).build()));
    }

    /** Counters of durable topic {@code name}: messages, bytes, subscribers, consumer lag. */
    public TopicStats getStats(String name) {
        return TopicStats.from(client.callAndWait(RatatoskrStub::getStats,
                GetStatsRequest.newBuilder().setTopic(name).build()));
    }

    private TopicInfo create(String name, TopicSettings settings, boolean ifNotExists) {
        return TopicInfo.from(client.callAndWait(RatatoskrStub::createTopic, CreateTopicRequest.newBuilder()
                .setName(name).setConfig(settings.toProto()).setIfNotExists(ifNotExists).build()));
    }
}
