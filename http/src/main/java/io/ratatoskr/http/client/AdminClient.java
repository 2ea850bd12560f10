package io.ratatoskr.http.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ratatoskr.http.ApiError;
import io.ratatoskr.http.Json;
import io.ratatoskr.http.api.DeadLetterView;
import io.ratatoskr.http.api.GroupConfigPatch;
import io.ratatoskr.http.api.GroupView;
import io.ratatoskr.http.api.ReplayRequest;
import io.ratatoskr.http.api.ResetOffsetsRequest;
import io.ratatoskr.http.api.TopicConfigPatch;
import io.ratatoskr.http.api.TopicView;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A client of the admin API, used by the {@code ratatoskr topic|group|dlq ...} commands.
 *
 * <p>Thread-safety: thread-safe (the JDK HTTP client is).
 */
public final class AdminClient {
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    /** The {@code Authorization} header's value, or null. */
    private final String authorization;

    public AdminClient(URI base, Duration timeout) {
        this(base, timeout, null);
    }

    /** A client that sends {@code token} as its bearer token (null or empty: none). */
    public AdminClient(URI base, Duration timeout, String token) {
        this(base, timeout, token == null || token.isEmpty() ? null : "Bearer " + token, true);
    }

    /**
     * A client that logs in as {@code user} with {@code password} (HTTP Basic, RFC 7617, UTF-8) on every
     * call; the broker checks them against its password file, as for MQTT.
     */
    public static AdminClient withLogin(URI base, Duration timeout, String user, String password) {
        String pair = user + ":" + password;
        return new AdminClient(base, timeout, "Basic " + java.util.Base64.getEncoder()
                .encodeToString(pair.getBytes(java.nio.charset.StandardCharsets.UTF_8)), true);
    }

    private AdminClient(URI base, Duration timeout, String authorization, boolean ignored) {
        this.authorization = authorization;
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public TopicView createTopic(TopicConfigPatch topic) {
        return call("POST", "/api/v1/topics", Json.write(topic), new TypeReference<TopicView>() {});
    }

    public List<TopicView> listTopics() {
        Map<String, List<TopicView>> r = call("GET", "/api/v1/topics", null,
                new TypeReference<Map<String, List<TopicView>>>() {});
        return r.get("topics");
    }

    public TopicView describeTopic(String name) {
        return call("GET", "/api/v1/topics/" + encode(name), null, new TypeReference<TopicView>() {});
    }

    public TopicView alterTopic(String name, TopicConfigPatch patch) {
        return call("PATCH", "/api/v1/topics/" + encode(name), Json.write(patch), new TypeReference<TopicView>() {});
    }

    public void deleteTopic(String name) {
        call("DELETE", "/api/v1/topics/" + encode(name), null, null);
    }

    /** Every consumer group, or those of {@code topic} when it is not null. */
    public List<GroupView> listGroups(String topic) {
        Map<String, List<GroupView>> r = call("GET", "/api/v1/groups" + (topic == null ? "" : "?topic=" + encode(topic)),
                null, new TypeReference<Map<String, List<GroupView>>>() {});
        return r.get("groups");
    }

    public GroupView describeGroup(String topic, String group) {
        return call("GET", groupPath(topic, group), null, new TypeReference<GroupView>() {});
    }

    public GroupView alterGroup(String topic, String group, GroupConfigPatch patch) {
        return call("PATCH", groupPath(topic, group), Json.write(patch), new TypeReference<GroupView>() {});
    }

    /** Moves every partition of a group to {@code to} (earliest, latest, offset:N, time:...). */
    public GroupView resetOffsets(String topic, String group, String to) {
        return call("POST", groupPath(topic, group) + "/reset-offsets", Json.write(new ResetOffsetsRequest(to)),
                new TypeReference<GroupView>() {});
    }

    public void deleteGroup(String topic, String group) {
        call("DELETE", groupPath(topic, group), null, null);
    }

    public List<DeadLetterView.TopicDepth> listDeadLetterTopics() {
        Map<String, List<DeadLetterView.TopicDepth>> r = call("GET", "/api/v1/dlq", null,
                new TypeReference<Map<String, List<DeadLetterView.TopicDepth>>>() {});
        return r.get("topics");
    }

    /** Dead letters of one partition; null arguments take the API's defaults. */
    public DeadLetterView.Page inspectDeadLetters(String dlqTopic, Integer partition, Long from, Integer max) {
        StringBuilder q = new StringBuilder();
        if (partition != null) {
            q.append("&partition=").append(partition);
        }
        if (from != null) {
            q.append("&from=").append(from);
        }
        if (max != null) {
            q.append("&max=").append(max);
        }
        String query = q.isEmpty() ? "" : "?" + q.substring(1);
        return call("GET", "/api/v1/dlq/" + encode(dlqTopic) + query, null,
                new TypeReference<DeadLetterView.Page>() {});
    }

    /** Replays up to {@code max} (null: the API's default) dead letters; answers how many were replayed. */
    public int replayDeadLetters(String dlqTopic, Integer max) {
        Map<String, Integer> r = call("POST", "/api/v1/dlq/" + encode(dlqTopic) + "/replay",
                Json.write(new ReplayRequest(max)), new TypeReference<Map<String, Integer>>() {});
        return r.get("replayed");
    }

    private static String groupPath(String topic, String group) {
        return "/api/v1/topics/" + encode(topic) + "/groups/" + encode(group);
    }

    private <T> T call(String method, String path, byte[] body, TypeReference<T> type) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        if (authorization != null) {
            request.header("authorization", authorization);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new AdminClientException(0, "unreachable",
                    "cannot reach the admin API at " + base + " (is `ratatoskr server` running? use --url to "
                            + "point elsewhere)");
        } catch (IOException e) {
            throw new AdminClientException(0, "io", "admin API call to " + base + path + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminClientException(0, "interrupted", "interrupted");
        }
        int status = response.statusCode();
        if (status >= 400) {
            ApiError error;
            try {
                error = Json.MAPPER.readValue(response.body(), ApiError.class);
            } catch (IOException e) {
                error = new ApiError("http_" + status, new String(response.body(), StandardCharsets.UTF_8));
            }
            throw new AdminClientException(status, error.error(), error.message());
        }
        if (type == null || response.body().length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(response.body(), type);
        } catch (IOException e) {
            throw new AdminClientException(status, "bad_response", "unreadable answer from " + base + path + ": " + e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
