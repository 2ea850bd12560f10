package io.ratatoskr.server.cli;

import picocli.CommandLine;

/**
 * Adds the client commands — {@code pub}, {@code sub}, {@code consume}, {@code status} — to the
 * {@code ratatoskr} command line (their classes stay package-private).
 *
 * <p>Thread-safety: stateless.
 */
public final class ClientCommands {
    private ClientCommands() {
    }

    /** Adds the commands to {@code cli}, after the ones it has. */
    public static void addTo(CommandLine cli) {
        cli.addSubcommand(new PubCommand());
        cli.addSubcommand(new SubCommand());
        cli.addSubcommand(new ConsumeCommand());
        cli.addSubcommand(new StatusCommand());
    }
}
