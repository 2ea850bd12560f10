package io.ratatoskr.server.cli;

import io.ratatoskr.server.Main;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Runs the {@code ratatoskr} command line in-process with captured output, as {@link CliRun} does, and
 * with a given stdin for {@code pub --stdin}.
 *
 * <p>Thread-safety: each run uses its own command line and writers.
 */
final class Cli {
    private Cli() {
    }

    static CliRun run(String... args) {
        return CliRun.run(args);
    }

    /** Runs {@code args}; {@code stdin} is what {@code pub --stdin} reads. */
    static CliRun withStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        ((PubCommand) cli.getSubcommands().get("pub").getCommand()).in =
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
