package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.http.Json;
import org.junit.jupiter.api.Test;

/** How {@code ratatoskr status} reads the admin API's documents (the broker document as the API contract shows it). */
class BrokerStatusTest {
    private static final String BROKER = """
            {"version": "0.1.0-SNAPSHOT", "startedAt": "2026-11-24T10:00:00Z", "uptimeSeconds": 42, "ready": true,
             "dataDir": "/abs/path/data",
             "listeners": [{"name": "mqtt", "host": "127.0.0.1", "port": 1883, "tls": false},
                           {"name": "grpc", "host": "127.0.0.1", "port": 9090, "tls": true},
                           {"name": "http", "host": "127.0.0.1", "port": 8080, "tls": false}],
             "counts": {"connections": 3, "sessions": 5, "subscriptions": 7, "retainedMessages": 1, "topics": 2,
                        "groups": 1},
             "totals": {"messagesIn": 1000, "messagesOut": 2000, "bytesIn": 100000, "bytesOut": 200000},
             "someFutureField": {"ignored": true}}
            """;

    @Test
    void aContractShapedBrokerDocumentIsShownLineByLine() throws Exception {
        BrokerStatus status = new BrokerStatus("http://b:8080", Json.MAPPER.readTree("{\"status\":\"UP\"}"),
                Json.MAPPER.readTree("{\"status\":\"READY\",\"checks\":{\"mqtt\":{\"status\":\"UP\"}}}"),
                Json.MAPPER.readTree(BROKER));
        assertThat(status.isReady()).isTrue();
        assertThat(status.lines()).contains(
                "version     0.1.0-SNAPSHOT",
                "started     2026-11-24T10:00:00Z (up 42s)",
                "data dir    /abs/path/data",
                "listeners   mqtt 127.0.0.1:1883, grpc 127.0.0.1:9090 (tls), http 127.0.0.1:8080",
                "counts      3 connections, 5 sessions, 7 subscriptions, 1 retained, 2 topics, 1 groups",
                "totals      1000 messages in, 2000 out; 97.7 KiB in, 195 KiB out");
        assertThat(status.json().path("broker").path("counts").path("topics").asInt()).isEqualTo(2);
    }

    @Test
    void aNotReadyBrokerShowsTheReasonOfEachFailingCheckAndAnOlderOneNoDetails() throws Exception {
        BrokerStatus status = new BrokerStatus("http://b:8080",
                Json.MAPPER.readTree("{\"status\":\"UP\",\"version\":\"0.0.9\"}"),
                Json.MAPPER.readTree("{\"status\":\"NOT_READY\",\"checks\":{\"mqtt\":{\"status\":\"UP\"},"
                        + "\"topics\":{\"status\":\"DOWN\",\"reason\":\"orders/0 refuses writes\"}}}"),
                null);
        assertThat(status.isReady()).isFalse();
        assertThat(status.lines()).contains("ready       NOT_READY", "  mqtt      UP",
                "  topics    DOWN: orders/0 refuses writes", "version     0.0.9",
                "details     not available: this broker has no GET /api/v1/broker (an older version)");
        assertThat(status.json().path("broker").isNull()).isTrue();
    }
}
