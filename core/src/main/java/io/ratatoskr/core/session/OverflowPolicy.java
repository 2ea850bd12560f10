package io.ratatoskr.core.session;

/**
 * What a session does with a new message when its queue is full. Either way the dropped message is
 * counted in {@code ratatoskr_messages_dropped_total{reason="queue_full"}}.
 */
public enum OverflowPolicy {
    /** Drop the oldest queued message to make room: subscribers see the latest data. */
    DROP_OLDEST,
    /** Refuse the new message: subscribers see a contiguous prefix. */
    DROP_NEWEST
}
