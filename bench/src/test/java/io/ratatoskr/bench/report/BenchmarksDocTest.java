package io.ratatoskr.bench.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generated block of docs/benchmarks.md is replaced; the prose around it is not touched. */
class BenchmarksDocTest {
    private static final String DOC = """
            # Benchmarks

            Prose before.

            <!-- bench:mqtt:begin -->
            | old | table |
            <!-- bench:mqtt:end -->

            Prose after, with <!-- a comment -->.
            """;

    @Test
    void onlyTheLinesBetweenTheMarkersAreReplaced() {
        String updated = BenchmarksDoc.replaceBlock(DOC, "mqtt", "| new | table |\n");

        assertThat(updated).startsWith("# Benchmarks\n\nProse before.\n\n<!-- bench:mqtt:begin -->\n")
                .contains("| new | table |").doesNotContain("| old | table |")
                .endsWith("<!-- bench:mqtt:end -->\n\nProse after, with <!-- a comment -->.\n");
    }

    @Test
    void theBlockNamesTheCommandThatRegeneratesItWithEveryOptionThatIsNotTheDefault() {
        BenchmarksDoc peers = new BenchmarksDoc();
        new picocli.CommandLine(peers).parseArgs("--results", "/r/compare", "--block", "mqtt-final");
        BenchmarksDoc kafka = new BenchmarksDoc();
        new picocli.CommandLine(kafka).parseArgs("--results", "/r/durable", "--block", "durable-final", "--baseline",
                "kafka", "--throughput-target", "0");

        assertThat(peers.command()).isEqualTo("ratatoskr bench report --results /r/compare --block mqtt-final");
        assertThat(kafka.command()).isEqualTo("ratatoskr bench report --results /r/durable --block durable-final"
                + " --baseline kafka --throughput-target 0");
    }

    @Test
    void refreshingTwiceGivesTheSameFile() {
        String once = BenchmarksDoc.replaceBlock(DOC, "mqtt", "| new |");

        assertThat(BenchmarksDoc.replaceBlock(once, "mqtt", "| new |")).isEqualTo(once);
    }

    @Test
    void aMissingOrRepeatedMarkerIsRefusedWithWhatToAdd() {
        assertThatThrownBy(() -> BenchmarksDoc.replaceBlock(DOC, "kafka", "x"))
                .hasMessageContaining("<!-- bench:kafka:begin -->");
        assertThatThrownBy(() -> BenchmarksDoc.replaceBlock(DOC + "<!-- bench:mqtt:end -->\n", "mqtt", "x"))
                .hasMessageContaining("once each");
    }
}
