package io.ratatoskr.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueTypeTest {
    @Test
    void sizesAndDurationsReadUnitsAndAreWrittenInTheLargestExactUnit() {
        assertThat(ValueType.sizeInt(1, Integer.MAX_VALUE).parse("512KiB")).isEqualTo(512 * 1024);
        assertThat(ValueType.sizeInt(1, Integer.MAX_VALUE).format(3 * 1024 * 1024)).isEqualTo("3MiB");
        assertThat(ValueType.sizeLong(1, Long.MAX_VALUE, true).parse("none")).isEqualTo(-1L);
        assertThat(ValueType.millis(0, Long.MAX_VALUE, false).parse("2m")).isEqualTo(120_000L);
        assertThat(ValueType.millis(0, Long.MAX_VALUE, false).format(250L)).isEqualTo("250ms");
        assertThat(ValueType.seconds(0, 100_000).parse("1d")).isEqualTo(86_400L);
        assertThatThrownBy(() -> ValueType.millis(0, Long.MAX_VALUE, false).parse("none"))
                .hasMessage("\"none\" is not a duration in >= 0s (e.g. 250ms, 10s, 2m, 1h, 7d)");
    }

    @Test
    void optionalTextAndSecretsAcceptNoneAndSecretsAreNeverPrinted() {
        assertThat(ValueType.optionalText().parse("none")).isNull();
        assertThat(ValueType.optionalText().parse("http://collector:4317")).isEqualTo("http://collector:4317");
        assertThat(ValueType.secret().parse("s3cr3t")).isEqualTo("s3cr3t");
        assertThat(ValueType.secret().format("s3cr3t")).isEqualTo("\"[hidden]\"");
        assertThat(ValueType.secret().format(null)).isEqualTo("none");
    }

    @Test
    void decimalsAndEnumsCheckTheirRangeAndNames() {
        assertThat(ValueType.decimal(0, 1).parse("0.25")).isEqualTo(0.25);
        assertThatThrownBy(() -> ValueType.decimal(0, 1).parse("1.5"))
                .hasMessage("\"1.5\" is not a number in 0.0..1.0");
        assertThat(ValueType.oneOf(io.ratatoskr.log.CleanupPolicy.class).parse("COMPACT_delete"))
                .isEqualTo(io.ratatoskr.log.CleanupPolicy.COMPACT_DELETE);
    }
}
