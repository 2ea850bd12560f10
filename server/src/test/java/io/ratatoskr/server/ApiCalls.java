package io.ratatoskr.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a running node's admin API over a real socket (optionally with a bearer token). */
record ApiCalls(int port, String token) {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: status, JSON body (null if empty), and the raw response. */
    record Answer(int status, JsonNode json, HttpResponse<String> response) {}

    ApiCalls(int port) {
        this(port, null);
    }

    Answer get(String path) throws Exception {
        return call("GET", path, null);
    }

    Answer delete(String path) throws Exception {
        return call("DELETE", path, null);
    }

    Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        boolean json = r.headers().firstValue("content-type").orElse("").startsWith("application/json");
        return new Answer(r.statusCode(), json && !r.body().isEmpty() ? Json.MAPPER.readTree(r.body()) : null, r);
    }
}
