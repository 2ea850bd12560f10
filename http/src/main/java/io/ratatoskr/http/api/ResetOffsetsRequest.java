package io.ratatoskr.http.api;

/**
 * The body of a group's reset-offsets call: where every partition moves to — {@code earliest},
 * {@code latest}, {@code offset:N} or {@code time:<millis|ISO-8601>}.
 *
 * <p>Thread-safety: immutable.
 */
public record ResetOffsetsRequest(String to) {}
