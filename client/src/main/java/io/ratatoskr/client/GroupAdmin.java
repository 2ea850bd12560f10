package io.ratatoskr.client;

import io.ratatoskr.api.v1.ConfigureGroupRequest;
import io.ratatoskr.api.v1.DeleteGroupRequest;
import io.ratatoskr.api.v1.DescribeGroupRequest;
import io.ratatoskr.api.v1.ListGroupsRequest;
import io.ratatoskr.api.v1.RatatoskrGrpc.RatatoskrStub;
import io.ratatoskr.api.v1.SeekRequest;
import java.util.List;
import java.util.SortedMap;

/**
 * Consumer-group administration, from {@link RatatoskrClient#groups()}. Every method blocks until the
 * broker answers or the client's default deadline passes, and throws {@link RatatoskrClientException}
 * on failure (e.g. {@code TOPIC_NOT_FOUND}, {@code GROUP_NOT_FOUND}). Do not call it from a gRPC
 * callback thread.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class GroupAdmin {
    private final RatatoskrClient client;

    GroupAdmin(RatatoskrClient client) {
        this.client = client;
    }

    /**
     * A consumer group, named by its topic and its name.
     *
     * @param topic the durable topic
     * @param group the group
     */
    public record GroupRef(String topic, String group) {
    }

    /** Every consumer group of every durable topic. */
    public List<GroupRef> list() {
        return list("");
    }

    /** The consumer groups of durable topic {@code topic}. */
    public List<GroupRef> list(String topic) {
        return client.callAndWait(RatatoskrStub::listGroups, ListGroupsRequest.newBuilder().setTopic(topic).build())
                .getGroupsList().stream().map(g -> new GroupRef(g.getTopic(), g.getGroup())).toList();
    }

    /** Group {@code group} of {@code topic}: its policy, members, offsets, lag and dead-letter depth. */
    public GroupInfo describe(String topic, String group) {
        return GroupInfo.from(client.callAndWait(RatatoskrStub::describeGroup,
                DescribeGroupRequest.newBuilder().setTopic(topic).setGroup(group).build()));
    }

    /**
     * Sets the group's delivery policy (null fields keep their value), creating the group if it does not
     * exist; returns the group as it is now.
     */
    public GroupInfo configure(String topic, String group, GroupSettings settings) {
        return GroupInfo.from(client.callAndWait(RatatoskrStub::configureGroup, ConfigureGroupRequest.newBuilder()
                .setTopic(topic).setGroup(group).setConfig(settings.toProto()).build()));
    }

    /**
     * Moves the group's position in every partition to {@code position}; moving back redelivers. Returns the
     * offset each partition now starts from, by partition.
     */
    public SortedMap<Integer, Long> seek(String topic, String group, StartPosition position) {
        return RatatoskrClient.offsets(client.callAndWait(RatatoskrStub::seek, SeekRequest.newBuilder()
                .setTopic(topic).setGroup(group).setPosition(RatatoskrClient.position(position)).build()));
    }

    /** Deletes the group and its committed state (its members' streams end); false if there was none. */
    public boolean delete(String topic, String group) {
        return client.callAndWait(RatatoskrStub::deleteGroup,
                DeleteGroupRequest.newBuilder().setTopic(topic).setGroup(group).build()).getDeleted();
    }
}
