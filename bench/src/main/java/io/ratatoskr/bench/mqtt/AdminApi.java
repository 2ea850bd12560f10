package io.ratatoskr.bench.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The calls the load generator makes to Ratatoskr's admin API ({@code POST /api/v1/topics},
 * {@code DELETE /api/v1/topics/<name>}): a durable topic is created before a run with the settings under test
 * and deleted after it. Plain JSON over the JDK's HTTP client, so that the generator needs nothing of the
 * broker's modules.
 *
 * <p>Thread-safe (the JDK HTTP client is; the rest is immutable).
 */
final class AdminApi {
    private final URI base;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    AdminApi(URI base, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * Creates a durable topic.
     *
     * @param durability {@code fsync}, {@code group} or {@code async}
     * @throws IllegalStateException when the broker refuses or cannot be reached, with its answer
     */
    void createTopic(String name, int partitions, String durability) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("partitions", partitions);
        body.put("durability", durability);
        try {
            call("POST", "/api/v1/topics", json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + body, e);
        }
    }

    /**
     * Deletes a durable topic and what it stored.
     *
     * @throws IllegalStateException when the broker refuses or cannot be reached
     */
    void deleteTopic(String name) {
        call("DELETE", "/api/v1/topics/" + URLEncoder.encode(name, StandardCharsets.UTF_8), null);
    }

    private void call(String method, String path, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + base + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + base + path + " interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + base + path + " answered HTTP " + response.statusCode()
                    + ": " + response.body());
        }
    }
}
