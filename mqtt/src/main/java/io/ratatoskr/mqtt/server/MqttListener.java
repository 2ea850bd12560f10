package io.ratatoskr.mqtt.server;

import io.netty.handler.ssl.SslContext;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * An extra MQTT listener beside the plain TCP one of {@link MqttConfig}: TLS, WebSocket or secure
 * WebSocket, on the same address ({@link MqttConfig#host()}) and the same connection pipeline.
 *
 * <p>The TLS context is asked for once per accepted connection, so a supplier that swaps its context
 * when the certificate files change (a reload) serves new connections with the new certificate while
 * existing ones keep theirs.
 *
 * <p>Thread-safety: immutable; the supplier must be thread-safe.
 *
 * @param kind the transport
 * @param port TCP port; 0 picks a free one
 * @param path the HTTP path of the WebSocket upgrade ({@code /mqtt}); ignored for TCP kinds
 * @param tls  the server's TLS context for new connections; required for {@link Kind#TLS} and {@link Kind#WSS}
 * @param origins the browser origins a WebSocket upgrade may come from ({@link WebSocketOrigins}); ignored for TLS
 */
public record MqttListener(Kind kind, int port, String path, Supplier<SslContext> tls, WebSocketOrigins origins) {

    /** A listener whose WebSocket kinds accept pages of the broker's own host ({@link WebSocketOrigins#SAME_HOST}). */
    public MqttListener(Kind kind, int port, String path, Supplier<SslContext> tls) {
        this(kind, port, path, tls, WebSocketOrigins.SAME_HOST);
    }

    /** This listener with the browser origins its WebSocket upgrades accept. */
    public MqttListener withOrigins(WebSocketOrigins allowed) {
        return new MqttListener(kind, port, path, tls, allowed);
    }

    /** The transports MQTT runs on. */
    public enum Kind {
        /** MQTT over TLS over TCP (mqtts, 8883). */
        TLS("mqtt-tls", true),
        /** MQTT over WebSocket (ws, MQTT 5.0 §6). */
        WS("mqtt-ws", false),
        /** MQTT over WebSocket over TLS (wss). */
        WSS("mqtt-wss", true);

        private final String listenerName;
        private final boolean secure;

        Kind(String listenerName, boolean secure) {
            this.listenerName = listenerName;
            this.secure = secure;
        }

        /** The name in logs, metrics and the admin API's listener list. */
        public String listenerName() {
            return listenerName;
        }

        public boolean secure() {
            return secure;
        }
    }

    public MqttListener {
        Objects.requireNonNull(kind, "kind");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(kind.listenerName + " port must be within 0..65535, got " + port);
        }
        java.util.Objects.requireNonNull(origins, "origins");
        if (kind.secure && tls == null) {
            throw new IllegalArgumentException(kind.listenerName + " needs a TLS certificate and key");
        }
        if (kind != Kind.TLS && (path == null || !path.startsWith("/"))) {
            throw new IllegalArgumentException(kind.listenerName + " path must start with /, got " + path);
        }
    }

    public static MqttListener tls(int port, Supplier<SslContext> tls) {
        return new MqttListener(Kind.TLS, port, null, tls);
    }

    public static MqttListener webSocket(int port, String path) {
        return new MqttListener(Kind.WS, port, path, null);
    }

    public static MqttListener secureWebSocket(int port, String path, Supplier<SslContext> tls) {
        return new MqttListener(Kind.WSS, port, path, tls);
    }
}
