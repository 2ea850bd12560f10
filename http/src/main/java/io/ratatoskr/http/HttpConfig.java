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
 */
public record HttpConfig(String host, int port, int maxRequestBytes, int workerThreads, int maxQueuedRequests) {
    public static final HttpConfig DEFAULTS = new HttpConfig("127.0.0.1", 8080, 1024 * 1024, 2, 256);

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
    }

    public HttpConfig withHost(String h) {
        return new HttpConfig(h, port, maxRequestBytes, workerThreads, maxQueuedRequests);
    }

    public HttpConfig withPort(int p) {
        return new HttpConfig(host, p, maxRequestBytes, workerThreads, maxQueuedRequests);
    }
}
