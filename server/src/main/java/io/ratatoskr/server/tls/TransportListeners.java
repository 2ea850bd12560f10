package io.ratatoskr.server.tls;

import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.http.AdminHttpServer;
import io.ratatoskr.mqtt.server.MqttListener;
import io.ratatoskr.mqtt.server.MqttServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Wires {@link TransportConfig} into the listeners: loads the certificates once (a bad file fails
 * the start), adds the MQTT TLS / WebSocket / secure WebSocket listeners and HTTPS, and checks the
 * certificate files for changes on the housekeeping executor.
 *
 * <p>Thread-safety: set up by the wiring thread before the listeners start; afterwards only the
 * housekeeping thread calls {@link ReloadingSslContext#reloadIfChanged}.
 */
public final class TransportListeners {
    private static final Logger log = LoggerFactory.getLogger(TransportListeners.class);

    private final TransportConfig config;
    private final ReloadingSslContext mqttTls;
    private final ReloadingSslContext httpTls;

    private TransportListeners(TransportConfig config, ReloadingSslContext mqttTls, ReloadingSslContext httpTls) {
        this.config = config;
        this.mqttTls = mqttTls;
        this.httpTls = httpTls;
    }

    /** Loads the configured certificates. @throws IllegalArgumentException if one does not load */
    public static TransportListeners load(TransportConfig config, MeterRegistry registry) {
        TlsFiles mqtt = config.mqttTls();
        TlsFiles http = config.httpTls();
        return new TransportListeners(config,
                mqtt == null ? null : new ReloadingSslContext("mqtt", mqtt, registry),
                http == null ? null : new ReloadingSslContext("http", http, registry));
    }

    /** Adds the configured TLS and WebSocket listeners to {@code server}, before it starts. */
    public void addMqttListeners(MqttServer server) {
        if (mqttTls != null && config.mqttTlsPort() >= 0) {
            server.listen(MqttListener.tls(config.mqttTlsPort(), mqttTls));
        }
        if (config.websocketPort() >= 0) {
            server.listen(MqttListener.webSocket(config.websocketPort(), config.websocketPath())
                    .withOrigins(config.webSocketOrigins()));
        }
        if (mqttTls != null && config.wssPort() >= 0) {
            server.listen(MqttListener.secureWebSocket(config.wssPort(), config.websocketPath(), mqttTls)
                    .withOrigins(config.webSocketOrigins()));
        }
    }

    /** Turns the admin API to HTTPS when a certificate is configured, before it starts. */
    public void secureAdmin(AdminHttpServer http) {
        if (httpTls != null) {
            http.tls(httpTls);
        }
    }

    /**
     * Checks the certificate files every {@code tls.reload-interval} on {@code housekeeping}, with
     * {@code others} (checks of listeners that reload their own certificates, such as gRPC).
     */
    public void scheduleReload(ScheduledExecutorService housekeeping, List<BooleanSupplier> others) {
        List<BooleanSupplier> watched = new ArrayList<>(others);
        if (mqttTls != null) {
            watched.add(mqttTls::reloadIfChanged);
        }
        if (httpTls != null) {
            watched.add(httpTls::reloadIfChanged);
        }
        long interval = config.reloadIntervalMs();
        housekeeping.scheduleWithFixedDelay(() -> {
            for (BooleanSupplier check : watched) {
                try {
                    check.getAsBoolean();
                } catch (RuntimeException e) {
                    log.error("checking TLS certificate files for changes failed", e);
                }
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }
}
