package io.ratatoskr.grpc;

import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.security.Authorizer;
import java.util.Objects;

/**
 * The parts of the broker the gRPC front end adapts: live pub/sub, durable topics, consumer groups,
 * and the ACL every call is checked against.
 *
 * <p>Thread-safety: immutable; each part is thread-safe.
 */
public record GrpcBackend(Broker broker, DurableTopics topics, ConsumerGroups groups, Authorizer authorizer) {
    public GrpcBackend {
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(groups, "groups");
        Objects.requireNonNull(authorizer, "authorizer");
    }

    /** Without ACLs: every call allowed. */
    public GrpcBackend(Broker broker, DurableTopics topics, ConsumerGroups groups) {
        this(broker, topics, groups, Authorizer.ALLOW_ALL);
    }
}
