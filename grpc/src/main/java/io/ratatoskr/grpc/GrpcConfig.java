package io.ratatoskr.grpc;

/**
 * Settings of the gRPC listener.
 *
 * <p>Thread-safety: immutable.
 *
 * @param host                    the address to bind; 127.0.0.1 (the default) keeps it local until
 *                                authentication exists
 * @param port                    the port; 0 picks a free one
 * @param maxInboundMessageBytes  the largest request message accepted (larger: RESOURCE_EXHAUSTED);
 *                                leave room above the largest topic's max message size
 * @param maxConcurrentCallsPerConnection  calls (streams) one connection may have open at once
 * @param keepAliveTimeMs         ping an idle connection after this long
 * @param keepAliveTimeoutMs      close a connection whose ping is not answered within this
 * @param permitKeepAliveTimeMs   the most often a client may ping (more often: GOAWAY)
 * @param maxConnectionIdleMs     close a connection without calls for this long; 0: never
 * @param workerThreads           threads that run calls (they may wait on the disk)
 * @param tls                     the server certificate and key; null: plaintext
 */
public record GrpcConfig(String host, int port, int maxInboundMessageBytes, int maxConcurrentCallsPerConnection,
                         long keepAliveTimeMs, long keepAliveTimeoutMs, long permitKeepAliveTimeMs,
                         long maxConnectionIdleMs, int workerThreads, GrpcTls tls) {
    public static final GrpcConfig DEFAULTS = new GrpcConfig("127.0.0.1", 9090, 70 * 1024 * 1024, 1000,
            60_000, 20_000, 10_000, 0, Math.max(2, Runtime.getRuntime().availableProcessors()), null);

    public GrpcConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("gRPC port must be in 0..65535, was " + port);
        }
        if (maxInboundMessageBytes < 1024) {
            throw new IllegalArgumentException("maxInboundMessageBytes must be at least 1024, was "
                    + maxInboundMessageBytes);
        }
        if (maxConcurrentCallsPerConnection < 1 || workerThreads < 1) {
            throw new IllegalArgumentException("maxConcurrentCallsPerConnection and workerThreads must be positive");
        }
        if (keepAliveTimeMs < 1 || keepAliveTimeoutMs < 1 || permitKeepAliveTimeMs < 0 || maxConnectionIdleMs < 0) {
            throw new IllegalArgumentException("keep-alive times must be positive");
        }
    }

    public GrpcConfig withHost(String h) {
        return new GrpcConfig(h, port, maxInboundMessageBytes, maxConcurrentCallsPerConnection, keepAliveTimeMs,
                keepAliveTimeoutMs, permitKeepAliveTimeMs, maxConnectionIdleMs, workerThreads, tls);
    }

    public GrpcConfig withPort(int p) {
        return new GrpcConfig(host, p, maxInboundMessageBytes, maxConcurrentCallsPerConnection, keepAliveTimeMs,
                keepAliveTimeoutMs, permitKeepAliveTimeMs, maxConnectionIdleMs, workerThreads, tls);
    }

    public GrpcConfig withTls(GrpcTls t) {
        return new GrpcConfig(host, port, maxInboundMessageBytes, maxConcurrentCallsPerConnection, keepAliveTimeMs,
                keepAliveTimeoutMs, permitKeepAliveTimeMs, maxConnectionIdleMs, workerThreads, t);
    }
}
