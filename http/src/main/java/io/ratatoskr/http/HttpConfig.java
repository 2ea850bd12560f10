package io.ratatoskr.http;

/**
 * Settings of the HTTP admin listener.
 *
 * <p>Thread-safety: immutable.
 *
 * @param host             the address to bind
 * @param port             the port; 0 picks a free one
 * @param maxRequestBytes  the largest request body accepted (larger: 413)
 * @param workerThreads    threads that run API calls (they may touch the disk)
 * @param maxQueuedRequests API calls waiting for a worker; more are refused with 503
 * @param bearerToken      the token every call but {@code /health}, {@code /ready} and the dashboard's
 *                         static files must carry ({@code Authorization: Bearer <token>}); null: no
 *                         authentication. Never logged ({@link #toString} hides it).
 */
public record HttpConfig(String host, int port, int maxRequestBytes, int workerThreads, int maxQueuedRequests,
                         String bearerToken) {
    public static final HttpConfig DEFAULTS = new HttpConfig("127.0.0.1", 8080, 1024 * 1024, 2, 256, null);

    public HttpConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("HTTP port must be in 0..65535, was " + port);
        }
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("maxRequestBytes must be at least 1024, was " + maxRequestBytes);
        }
        if (workerThreads < 1 || maxQueuedRequests < 1) {
            throw new IllegalArgumentException("workerThreads and maxQueuedRequests must be positive");
        }
        if (bearerToken != null && (bearerToken.isBlank() || !bearerToken.chars().allMatch(HttpConfig::tokenChar))) {
            throw new IllegalArgumentException("the HTTP bearer token must be non-empty visible ASCII without spaces "
                    + "(RFC 6750 b64token: letters, digits, -._~+/=)");
        }
    }

    /** Without authentication. */
    public HttpConfig(String host, int port, int maxRequestBytes, int workerThreads, int maxQueuedRequests) {
        this(host, port, maxRequestBytes, workerThreads, maxQueuedRequests, null);
    }

    /** RFC 6750 §2.1 b64token characters. */
    private static boolean tokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
    }

    public HttpConfig withHost(String h) {
        return new HttpConfig(h, port, maxRequestBytes, workerThreads, maxQueuedRequests, bearerToken);
    }

    public HttpConfig withPort(int p) {
        return new HttpConfig(host, p, maxRequestBytes, workerThreads, maxQueuedRequests, bearerToken);
    }

    /** With {@code token} required (null: no authentication). */
    public HttpConfig withBearerToken(String token) {
        return new HttpConfig(host, port, maxRequestBytes, workerThreads, maxQueuedRequests, token);
    }

    @Override
    public String toString() {
        return "HttpConfig[host=" + host + ", port=" + port + ", maxRequestBytes=" + maxRequestBytes
                + ", workerThreads=" + workerThreads + ", maxQueuedRequests=" + maxQueuedRequests
                + ", bearerToken=" + (bearerToken == null ? "none" : "***") + "]";
    }
}
