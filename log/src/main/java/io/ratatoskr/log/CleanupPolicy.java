package io.ratatoskr.log;

/**
 * What the background maintenance does to old data.
 *
 * <p>Thread-safety: immutable.
 */
public enum CleanupPolicy {
    /** Delete whole old segments by retention (max age, max bytes, max messages). */
    DELETE,
    /** Keep only the latest record per key; retention limits are not applied. Keys are required. */
    COMPACT,
    /** Compact, and also delete whole old segments by retention. Keys are required. */
    COMPACT_DELETE;

    /** Whether retention limits apply. */
    public boolean deletes() {
        return this != COMPACT;
    }

    /** Whether the cleaner compacts. */
    public boolean compacts() {
        return this != DELETE;
    }
}
