package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code --tracing-*} flags set the {@code tracing.*} configuration keys. */
class ServerCommandTracingTest {
    @TempDir
    Path dir;

    @Test
    void tracingFlagsSetTheTracingKeys() {
        String printed = printConfig("--tracing-enabled", "--tracing-endpoint", "http://collector:4318/v1/traces",
                "--tracing-sample-ratio", "0.5", "--tracing-inject");

        assertThat(printed).containsPattern("(?m)^  enabled: true +# flag --tracing-enabled$")
                .containsPattern("(?m)^  endpoint: \"http://collector:4318/v1/traces\" +# flag --tracing-endpoint$")
                .containsPattern("(?m)^  sample-ratio: 0.5 +# flag --tracing-sample-ratio$")
                .containsPattern("(?m)^  inject: true +# flag --tracing-inject$");
    }

    @Test
    void withoutTracingFlagsTracingIsOff() {
        assertThat(printConfig()).containsPattern("(?m)^tracing:\\n  enabled: false +# default$");
    }

    @Test
    void aSampleRatioOutsideZeroToOneIsAnInvalidConfiguration() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("server", "--data-dir", dir.toString(), "--mqtt-port", "0",
                "--grpc-port", "-1", "--http-port", "-1", "--tracing-enabled", "--tracing-sample-ratio", "2");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("tracing.sample-ratio");
    }

    private String printConfig(String... flags) {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        String[] args = new String[flags.length + 4];
        args[0] = "server";
        args[1] = "--data-dir";
        args[2] = dir.toString();
        args[3] = "--print-config";
        System.arraycopy(flags, 0, args, 4, flags.length);
        assertThat(cli.execute(args)).isZero();
        return out.toString();
    }
}
