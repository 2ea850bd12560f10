package io.ratatoskr.http;

/**
 * The body of every error answer: the stable code from the error catalogue and a message that says
 * what to do.
 *
 * <p>Thread-safety: immutable.
 */
public record ApiError(String error, String message) {}
