package io.ratatoskr.grpc;

import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.durable.DurableTopics;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import java.util.Objects;

/**
 * The parts of the broker the gRPC front end adapts: live pub/sub, durable topics, consumer groups.
 *
 * <p>Thread-safety: immutable; each part is thread-safe.
 */
public record GrpcBackend(Broker broker, DurableTopics topics, ConsumerGroups groups) {
    public GrpcBackend {
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(groups, "groups");
    }
}
