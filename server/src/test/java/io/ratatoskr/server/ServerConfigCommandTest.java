package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratatoskr.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code ratatoskr server} reads its configuration file, environment and flags, and logs as configured. */
class ServerConfigCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void printConfigShowsEveryValueWithWhereItCameFromAndExitsZero() throws Exception {
        Path file = Files.writeString(dir.resolve("ratatoskr.yaml"), "mqtt:\n  host: 0.0.0.0\n  port: 1884\n");
        Run r = run("server", "--config", file.toString(), "--mqtt-port", "1999", "--max-keep-alive", "60",
                "--grpc-port", "-1", "--set", "log.format=json", "--set", "sessions.max-inflight=16", "--print-config");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(
                "  host: \"0.0.0.0\"  # " + file + " line 2\n",
                "  port: 1999  # flag --mqtt-port\n",
                "  max-keep-alive: 1m  # flag --max-keep-alive\n",
                "  format: json  # flag --set\n",
                "  max-inflight: 16  # flag --set\n",
                "  port: -1  # flag --grpc-port\n",
                "  max-packet-size: 1MiB  # default\n");
    }

    @Test
    void everyNamedFlagSetsAKeyThatExists() {
        CommandLine server = new CommandLine(new ServerCommand());
        assertThat(ServerCommand.FLAG_KEYS).allSatisfy((flag, key) -> {
            assertThat(server.getCommandSpec().findOption(flag)).as(flag).isNotNull();
            assertThat(io.ratatoskr.server.config.ConfigKeys.find(key)).as(key).isPresent();
        });
    }

    @Test
    void anInvalidConfigurationExitsTwoListingEveryProblem() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "mqtt:\n  prot: 1\n  port: abc\n");
        Run r = run("server", "--config", file.toString(), "--set", "shutdown-timeout=forever-ish");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().toList()).containsExactlyInAnyOrder(
                "ratatoskr: invalid configuration: unknown key \"mqtt.prot\" in " + file
                        + " line 2 (did you mean \"mqtt.port\"?)",
                "ratatoskr: invalid configuration: mqtt.port (" + file + " line 3): \"abc\" is not an integer in "
                        + "0..65535",
                "ratatoskr: invalid configuration: shutdown-timeout (flag --set): \"forever-ish\" is not a duration "
                        + "in 1ms..1h (e.g. 250ms, 10s, 2m, 1h, 7d)");
        assertThat(run("server", "--set", "mqtt.port").exitCode()).as("--set without =").isEqualTo(2);
        assertThat(run("server", "--config", dir.resolve("missing.yaml").toString()).err())
                .contains("no such configuration file");
    }

    @Test
    void aTlsCertificateThatDoesNotLoadExitsOneWithAMessageNotAStackTrace() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key\n");
        Run r = run("server", "--data-dir", dir.resolve("data").toString(), "--mqtt-port", "0", "--grpc-port", "0",
                "--http-port", "-1", "--set", "grpc.tls.cert=" + cert, "--set", "grpc.tls.key=" + key);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("ratatoskr: cannot start: cannot load the gRPC TLS certificate " + cert)
                .doesNotContain("\tat ");
    }

    /**
     * A real process: the environment variable beats the file (json over text), and every line on
     * stdout is a JSON object with the level, logger, message and the event's key-value pairs.
     */
    @Test
    void jsonLogsFromTheEnvironmentAreOneObjectPerLineWithKeyValuePairs() throws Exception {
        Path file = Files.writeString(dir.resolve("ratatoskr.yaml"),
                "log:\n  format: text\nbroker:\n  sys-interval: 0s\n");
        Process child = ChildJvm.start(Main.class, List.of("server", "--config", file.toString(), "--data-dir",
                dir.resolve("data").toString(), "--mqtt-port", "0", "--grpc-port", "-1", "--http-port", "-1"),
                dir.resolve("child.err"), Map.of("RATATOSKR_LOG_FORMAT", "json", "RATATOSKR_MQTT_PROT", "1"));
        List<String> lines = new ArrayList<>();
        CompletableFuture<JsonNode> started = new CompletableFuture<>();
        ObjectMapper json = new ObjectMapper();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.contains("\"started\"")) {
                        started.complete(json.readTree(line));
                    }
                }
            } catch (Exception e) {
                started.completeExceptionally(e);
            }
            started.completeExceptionally(new IllegalStateException("the server ended"));
        });
        try {
            JsonNode event = started.get(60, TimeUnit.SECONDS);
            assertThat(event.get("level").asText()).isEqualTo("INFO");
            assertThat(event.get("loggerName").asText()).isEqualTo(RatatoskrServer.class.getName());
            assertThat(event.get("formattedMessage").asText()).startsWith("Ratatoskr ").contains(" started: ");
            Map<String, String> kvp = pairs(event);
            assertThat(kvp).containsEntry("event", "started").containsEntry("grpcPort", "-1")
                    .containsKeys("version", "dataDir", "mqttPort");
            assertThat(Integer.parseInt(kvp.get("mqttPort"))).isPositive();
            List<String> seen;
            synchronized (lines) {
                seen = List.copyOf(lines);
            }
            for (String line : seen) {
                JsonNode node = json.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                assertThat(node.has("level") && node.has("loggerName") && node.has("formattedMessage")).as(line)
                        .isTrue();
            }
            assertThat(seen).anySatisfy(l -> assertThat(l).contains("RATATOSKR_MQTT_PROT", "WARN"));
            assertThat(seen).anySatisfy(l -> assertThat(pairs(json.readTree(l))).containsEntry("listener", "mqtt"));
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The key-value pairs of a JSON log event ({@code "kvpList": [{"k": "v"}, ...]}). */
    private static Map<String, String> pairs(JsonNode event) {
        Map<String, String> pairs = new java.util.LinkedHashMap<>();
        JsonNode list = event.get("kvpList");
        if (list != null) {
            list.forEach(p -> p.fields().forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText())));
        }
        return pairs;
    }
}
