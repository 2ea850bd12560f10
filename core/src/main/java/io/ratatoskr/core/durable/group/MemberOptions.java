package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.error.ErrorCode;
import java.util.Objects;

/**
 * How a member joins a consumer group.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name      a name for describe and logs (e.g. the MQTT client identifier)
 * @param prefetch  the most unacknowledged deliveries this member holds at once; 0: the group's
 *                  configured prefetch, capped at {@code prefetchLimit}
 * @param prefetchLimit the most the member can take whatever the group's configuration says (an MQTT
 *                  client's Receive Maximum); 0: no limit
 * @param start     where a brand-new group (one that never had a member) starts reading each
 *                  partition; ignored once the group has committed offsets (use
 *                  {@link ConsumerGroups#seek} to move them)
 */
public record MemberOptions(String name, int prefetch, int prefetchLimit, StartPosition start) {

    public MemberOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(start, "start");
        if (prefetch < 0 || prefetch > 65_535) {
            throw ErrorCode.INVALID_ARGUMENT.exception("prefetch must be in 0..65535, was " + prefetch);
        }
        if (prefetchLimit < 0 || prefetchLimit > 65_535) {
            throw ErrorCode.INVALID_ARGUMENT.exception("prefetchLimit must be in 0..65535, was " + prefetchLimit);
        }
    }

    /** A member called {@code name} with the group's prefetch, starting a new group at the earliest message. */
    public static MemberOptions named(String name) {
        return new MemberOptions(name, 0, 0, StartPosition.EARLIEST);
    }

    public MemberOptions withPrefetch(int v) {
        return new MemberOptions(name, v, prefetchLimit, start);
    }

    public MemberOptions withPrefetchLimit(int v) {
        return new MemberOptions(name, prefetch, v, start);
    }

    public MemberOptions withStart(StartPosition v) {
        return new MemberOptions(name, prefetch, prefetchLimit, v);
    }

    /** The prefetch a member gets in a group configured with {@code groupPrefetch}. */
    int effectivePrefetch(int groupPrefetch) {
        int p = prefetch > 0 ? prefetch : groupPrefetch;
        return prefetchLimit > 0 ? Math.min(p, prefetchLimit) : p;
    }
}
