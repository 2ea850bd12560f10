package io.ratatoskr.bench.conn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the idle-connection tool against an in-process Ratatoskr (so the "broker" whose heap it reads is this
 * JVM) with a few connections from two loopback source addresses: every connection must be acknowledged and
 * stay up, and the memory figures must be read. Not a measurement.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleConnectionsTest {
    @TempDir
    static Path dataDir;
    private static RatatoskrServer server;

    @BeforeAll
    static void startBroker() throws InterruptedException {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dataDir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null).withHttp(null));
    }

    @AfterAll
    static void stopBroker() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectsEveryClientFromSeveralSourceAddressesAndReadsTheBrokersMemory() throws Exception {
        Path json = dataDir.resolve("idle.json");
        Path histograms = dataDir.resolve("histograms");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int exit = new CommandLine(new IdleConnections(new PrintStream(out, true, StandardCharsets.UTF_8)))
                .execute("--port", Integer.toString(server.mqttPort()), "-n", "40", "--sources", "2",
                        "--rate", "2000", "--keep-alive", "1", "--mqtt-version", "5",
                        "--broker-pid", Long.toString(ProcessHandle.current().pid()), "--settle", "100ms",
                        "--idle", "1500ms", "--histograms", histograms.toString(), "--json", json.toString());

        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertThat(r.get("connected").asInt()).isEqualTo(40);
        assertThat(r.get("failed").asInt()).isZero();
        // Keep-alive 1 s over an idle window of 1.5 s: the pings kept every connection up.
        assertThat(r.get("lost").asInt()).isZero();
        assertThat(r.get("heapBefore").asLong()).isPositive();
        assertThat(r.get("heapAfter").asLong()).isPositive();
        assertThat(r.get("rssAfter").asLong()).isPositive();
        assertThat(r.get("idleCpuPercent").asDouble()).isGreaterThanOrEqualTo(0);
        try (var files = Files.list(histograms)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("histogram-ratatoskr-5-40-before.txt",
                            "histogram-ratatoskr-5-40-after.txt");
        }
    }

    @Test
    void readsHeapUsedAndResidentSetFromJcmdAndProcOutput() {
        String heapInfo = "12345:\n garbage-first heap   total reserved 6172672K, committed 393216K, used 10942K"
                + " [0x0000000687400000, 0x0000000800000000)\n  region size 4096K, 3 young (12288K)\n";
        assertThat(BrokerProbe.parseHeapUsed(heapInfo)).isEqualTo(10942L * 1024);
        assertThat(BrokerProbe.parseHeapUsed("no heap here")).isEqualTo(-1);
        assertThat(BrokerProbe.parseRss("Name:\tjava\nVmPeak:\t 100 kB\nVmRSS:\t  269632 kB\n"))
                .isEqualTo(269632L * 1024);
    }
}
