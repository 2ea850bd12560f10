package io.ratatoskr.bench.ab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A short end-to-end run of {@code ratatoskr bench ab}: two real brokers (both from the test class path), two
 * repetitions of a small MQTT load each in a JVM of its own, and the summary files.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AbCommandTest {

    @Test
    void runsTheSameLoadAgainstBothBrokersAlternatelyAndWritesTheComparison(@TempDir Path dir) throws Exception {
        String cp = System.getProperty("java.class.path");
        Path out = dir.resolve("ab");

        int rc = new CommandLine(new AbCommand()).execute("--base", cp, "--new", cp, "--reps", "2", "--out",
                out.toString(), "--broker-java-opts", "-Xmx256m", "--gen-java-opts", "-Xmx256m", "--no-prime", "--",
                "--qos", "1", "-p", "1", "-s", "1", "--rate", "500", "--duration", "500ms", "--warmup", "200ms");

        assertThat(rc).isZero();
        assertThat(out.resolve("base-1.json")).exists();
        assertThat(out.resolve("new-2.json")).exists();
        assertThat(out.resolve("base-gc.log")).exists();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("ab.json").toFile());
        assertThat(summary.at("/base/runs").asInt()).isEqualTo(2);
        assertThat(summary.at("/next/runs").asInt()).isEqualTo(2);
        assertThat(summary.at("/runs").findValuesAsText("broker")).containsExactly("base", "new", "new", "base");
        assertThat(summary.at("/figures/0/base").asDouble()).isPositive();
        assertThat(Files.readString(out.resolve("ab.md"))).contains("| throughput (msg/s) |").contains("new / base");
    }

    @Test
    void comparesASettingWithTheSameJarOnBothSides(@TempDir Path dir) throws Exception {
        String cp = System.getProperty("java.class.path");
        Path out = dir.resolve("ab");

        int rc = new CommandLine(new AbCommand()).execute("--base", cp, "--new", cp, "--reps", "1", "--out",
                out.toString(), "--broker-java-opts", "-Xmx256m", "--gen-java-opts", "-Xmx256m", "--no-prime",
                "--new-args", "--io-threads 1", "--",
                "--qos", "1", "-p", "1", "-s", "1", "--rate", "500", "--duration", "500ms", "--warmup", "200ms");

        assertThat(rc).isZero();
        assertThat(Files.readString(out.resolve("new.command"))).endsWith(" --io-threads 1\n");
        assertThat(Files.readString(out.resolve("base.command"))).doesNotContain("--io-threads");
        assertThat(Files.readString(out.resolve("environment.txt")))
                .contains("broker arguments of base only: none; of new only: --io-threads 1");
        // The new broker ran with the setting: one event loop, where base has one per CPU.
        assertThat(Files.readString(out.resolve("new.log"))).contains(", 1 I/O threads)");
        assertThat(Files.readString(out.resolve("base.log")))
                .contains(", " + Runtime.getRuntime().availableProcessors() + " I/O threads)");
        assertThat(out.resolve("base-1.json")).exists();
        assertThat(out.resolve("new-1.json")).exists();
    }
}
