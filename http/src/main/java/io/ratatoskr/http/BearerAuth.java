package io.ratatoskr.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the bearer token of a call (RFC 6750 §2.1). Open without a token: {@code /health} and
 * {@code /ready} (probes), {@code /} and {@code /assets/...} (the dashboard's static files, which
 * ask for the token themselves). The comparison takes the same time wherever the tokens differ.
 *
 * <p>Thread-safety: immutable.
 */
final class BearerAuth {
    /** The {@code WWW-Authenticate} challenge of a 401 (RFC 6750 §3). */
    static final String CHALLENGE = "Bearer realm=\"ratatoskr\"";

    /** SHA-256 of the token: comparing digests takes the same time whatever the given token's length. */
    private final byte[] tokenDigest;

    /** @param token the token required; null: none */
    BearerAuth(String token) {
        this.tokenDigest = token == null ? null : sha256(token);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Why the call is refused ({@code missing} or {@code invalid} token), or null if it may go on. */
    String refusal(String path, String authorization) {
        if (tokenDigest == null || isOpen(path)) {
            return null;
        }
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "missing";
        }
        return MessageDigest.isEqual(sha256(authorization.substring(7).trim()), tokenDigest) ? null : "invalid";
    }

    static boolean isOpen(String path) {
        return path.equals("/health") || path.equals("/ready") || path.equals("/") || path.startsWith("/assets/");
    }
}
