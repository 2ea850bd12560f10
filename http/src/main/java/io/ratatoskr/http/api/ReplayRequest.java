package io.ratatoskr.http.api;

/**
 * The optional body of a dead-letter replay: at most {@code max} messages (absent: the API's default).
 *
 * <p>Thread-safety: immutable.
 */
public record ReplayRequest(Integer max) {}
