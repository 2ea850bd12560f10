package io.ratatoskr.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.mqtt.server.MqttListener;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A browser MQTT client — MQTT.js (npm {@code mqtt}, its browser bundle) in headless Chromium —
 * talks to the broker over WebSocket, and messages cross between it and a Paho client both ways.
 *
 * <p>Needs {@code mqtt.min.js} ({@code $RATATOSKR_MQTTJS} or {@code .ci/tools}, installed by .ci/run)
 * and Debian's {@code chromium} and {@code chromedriver}; on CI their absence fails the test,
 * elsewhere it is skipped.
 */
class MqttJsBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void mqttJsInChromiumPublishesAndReceivesOverWebSocket() throws Exception {
        Path mqttJs = require(findMqttJs(), "MQTT.js (npm install mqtt, or set RATATOSKR_MQTTJS)");
        require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER) ? CHROMIUM : null,
                "chromium and chromedriver (apt-get install chromium chromium-driver)");
        try (RatatoskrServer server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null)
                // The page is a file: its origin is no web site's, so the listener is told to take any.
                .withTransports(TransportConfig.DEFAULTS.withWebSocket(0, -1).withWebSocketAllowedOrigins("*")))) {
            MqttClient paho = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "paho-peer",
                    new MemoryPersistence());
            paho.connect(new MqttConnectOptions());
            CompletableFuture<String> fromBrowser = new CompletableFuture<>();
            paho.subscribe("browser/out", 1, (t, m) ->
                    fromBrowser.complete(new String(m.getPayload(), StandardCharsets.UTF_8)));
            Path page = page(mqttJs, "ws://127.0.0.1:" + server.mqttPort(MqttListener.Kind.WS) + "/mqtt");
            ChromeDriver browser = chromium();
            try {
                browser.get(page.toUri().toString());
                assertThat(fromBrowser.get(30, TimeUnit.SECONDS)).isEqualTo("hello from chromium");
                JavascriptExecutor js = browser;
                assertThat(js.executeScript("return window.mqttState.subscribed")).isEqualTo(true);
                paho.publish("browser/in", "hello from paho".getBytes(StandardCharsets.UTF_8), 1, false);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat((List<Object>) js.executeScript("return window.mqttState.received"))
                                .containsExactly("browser/in hello from paho"));
                assertThat(js.executeScript("return window.mqttState.errors")).asList().isEmpty();
            } finally {
                browser.quit();
                paho.disconnect();
                paho.close(true);
            }
        }
    }

    /**
     * A page that loads MQTT.js from its file, connects, subscribes to {@code browser/in}, publishes to
     * {@code browser/out} once subscribed, and keeps what it receives in {@code window.mqttState}.
     */
    private Path page(Path mqttJs, String url) throws Exception {
        Path html = dir.resolve("mqtt-browser.html");
        Files.writeString(html, """
                <!doctype html>
                <html><head><meta charset="utf-8"><title>MQTT.js over WebSocket</title>
                <script src="%s"></script></head>
                <body><script>
                window.mqttState = {subscribed: false, received: [], errors: []};
                const client = mqtt.connect("%s", {clientId: "chromium", protocolVersion: 5, reconnectPeriod: 0});
                client.on("error", e => window.mqttState.errors.push(String(e)));
                client.on("message", (topic, payload) =>
                    window.mqttState.received.push(topic + " " + new TextDecoder().decode(payload)));
                client.on("connect", () => client.subscribe("browser/in", {qos: 1}, err => {
                    if (err) { window.mqttState.errors.push(String(err)); return; }
                    window.mqttState.subscribed = true;
                    client.publish("browser/out", "hello from chromium", {qos: 1});
                }));
                </script></body></html>
                """.formatted(mqttJs.toUri(), url));
        return html;
    }

    private static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run", "--allow-file-access-from-files");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static Path findMqttJs() {
        String explicit = System.getenv("RATATOSKR_MQTTJS");
        if (explicit != null && Files.isReadable(Path.of(explicit))) {
            return Path.of(explicit).toAbsolutePath();
        }
        Path local = Path.of("..", ".ci", "tools", "node_modules", "mqtt", "dist", "mqtt.min.js");
        return Files.isReadable(local) ? local.toAbsolutePath().normalize() : null;
    }

    private static <T> T require(T found, String what) {
        if (found == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(what + " is not installed: .ci/run installs it");
            }
            assumeTrue(false, what + " not found");
        }
        return found;
    }
}
