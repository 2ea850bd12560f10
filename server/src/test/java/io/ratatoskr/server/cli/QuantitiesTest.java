package io.ratatoskr.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuantitiesTest {

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(Quantities.durationMs("500ms")).isEqualTo(500);
        assertThat(Quantities.durationMs("30s")).isEqualTo(30_000);
        assertThat(Quantities.durationMs("15m")).isEqualTo(900_000);
        assertThat(Quantities.durationMs("12h")).isEqualTo(43_200_000);
        assertThat(Quantities.durationMs("7d")).isEqualTo(604_800_000);
        assertThat(Quantities.durationMs("250")).isEqualTo(250);
        assertThat(Quantities.durationMs("-1")).isEqualTo(-1);
        assertThat(Quantities.durationMs("forever")).isEqualTo(-1);
        assertThatThrownBy(() -> Quantities.durationMs("7 days")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Quantities.durationMs("h")).hasMessageContaining("not a duration");
    }

    @Test
    void sizesAreBinary() {
        assertThat(Quantities.bytes("512")).isEqualTo(512);
        assertThat(Quantities.bytes("64KiB")).isEqualTo(65_536);
        assertThat(Quantities.bytes("1m")).isEqualTo(1_048_576);
        assertThat(Quantities.bytes("2GiB")).isEqualTo(2_147_483_648L);
        assertThat(Quantities.bytes("unlimited")).isEqualTo(-1);
        assertThatThrownBy(() -> Quantities.bytes("1.5GiB")).hasMessageContaining("not a size");
    }

    @Test
    void formattingRoundTripsWholeUnits() {
        assertThat(Quantities.formatDuration(604_800_000)).isEqualTo("7d");
        assertThat(Quantities.formatDuration(90_000)).isEqualTo("90s");
        assertThat(Quantities.formatDuration(-1)).isEqualTo("none");
        assertThat(Quantities.formatBytes(1_572_864)).isEqualTo("1.5 MiB");
        assertThat(Quantities.formatBytes(300)).isEqualTo("300 B");
    }
}
