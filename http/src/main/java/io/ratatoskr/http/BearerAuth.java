package io.ratatoskr.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

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

    private final byte[] token;

    /** @param token the token required; null: none */
    BearerAuth(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.US_ASCII);
    }

    /** Why the call is refused ({@code missing} or {@code invalid} token), or null if it may go on. */
    String refusal(String path, String authorization) {
        if (token == null || isOpen(path)) {
            return null;
        }
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "missing";
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(given, token) ? null : "invalid";
    }

    static boolean isOpen(String path) {
        return path.equals("/health") || path.equals("/ready") || path.equals("/") || path.startsWith("/assets/");
    }
}
