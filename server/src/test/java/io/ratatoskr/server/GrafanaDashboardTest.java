package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ratatoskr.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped Grafana dashboard imports with a Prometheus input and queries only catalogued metrics. */
class GrafanaDashboardTest {
    static final Path DASHBOARD = Path.of("..", "ops", "grafana", "ratatoskr-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\bratatoskr_[a-z0-9_]+");

    private static JsonNode dashboard;
    private static List<String> expressions;

    @BeforeAll
    static void read() throws IOException {
        dashboard = Json.MAPPER.readTree(Files.readString(DASHBOARD));
        expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
    }

    @Test
    void dashboardAsksForAPrometheusDataSourceOnImport() {
        assertThat(dashboard.at("/__inputs/0/name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(dashboard.at("/__inputs/0/pluginId").asText()).isEqualTo("prometheus");
        for (JsonNode panel : dashboard.path("panels")) {
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.at("/datasource/uid").asText()).as(panel.path("title").asText())
                        .isEqualTo("${DS_PROMETHEUS}");
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            }
        }
    }

    @Test
    void everyRatatoskrMetricTheDashboardQueriesIsInTheCatalogue() throws IOException {
        Set<String> catalogue = MetricsCatalogueTest.catalogue();
        Set<String> used = new TreeSet<>();
        for (String expr : expressions) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                used.add(PrometheusText.family(m.group(), catalogue));
            }
        }
        assertThat(catalogue).containsAll(used);
        // The panels the operations brief asks for, by the metrics behind them.
        assertThat(used).contains("ratatoskr_messages_received_total", "ratatoskr_messages_sent_total",
                "ratatoskr_messages_received_bytes_total", "ratatoskr_mqtt_connections_active",
                "ratatoskr_broker_sessions", "ratatoskr_broker_subscriptions",
                "ratatoskr_messages_delivery_latency_seconds", "ratatoskr_log_append_latency_seconds",
                "ratatoskr_log_fsync_latency_seconds", "ratatoskr_session_queued_messages",
                "ratatoskr_session_inflight_messages", "ratatoskr_group_lag_messages",
                "ratatoskr_group_messages_redelivered_total", "ratatoskr_dlq_depth_messages",
                "ratatoskr_messages_refused_total", "ratatoskr_messages_dropped_total", "ratatoskr_disk_used_bytes",
                "ratatoskr_disk_free_bytes", "ratatoskr_netty_memory_used_bytes");
        assertThat(String.join("\n", expressions)).contains("jvm_memory_used_bytes", "jvm_gc_pause_seconds");
    }
}
