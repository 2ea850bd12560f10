package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.server.trace.TracingConfig;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTracingTest {
    @TempDir
    Path dir;

    @Test
    void tracingFlagsBecomeTheTracingConfig() {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs("--tracing-enabled", "--tracing-endpoint", "http://collector:4318/v1/traces",
                "--tracing-sample-ratio", "0.5", "--tracing-inject");

        assertThat(command.tracingConfig()).isEqualTo(TracingConfig.DEFAULTS.withEnabled(true)
                .withEndpoint(URI.create("http://collector:4318/v1/traces")).withSampleRatio(0.5).withInject(true));
    }

    @Test
    void withoutTracingFlagsTracingIsOff() {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs();

        assertThat(command.tracingConfig()).isEqualTo(TracingConfig.DEFAULTS);
        assertThat(command.tracingConfig().enabled()).isFalse();
    }

    @Test
    void aSampleRatioOutsideZeroToOneIsAnInvalidConfiguration() {
        int exit = Main.commandLine().execute("server", "--data-dir", dir.toString(), "--mqtt-port", "0",
                "--grpc-port", "-1", "--http-port", "-1", "--tracing-enabled", "--tracing-sample-ratio", "2");

        assertThat(exit).isEqualTo(2);
    }
}
