package io.ratatoskr.core.client;

/**
 * What a front end knows of one open connection or stream when it is established.
 *
 * <p>Thread-safety: immutable.
 *
 * @param clientId          the client identifier (MQTT) or the stream's id (gRPC)
 * @param protocol          {@code mqtt} or {@code grpc}
 * @param protocolVersion   {@code 5} or {@code 3.1.1} for MQTT, {@code v1} for gRPC
 * @param remoteAddress     {@code host:port} of the peer
 * @param username          the user name the client gave, or null
 * @param connectedAtMillis when it was established (clock millis)
 * @param keepAliveSeconds  the keep-alive in force (0: none)
 * @param cleanStart        whether it started with a clean session
 */
public record ClientInfo(String clientId, String protocol, String protocolVersion, String remoteAddress,
                         String username, long connectedAtMillis, int keepAliveSeconds, boolean cleanStart) {}
