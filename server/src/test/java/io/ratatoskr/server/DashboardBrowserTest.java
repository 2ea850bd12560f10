package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.http.AdminHttpServer;
import io.ratatoskr.http.ApiResponse;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.http.Router;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

/**
 * The web dashboard in a real headless Chromium against a running broker: it loads, its numbers move
 * when messages flow, and its actions (replay dead letters, disconnect a client) work. Screenshots of
 * each step are kept in {@code target/dashboard-screenshots/}. The tests do not depend on each other;
 * they run in a fixed order so that the screenshots tell the story in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static HeadlessChromium chromium;
    private static MqttClient publisher;

    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0)));
        publisher = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "dash-publisher", new MemoryPersistence());
        publisher.connect(new MqttConnectOptions());
        publisher.subscribe("dash/live", 0, (topic, message) -> {}); // so that messages also go out
        chromium = HeadlessChromium.start(SCREENSHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (publisher != null && publisher.isConnected()) {
            publisher.disconnect();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void noScriptErrorsOrPolicyViolations() {
        assertThat(chromium.consoleErrors()).as("browser console errors").isEmpty();
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsMatching(e -> e instanceof StaleElementReferenceException
                        || e instanceof NoSuchElementException);
    }

    /** Opens the page unless it is open already (so the sparkline keeps its history across tests). */
    private static void open() {
        String url = "http://127.0.0.1:" + server.httpPort() + "/";
        if (!url.equals(chromium.driver().getCurrentUrl())) {
            chromium.driver().get(url);
        }
    }

    private static String text(String id) {
        return chromium.driver().findElement(By.id(id)).getText();
    }

    private static WebElement row(String table, String key) {
        return chromium.driver().findElement(By.cssSelector("#" + table + " tbody tr[data-key='" + key + "']"));
    }

    private static String cell(String table, String key, String column) {
        return row(table, key).findElement(By.className(column)).getText();
    }

    /** Whether the rate shown is above zero ("–" until the page has two samples). */
    private static boolean movingRate(String id) {
        String shown = text(id);
        return !shown.equals("–") && Double.parseDouble(shown.replace(",", "")) > 0;
    }

    private static long number(String shown) {
        return Long.parseLong(shown.replace(",", ""));
    }

    private static void publishMqtt(String topic, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            publisher.publish(topic, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
    }

    @Test
    @Order(1)
    void pageLoadsWithReadyHealthTheVersionAndTheListeners() throws Exception {
        open();
        await().until(() -> text("health").equals("READY"));
        await().until(() -> text("version").equals(Version.get()));
        assertThat(chromium.driver().getTitle()).isEqualTo("Ratatoskr");
        await().until(() -> text("listeners").contains("mqtt 127.0.0.1:" + server.mqttPort()));
        assertThat(text("listeners")).contains("http 127.0.0.1:" + server.httpPort());
        chromium.screenshot("01-loaded");
    }

    @Test
    @Order(2)
    void ratesAndTotalsMoveWhenMessagesFlow() throws Exception {
        open();
        await().until(() -> !text("total-in").equals("–"));
        long before = number(text("total-in"));
        // Publishing on every poll keeps the rate above zero until the page's once-a-second sample sees it.
        await().until(() -> {
            publishMqtt("dash/live", 5);
            return number(text("total-in")) > before && movingRate("rate-in");
        });
        assertThat(chromium.driver().findElement(By.cssSelector("#sparkline polyline.in")).getAttribute("points"))
                .isNotBlank();
        chromium.screenshot("02-traffic");
    }

    @Test
    @Order(3)
    void pauseStopsTheRefreshAndResumeCatchesUp() throws Exception {
        open();
        WebElement pause = chromium.driver().findElement(By.id("pause"));
        pause.click();
        try {
            assertThat(pause.getAttribute("aria-pressed")).isEqualTo("true");
            assertThat(pause.getText()).isEqualTo("Resume");
            await().until(() -> text("updated").equals("paused"));
            String frozen = text("total-in");
            publishMqtt("dash/live", 5);
            Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                    .until(() -> text("total-in").equals(frozen));
            pause.click();
            await().until(() -> number(text("total-in")) > number(frozen));
            assertThat(pause.getText()).isEqualTo("Pause");
        } finally {
            if ("true".equals(pause.getAttribute("aria-pressed"))) {
                pause.click(); // the next tests need a live page
            }
        }
    }

    @Test
    @Order(4)
    void aHiddenTabStopsPollingAndResumesWhenShown() {
        open();
        String page = chromium.driver().getWindowHandle();
        await().until(() -> apiCalls() > 0);
        chromium.driver().switchTo().newWindow(WindowType.TAB);
        try {
            double hidden = apiCalls();
            Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                    .until(() -> apiCalls() <= hidden + 6); // at most the one poll that was under way
            double settled = apiCalls();
            Awaitility.await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3))
                    .until(() -> apiCalls() == settled);
        } finally {
            chromium.driver().close();
            chromium.driver().switchTo().window(page);
        }
        double shown = apiCalls();
        await().until(() -> apiCalls() > shown);
    }

    /** Admin API calls the broker has answered so far. */
    private static double apiCalls() {
        return server.meterRegistry().find("ratatoskr.http.requests").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    @Order(5)
    void aTopicCreatedThroughTheApiShowsUpAndItsDepthGrows() throws Exception {
        ApiCalls.Answer created = new ApiCalls(server.httpPort())
                .call("POST", "/api/v1/topics", "{\"name\": \"dash-orders\", \"partitions\": 2}");
        assertThat(created.status()).as("%s", created.json()).isEqualTo(201);
        open();
        await().until(() -> cell("topics", "dash-orders", "messages").equals("0"));
        assertThat(cell("topics", "dash-orders", "partitions")).isEqualTo("2");
        assertThat(cell("topics", "dash-orders", "lag")).as("no consumer group").isEqualTo("–");

        publishMqtt("dash-orders", 3);
        await().until(() -> cell("topics", "dash-orders", "messages").equals("3"));
        publishMqtt("dash-orders/eu", 4);
        await().until(() -> cell("topics", "dash-orders", "messages").equals("7"));
        assertThat(cell("topics", "dash-orders", "size")).endsWith("B");
        chromium.screenshot("03-topics");
    }

    @Test
    @Order(6)
    void replayOnTheDashboardEmptiesTheDeadLetterTopic() throws Exception {
        QueueSink sink = deadLetter("dash-payments", "settle", "pay-1", "pay-2");

        open();
        await().until(() -> cell("dlq", "dash-payments.dlq", "depth").equals("2"));
        await().until(() -> cell("groups", "dash-payments/settle", "members").equals("1"));
        await().until(() -> {
            publishMqtt("dash/live", 3);
            return movingRate("rate-out");
        });
        chromium.screenshotOfWholePage("04-dead-letters"); // docs/images/dashboard.png

        WebElement replay = row("dlq", "dash-payments.dlq").findElement(By.cssSelector("button.replay"));
        assertThat(replay.getAccessibleName()).isEqualTo("Replay the dead letters of dash-payments.dlq");
        replay.click();
        await().until(() -> cell("dlq", "dash-payments.dlq", "depth").equals("0"));
        assertThat(text("dlq-status")).contains("Replayed 2 dead letters of dash-payments.dlq");
        await().until(() -> !row("dlq", "dash-payments.dlq").findElement(By.cssSelector("button.replay")).isEnabled());
        // The group gets the replayed messages again; until it acknowledges them they are its lag.
        assertThat(new String(sink.next().message().message().payload(), StandardCharsets.UTF_8)).startsWith("pay-");
        await().until(() -> cell("topics", "dash-payments", "lag").equals("2"));
        chromium.screenshot("05-replayed");
    }

    /**
     * Creates {@code topic}, publishes {@code payloads} to it and has a member of {@code group} reject
     * each, so that they land in {@code <topic>.dlq}; returns the member's sink.
     */
    private static QueueSink deadLetter(String topic, String group, String... payloads) throws Exception {
        server.durableTopics().create(topic, TopicConfig.DEFAULTS);
        for (String payload : payloads) {
            server.durableTopics().publish(topic, new Message(topic, payload.getBytes(StandardCharsets.UTF_8), 1,
                    false, MessageProperties.EMPTY, "test", System.currentTimeMillis()), PublishOptions.NONE).join();
        }
        QueueSink sink = new QueueSink();
        GroupMember member = server.consumerGroups().join(topic, group, MemberOptions.named(group + "-1"), sink);
        for (int i = 0; i < payloads.length; i++) {
            member.reject(sink.next().deliveryId(), "bad amount").join();
        }
        return sink;
    }

    @Test
    @Order(7)
    void aFailedActionShowsTheBrokersMessageInPlace() throws Exception {
        deadLetter("dash-gone", "auditors", "a-1");
        open();
        await().until(() -> cell("dlq", "dash-gone.dlq", "depth").equals("1"));
        WebElement pause = chromium.driver().findElement(By.id("pause"));
        pause.click(); // the row stays on the page while its topic goes away
        try {
            assertThat(new ApiCalls(server.httpPort()).delete("/api/v1/topics/dash-gone.dlq").status()).isEqualTo(204);
            row("dlq", "dash-gone.dlq").findElement(By.cssSelector("button.replay")).click();
            await().until(() -> text("dlq-error").startsWith("Replay of dash-gone.dlq failed: "));
            assertThat(text("dlq-error")).contains("does not exist");
            assertThat(text("dlq-status")).as("an earlier action's outcome is gone").isEmpty();
            chromium.driver().executeScript("arguments[0].scrollIntoView({block: 'center'});",
                    chromium.driver().findElement(By.id("dlq-error")));
            chromium.screenshot("06-failed-action");
        } finally {
            pause.click();
        }
        await().until(() -> chromium.driver().findElements(
                By.cssSelector("#dlq tbody tr[data-key='dash-gone.dlq']")).isEmpty());
        assertThat(text("dlq-error")).as("cleared by the next good answer").isEmpty();
        assertThat(chromium.consoleErrors()).as("only the refused replay")
                .allMatch(e -> e.contains("/api/v1/dlq/dash-gone.dlq/replay") && e.contains("404"));
    }

    @Test
    @Order(8)
    void disconnectOnTheDashboardClosesTheClientsConnection() throws Exception {
        CompletableFuture<MqttDisconnectResponse> lost = new CompletableFuture<>();
        org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(
                "tcp://127.0.0.1:" + server.mqttPort(), "dash-client-1",
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.setCallback(new DisconnectListener(lost));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(300L);
        client.connect(options);
        client.subscribe("dash/cmd/#", 1);
        try {
            open();
            await().until(() -> cell("clients", "dash-client-1", "subscriptions").equals("1"));
            assertThat(cell("clients", "dash-client-1", "protocol")).isEqualTo("mqtt 5");
            chromium.screenshotOfWholePage("07-clients");

            row("clients", "dash-client-1").findElement(By.cssSelector("button.disconnect")).click();
            WebElement dialog = chromium.driver().findElement(By.id("confirm"));
            await().until(dialog::isDisplayed);
            assertThat(dialog.getText()).contains("Disconnect client dash-client-1?");
            chromium.screenshot("08-confirm");
            assertThat(lost).as("nothing happens before the confirmation").isNotDone();
            chromium.driver().findElement(By.id("confirm-ok")).click();

            MqttDisconnectResponse response = lost.get(10, TimeUnit.SECONDS);
            assertThat(response.getReturnCode()).as("MQTT 5 DISCONNECT 0x98 administrative action").isEqualTo(0x98);
            await().until(() -> chromium.driver().findElements(
                    By.cssSelector("#clients tbody tr[data-key='dash-client-1']")).isEmpty());
            assertThat(text("clients-status")).isEqualTo("Disconnected dash-client-1.");
        } finally {
            client.close(true);
        }
    }

    @Test
    @Order(9)
    void aBrokerThatIsNotReadyOrLacksTheBrokerAndClientRoutesIsShownAsItIs() throws Exception {
        Router older = new Router()
                .get("/health", r -> ApiResponse.ok(Map.of("status", "UP", "version", "0.0.9")))
                .get("/ready", r -> ApiResponse.unavailable(Map.of("status", "NOT_READY", "checks", Map.of(
                        "mqtt", Map.of("status", "UP"),
                        "topics", Map.of("status", "DOWN", "reason", "partitions refuse writes: orders/0")))))
                .get("/api/v1/topics", r -> ApiResponse.ok(Map.of("topics", List.of())))
                .get("/api/v1/groups", r -> ApiResponse.ok(Map.of("groups", List.of())))
                .get("/api/v1/dlq", r -> ApiResponse.ok(Map.of("topics", List.of())));
        try (AdminHttpServer http = new AdminHttpServer(HttpConfig.DEFAULTS.withPort(0), older,
                new SimpleMeterRegistry())) {
            http.start();
            chromium.driver().get("http://127.0.0.1:" + http.port() + "/");
            await().until(() -> text("version").equals("0.0.9"));
            await().until(() -> text("health").equals("NOT_READY"));
            assertThat(text("health-reasons")).isEqualTo("topics: partitions refuse writes: orders/0");
            await().until(() -> text("broker-error").contains("not available on this broker"));
            await().until(() -> text("clients-error").contains("not available on this broker"));
            assertThat(text("uptime")).isEqualTo("not available");
            assertThat(chromium.driver().findElement(By.cssSelector(".empty[data-for='topics']")).getText())
                    .isEqualTo("No durable topics.");
            chromium.screenshot("09-not-ready-older-broker");
        }
        assertThat(chromium.consoleErrors()).as("only the missing routes and /ready's 503 failed")
                .allMatch(e -> e.contains("/api/v1/broker") || e.contains("/api/v1/clients") || e.contains("/ready"));
    }

    @Test
    @Order(10)
    void aBrokerWithATokenGetsItFromTheTokenFieldAndTheTabKeepsIt() throws Exception {
        Router routes = new Router()
                .get("/health", r -> ApiResponse.ok(Map.of("status", "UP", "version", "0.0.9")))
                .get("/ready", r -> ApiResponse.ok(Map.of("status", "READY", "checks", Map.of())))
                .get("/api/v1/topics", r -> ApiResponse.ok(Map.of("topics", List.of(Map.of("name", "secret-orders",
                        "partitions", List.of(Map.of("partition", 0)), "messages", 3, "sizeBytes", 300,
                        "filters", List.of("secret-orders"))))))
                .get("/api/v1/groups", r -> ApiResponse.ok(Map.of("groups", List.of())))
                .get("/api/v1/dlq", r -> ApiResponse.ok(Map.of("topics", List.of())));
        try (AdminHttpServer http = new AdminHttpServer(
                HttpConfig.DEFAULTS.withPort(0).withBearerToken("s3cret-t0ken"), routes, new SimpleMeterRegistry())) {
            http.start();
            chromium.driver().get("http://127.0.0.1:" + http.port() + "/");
            WebElement form = chromium.driver().findElement(By.id("token-form"));
            await().until(form::isDisplayed);
            assertThat(text("health")).as("/ready needs no token").isEqualTo("READY");
            assertThat(text("topics-error")).contains("needs a token");
            chromium.screenshot("10-token-asked");

            WebElement field = chromium.driver().findElement(By.id("token"));
            assertThat(field.getAccessibleName()).isEqualTo("The admin API needs a bearer token");
            field.sendKeys("wrong-token");
            form.findElement(By.cssSelector("button[type='submit']")).click();
            await().until(() -> text("token-error").equals("The broker refused this token."));

            field.sendKeys("s3cret-t0ken");
            form.findElement(By.cssSelector("button[type='submit']")).click();
            await().until(() -> cell("topics", "secret-orders", "messages").equals("3"));
            await().until(() -> !form.isDisplayed());
            assertThat(chromium.driver().executeScript("return sessionStorage.getItem('ratatoskr.token');"))
                    .isEqualTo("s3cret-t0ken");
            chromium.driver().navigate().refresh();
            await().until(() -> cell("topics", "secret-orders", "messages").equals("3"));
            assertThat(chromium.driver().findElement(By.id("token-form")).isDisplayed()).as("kept").isFalse();
        }
        assertThat(chromium.consoleErrors()).as("only refused calls and routes this broker lacks")
                .allMatch(e -> e.contains("401") || e.contains("/api/v1/broker") || e.contains("/api/v1/clients"));
    }
}
