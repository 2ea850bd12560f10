package io.ratatoskr.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What {@code ratatoskr status} learnt from a broker's admin API: {@code GET /health}, {@code GET /ready}
 * and {@code GET /api/v1/broker} (null when the broker is older and answers 404). Read leniently: a field
 * the broker does not send is left out, one it adds is ignored.
 *
 * <p>Thread-safety: immutable once built (the JSON trees are not modified).
 *
 * @param url    the admin API asked
 * @param health the {@code /health} document
 * @param ready  the {@code /ready} document (from its 200 or 503 answer)
 * @param broker the {@code /api/v1/broker} document, or null when the broker has no such route
 */
record BrokerStatus(String url, JsonNode health, JsonNode ready, JsonNode broker) {

    /** READY: every readiness check is up. */
    boolean isReady() {
        return "READY".equals(ready.path("status").asText());
    }

    /** The three documents in one: {@code {"url", "health", "ready", "broker"}} ({@code broker} null when absent). */
    ObjectNode json() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("url", url);
        o.set("health", health);
        o.set("ready", ready);
        o.set("broker", broker == null ? JsonNodeFactory.instance.nullNode() : broker);
        return o;
    }

    /** For people: one aligned line per fact. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(row("broker", url));
        lines.add(row("health", health.path("status").asText("?")));
        lines.add(row("ready", ready.path("status").asText("?")));
        for (Iterator<Map.Entry<String, JsonNode>> it = ready.path("checks").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> check = it.next();
            String reason = check.getValue().path("reason").asText(null);
            lines.add(row("  " + check.getKey(), check.getValue().path("status").asText("?")
                    + (reason == null ? "" : ": " + reason)));
        }
        String version = broker != null ? broker.path("version").asText(null) : null;
        lines.add(row("version", version != null ? version : health.path("version").asText("?")));
        if (broker == null) {
            lines.add(row("details", "not available: this broker has no GET /api/v1/broker (an older version)"));
            return lines;
        }
        if (broker.hasNonNull("startedAt")) {
            lines.add(row("started", broker.path("startedAt").asText() + (broker.has("uptimeSeconds")
                    ? " (up " + Quantities.formatDuration(broker.path("uptimeSeconds").asLong() * 1000) + ")" : "")));
        }
        if (broker.hasNonNull("dataDir")) {
            lines.add(row("data dir", broker.path("dataDir").asText()));
        }
        StringJoiner listeners = new StringJoiner(", ");
        for (JsonNode l : broker.path("listeners")) {
            listeners.add(l.path("name").asText("?") + " " + l.path("host").asText("?") + ":" + l.path("port").asInt()
                    + (l.path("tls").asBoolean(false) ? " (tls)" : ""));
        }
        if (listeners.length() > 0) {
            lines.add(row("listeners", listeners.toString()));
        }
        JsonNode counts = broker.path("counts");
        if (counts.isObject()) {
            lines.add(row("counts", String.format(Locale.ROOT,
                    "%d connections, %d sessions, %d subscriptions, %d retained, %d topics, %d groups",
                    counts.path("connections").asLong(), counts.path("sessions").asLong(),
                    counts.path("subscriptions").asLong(), counts.path("retainedMessages").asLong(),
                    counts.path("topics").asLong(), counts.path("groups").asLong())));
        }
        JsonNode totals = broker.path("totals");
        if (totals.isObject()) {
            lines.add(row("totals", String.format(Locale.ROOT, "%d messages in, %d out; %s in, %s out",
                    totals.path("messagesIn").asLong(), totals.path("messagesOut").asLong(),
                    Quantities.formatBytes(totals.path("bytesIn").asLong()),
                    Quantities.formatBytes(totals.path("bytesOut").asLong()))));
        }
        return lines;
    }

    private static String row(String name, String value) {
        return String.format(Locale.ROOT, "%-12s%s", name, value);
    }
}
