package io.ratatoskr.server.tls;

import io.ratatoskr.mqtt.server.WebSocketOrigins;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The secure and WebSocket transports of a node: MQTT over TLS, MQTT over WebSocket (plain and
 * secure), HTTPS for the admin API, and how often certificate files are checked for changes.
 * All MQTT listeners bind {@code mqtt.host}. Immutable; validated on construction.
 *
 * <p>Rules (docs/security.md): the MQTT TLS listener runs when {@code mqttTlsCert} and
 * {@code mqttTlsKey} are set and {@code mqttTlsPort} is not -1 (default 8883); the WebSocket
 * listeners are off unless given a port (a browser-facing port is opt-in); the secure WebSocket
 * listener uses the MQTT TLS certificate; the admin API speaks HTTPS when {@code httpTlsCert} and
 * {@code httpTlsKey} are set, and asks for client certificates as {@code httpTlsClientAuth} says.
 *
 * @param mqttTlsPort       port of MQTT over TLS; 0 picks a free one; -1: none even with a certificate
 * @param mqttTlsCert       PEM certificate chain for MQTT over TLS and secure WebSocket; null: no TLS
 * @param mqttTlsKey        PEM (PKCS#8) private key of {@code mqttTlsCert}
 * @param mqttTlsClientAuth whether MQTT TLS clients must present a certificate
 * @param mqttTlsClientCa   PEM CA bundle client certificates must chain to; null: none
 * @param websocketPort     port of MQTT over WebSocket; 0 picks a free one; -1: none
 * @param websocketPath     HTTP path of the WebSocket upgrade (both ws and wss)
 * @param wssPort           port of MQTT over secure WebSocket; 0 picks a free one; -1: none
 * @param httpTlsCert       PEM certificate chain for the admin API (HTTPS); null: plain HTTP
 * @param httpTlsKey        PEM (PKCS#8) private key of {@code httpTlsCert}
 * @param reloadIntervalMs  how often the certificate files are checked for changes
 * @param websocketAllowedOrigins browser origins the ws and wss listeners accept, comma-separated, or
 *                          {@code *}; null: pages of the broker's own host name only ({@link WebSocketOrigins})
 * @param httpTlsClientAuth whether HTTPS clients of the admin API must present a certificate; needs HTTPS
 * @param httpTlsClientCa   PEM CA bundle admin API client certificates must chain to; null: none
 */
public record TransportConfig(int mqttTlsPort, Path mqttTlsCert, Path mqttTlsKey,
                              TlsFiles.ClientAuthMode mqttTlsClientAuth, Path mqttTlsClientCa,
                              int websocketPort, String websocketPath, int wssPort,
                              Path httpTlsCert, Path httpTlsKey, long reloadIntervalMs,
                              String websocketAllowedOrigins,
                              TlsFiles.ClientAuthMode httpTlsClientAuth, Path httpTlsClientCa) {

    public static final TransportConfig DEFAULTS = new TransportConfig(8883, null, null,
            TlsFiles.ClientAuthMode.NONE, null, -1, "/mqtt", -1, null, null, 5_000, null,
            TlsFiles.ClientAuthMode.NONE, null);

    /** Without an origin list: WebSocket pages of the broker's own host name only. */
    public TransportConfig(int mqttTlsPort, Path mqttTlsCert, Path mqttTlsKey,
                           TlsFiles.ClientAuthMode mqttTlsClientAuth, Path mqttTlsClientCa,
                           int websocketPort, String websocketPath, int wssPort,
                           Path httpTlsCert, Path httpTlsKey, long reloadIntervalMs) {
        this(mqttTlsPort, mqttTlsCert, mqttTlsKey, mqttTlsClientAuth, mqttTlsClientCa, websocketPort, websocketPath,
                wssPort, httpTlsCert, httpTlsKey, reloadIntervalMs, null, TlsFiles.ClientAuthMode.NONE, null);
    }

    public TransportConfig {
        Objects.requireNonNull(mqttTlsClientAuth, "mqttTlsClientAuth");
        Objects.requireNonNull(httpTlsClientAuth, "httpTlsClientAuth");
        try {
            WebSocketOrigins.parse(websocketAllowedOrigins);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mqtt.websocket.allowed-origins: " + e.getMessage(), e);
        }
        checkPort(mqttTlsPort, "mqtt.tls.port");
        checkPort(websocketPort, "mqtt.websocket.port");
        checkPort(wssPort, "mqtt.wss.port");
        if (websocketPath == null || !websocketPath.startsWith("/")) {
            throw new IllegalArgumentException("mqtt.websocket.path must start with /, got " + websocketPath);
        }
        if (reloadIntervalMs < 100) {
            throw new IllegalArgumentException("tls.reload-interval must be at least 100 ms, got " + reloadIntervalMs);
        }
        if ((mqttTlsCert == null) != (mqttTlsKey == null)) {
            throw new IllegalArgumentException("mqtt.tls.cert and mqtt.tls.key go together");
        }
        if ((httpTlsCert == null) != (httpTlsKey == null)) {
            throw new IllegalArgumentException("http.tls.cert and http.tls.key go together");
        }
        if (wssPort >= 0 && mqttTlsCert == null) {
            throw new IllegalArgumentException("mqtt.wss.port needs mqtt.tls.cert and mqtt.tls.key");
        }
        checkClientAuth("mqtt", mqttTlsClientAuth, mqttTlsClientCa);
        checkClientAuth("http", httpTlsClientAuth, httpTlsClientCa);
        if (httpTlsClientAuth != TlsFiles.ClientAuthMode.NONE && httpTlsCert == null) {
            throw new IllegalArgumentException("http.tls.client-auth needs HTTPS: http.tls.cert and http.tls.key");
        }
    }

    private static void checkClientAuth(String listener, TlsFiles.ClientAuthMode mode, Path clientCa) {
        if (mode != TlsFiles.ClientAuthMode.NONE && clientCa == null) {
            throw new IllegalArgumentException(listener + ".tls.client-auth " + mode.name().toLowerCase(
                    java.util.Locale.ROOT) + " needs " + listener + ".tls.client-ca");
        }
    }

    private static void checkPort(int port, String name) {
        if (port < -1 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be within -1..65535, got " + port);
        }
    }

    /** The MQTT TLS identity; null when no certificate is configured. */
    public TlsFiles mqttTls() {
        return mqttTlsCert == null ? null
                : new TlsFiles(mqttTlsCert, mqttTlsKey, mqttTlsClientAuth, mqttTlsClientCa);
    }

    /** The admin API's TLS identity; null: plain HTTP. */
    public TlsFiles httpTls() {
        return httpTlsCert == null ? null : new TlsFiles(httpTlsCert, httpTlsKey, httpTlsClientAuth, httpTlsClientCa);
    }

    public TransportConfig withMqttTls(int port, Path cert, Path key) {
        return new TransportConfig(port, cert, key, mqttTlsClientAuth, mqttTlsClientCa, websocketPort,
                websocketPath, wssPort, httpTlsCert, httpTlsKey, reloadIntervalMs, websocketAllowedOrigins,
                httpTlsClientAuth, httpTlsClientCa);
    }

    public TransportConfig withClientAuth(TlsFiles.ClientAuthMode mode, Path clientCa) {
        return new TransportConfig(mqttTlsPort, mqttTlsCert, mqttTlsKey, mode, clientCa, websocketPort,
                websocketPath, wssPort, httpTlsCert, httpTlsKey, reloadIntervalMs, websocketAllowedOrigins,
                httpTlsClientAuth, httpTlsClientCa);
    }

    public TransportConfig withWebSocket(int port, int securePort) {
        return new TransportConfig(mqttTlsPort, mqttTlsCert, mqttTlsKey, mqttTlsClientAuth, mqttTlsClientCa, port,
                websocketPath, securePort, httpTlsCert, httpTlsKey, reloadIntervalMs, websocketAllowedOrigins,
                httpTlsClientAuth, httpTlsClientCa);
    }

    public TransportConfig withHttpTls(Path cert, Path key) {
        return new TransportConfig(mqttTlsPort, mqttTlsCert, mqttTlsKey, mqttTlsClientAuth, mqttTlsClientCa,
                websocketPort, websocketPath, wssPort, cert, key, reloadIntervalMs, websocketAllowedOrigins,
                httpTlsClientAuth, httpTlsClientCa);
    }

    /** With client certificates on the admin API's HTTPS listener, checked against {@code clientCa}. */
    public TransportConfig withHttpClientAuth(TlsFiles.ClientAuthMode mode, Path clientCa) {
        return new TransportConfig(mqttTlsPort, mqttTlsCert, mqttTlsKey, mqttTlsClientAuth, mqttTlsClientCa,
                websocketPort, websocketPath, wssPort, httpTlsCert, httpTlsKey, reloadIntervalMs,
                websocketAllowedOrigins, mode, clientCa);
    }

    public TransportConfig withReloadIntervalMs(long ms) {
        return new TransportConfig(mqttTlsPort, mqttTlsCert, mqttTlsKey, mqttTlsClientAuth, mqttTlsClientCa,
                websocketPort, websocketPath, wssPort, httpTlsCert, httpTlsKey, ms, websocketAllowedOrigins,
                httpTlsClientAuth, httpTlsClientCa);
    }

    /** With the browser origins the WebSocket listeners accept ({@link WebSocketOrigins#parse}). */
    public TransportConfig withWebSocketAllowedOrigins(String origins) {
        return new TransportConfig(mqttTlsPort, mqttTlsCert, mqttTlsKey, mqttTlsClientAuth, mqttTlsClientCa,
                websocketPort, websocketPath, wssPort, httpTlsCert, httpTlsKey, reloadIntervalMs, origins,
                httpTlsClientAuth, httpTlsClientCa);
    }

    /** The parsed {@link #websocketAllowedOrigins}. */
    public WebSocketOrigins webSocketOrigins() {
        return WebSocketOrigins.parse(websocketAllowedOrigins);
    }
}
