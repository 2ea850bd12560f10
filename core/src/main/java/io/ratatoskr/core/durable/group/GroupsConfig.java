package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.error.ErrorCode;

/**
 * Limits and timings of the consumer-group engine ({@link ConsumerGroups}). Every field has a safe
 * default ({@link #DEFAULTS}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param maxGroups            consumer groups open at once; each holds a state log (two threads)
 * @param maxMembersPerGroup   members one group accepts
 * @param maxPendingMessages   messages one group holds in memory: read from the topic and not yet
 *                             acknowledged or dead-lettered (in flight, waiting for a retry, or ready).
 *                             The group reads no further while it is full, so this also caps its
 *                             in-flight total
 * @param maxPendingBytes      payload bytes of those messages, at most (about)
 * @param readBatchMessages    records one read of a partition returns, at most
 * @param readBatchBytes       bytes one read of a partition returns, at most (about); once a partition was
 *                             read, a read asks for about the bytes its record limit needs instead
 * @param maxNackDelayMs       the longest redelivery delay a consumer may ask for in a nack
 * @param tickMs               how often a group checks its timers, its topic (deleted? more
 *                             partitions?) and the clock even when no timer is due; a timer fires at
 *                             its due time or at the next tick, whichever comes first
 * @param stateFlushMaxRecords records one append to a group's state log carries, at most
 * @param stateSegmentBytes    segment size of a group's state log (compaction works on sealed segments)
 */
public record GroupsConfig(int maxGroups, int maxMembersPerGroup, int maxPendingMessages, long maxPendingBytes,
                           int readBatchMessages, int readBatchBytes, long maxNackDelayMs, long tickMs,
                           int stateFlushMaxRecords, int stateSegmentBytes) {

    public static final GroupsConfig DEFAULTS =
            new GroupsConfig(1000, 1024, 10_000, 64L * 1024 * 1024, 256, 1024 * 1024, 3_600_000, 1000, 4096,
                    8 * 1024 * 1024);

    public GroupsConfig {
        check(maxGroups >= 1, "maxGroups must be positive, was " + maxGroups);
        check(maxMembersPerGroup >= 1, "maxMembersPerGroup must be positive, was " + maxMembersPerGroup);
        check(maxPendingMessages >= 1, "maxPendingMessages must be positive, was " + maxPendingMessages);
        check(maxPendingBytes >= 1024, "maxPendingBytes must be at least 1024, was " + maxPendingBytes);
        check(readBatchMessages >= 1, "readBatchMessages must be positive, was " + readBatchMessages);
        check(readBatchBytes >= 1024, "readBatchBytes must be at least 1024, was " + readBatchBytes);
        check(maxNackDelayMs >= 0, "maxNackDelayMs must not be negative, was " + maxNackDelayMs);
        check(tickMs >= 1 && tickMs <= 60_000, "tickMs must be in 1..60000, was " + tickMs);
        check(stateFlushMaxRecords >= 16, "stateFlushMaxRecords must be at least 16, was " + stateFlushMaxRecords);
        check(stateSegmentBytes >= 64 * 1024, "stateSegmentBytes must be at least 65536, was " + stateSegmentBytes);
    }

    public GroupsConfig withTickMs(long v) {
        return new GroupsConfig(maxGroups, maxMembersPerGroup, maxPendingMessages, maxPendingBytes, readBatchMessages,
                readBatchBytes, maxNackDelayMs, v, stateFlushMaxRecords, stateSegmentBytes);
    }

    public GroupsConfig withMaxPendingMessages(int v) {
        return new GroupsConfig(maxGroups, maxMembersPerGroup, v, maxPendingBytes, readBatchMessages,
                readBatchBytes, maxNackDelayMs, tickMs, stateFlushMaxRecords, stateSegmentBytes);
    }

    public GroupsConfig withMaxMembersPerGroup(int v) {
        return new GroupsConfig(maxGroups, v, maxPendingMessages, maxPendingBytes, readBatchMessages,
                readBatchBytes, maxNackDelayMs, tickMs, stateFlushMaxRecords, stateSegmentBytes);
    }

    public GroupsConfig withMaxGroups(int v) {
        return new GroupsConfig(v, maxMembersPerGroup, maxPendingMessages, maxPendingBytes, readBatchMessages,
                readBatchBytes, maxNackDelayMs, tickMs, stateFlushMaxRecords, stateSegmentBytes);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw ErrorCode.INVALID_ARGUMENT.exception(message);
        }
    }
}
