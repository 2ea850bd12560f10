package io.ratatoskr.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.http.Json;
import io.ratatoskr.http.client.AdminClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ratatoskr status}: is the broker up and ready, which version, where it listens, how busy it is —
 * from {@code GET /health}, {@code GET /ready} and {@code GET /api/v1/broker} of its admin API. A broker
 * without the broker route (older) still gets health and readiness.
 *
 * <p>Exit codes: 0 ready; 1 not ready, or the admin API unreachable; 2 usage error.
 *
 * <p>Thread-safety: confined to the command's thread.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show a running broker's health, readiness (with reasons), version, listeners and counts.",
            "", "Examples:", "  ratatoskr status", "  ratatoskr status --url http://10.0.0.5:8080 --json"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the broker is ready", "1:not ready, or the admin API is unreachable", "2:usage error"})
final class StatusCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Mixin
    AdminTarget target;

    @Override
    public Integer call() {
        PrintWriter out = target.out();
        BrokerStatus status;
        try {
            status = fetch(URI.create(target.url.endsWith("/") ? target.url.substring(0, target.url.length() - 1)
                    : target.url), target.token);
        } catch (AdminClientException e) {
            return target.fail(e);
        }
        BrokerStatus shown = status;
        target.print(status.json(), () -> shown.lines().forEach(out::println));
        return status.isReady() ? 0 : 1;
    }

    /** The three documents; {@code token} (null: none) is sent as a bearer token, which the broker route needs. */
    private static BrokerStatus fetch(URI base, String token) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        HttpResponse<byte[]> health = get(http, base, "/health", token);
        if (health.statusCode() != 200) {
            throw new AdminClientException(health.statusCode(), "unhealthy", "GET /health answered HTTP "
                    + health.statusCode());
        }
        HttpResponse<byte[]> ready = get(http, base, "/ready", token);
        HttpResponse<byte[]> broker = get(http, base, "/api/v1/broker", token);
        // A node that is still recovering answers only its probes (the broker route: 503): its
        // readiness checks say what it is doing, which is what status should show.
        boolean starting = broker.statusCode() == 503 && ready.statusCode() == 503;
        if (broker.statusCode() != 200 && broker.statusCode() != 404 && !starting) {
            JsonNode error = parse(base, broker);
            throw new AdminClientException(broker.statusCode(), error.path("error").asText("http_"
                    + broker.statusCode()), error.path("message").asText("GET /api/v1/broker failed"));
        }
        return new BrokerStatus(base.toString(), parse(base, health), parse(base, ready),
                broker.statusCode() == 200 ? parse(base, broker) : null);
    }

    private static HttpResponse<byte[]> get(HttpClient http, URI base, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("accept", "application/json").GET();
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new AdminClientException(0, "unreachable", "cannot reach the admin API at " + base
                    + " (is `ratatoskr server` running? use --url to point elsewhere)");
        } catch (IOException e) {
            throw new AdminClientException(0, "io", "GET " + base + path + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminClientException(0, "interrupted", "interrupted");
        }
    }

    private static JsonNode parse(URI base, HttpResponse<byte[]> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AdminClientException(response.statusCode(), "bad_response", "unreadable answer from " + base
                    + response.request().uri().getPath() + ": " + e.getMessage());
        }
    }
}
