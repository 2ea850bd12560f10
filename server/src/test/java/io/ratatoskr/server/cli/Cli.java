package io.ratatoskr.server.cli;

import io.ratatoskr.server.Main;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Runs the {@code ratatoskr} command line in-process with captured output (and, for {@code pub}, a given
 * stdin).
 *
 * <p>Thread-safety: each run uses its own command line and writers.
 */
final class Cli {
    record Run(int exit, String out, String err) {}

    private Cli() {
    }

    static Run run(String... args) {
        return withStdin(null, args);
    }

    /** Runs {@code args}; {@code stdin}, when not null, is what {@code pub --stdin} reads. */
    static Run withStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        if (stdin != null) {
            ((PubCommand) cli.getSubcommands().get("pub").getCommand()).in =
                    new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        }
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
