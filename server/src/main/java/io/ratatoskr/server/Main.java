package io.ratatoskr.server;

import io.ratatoskr.server.cli.CertCommand;
import io.ratatoskr.server.cli.ClientCommands;
import io.ratatoskr.server.cli.DlqCommand;
import io.ratatoskr.server.cli.GroupCommand;
import io.ratatoskr.server.cli.TopicCommand;
import io.ratatoskr.server.cli.UserCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ratatoskr} command line. Exit codes: 0 success, 1 runtime failure, 2 usage error. */
@Command(name = "ratatoskr",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Ratatoskr: an MQTT 3.1.1/5.0 message broker over durable logs.",
        subcommands = {ServerCommand.class, TopicCommand.class, GroupCommand.class, DlqCommand.class, UserCommand.class,
            CertCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private static final String LEAK_DETECTION_PROPERTY = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        // Netty's leak detector samples buffer allocations and records stack traces (about a tenth of an
        // event loop's time at paced MQTT load): off unless asked for, also when the jar is started
        // directly (benchmarks, service units) rather than through ./ratatoskr. Before any Netty class loads.
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            System.setProperty(LEAK_DETECTION_PROPERTY, "disabled");
        }
        int code = commandLine().execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The command line, configured; tests run it with their own output streams. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        ClientCommands.addTo(cli);
        // picocli's generator of a bash/zsh completion script for this very command tree.
        CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
        completion.getCommandSpec().name("completion").usageMessage().hidden(false)
                .description("Print a bash/zsh completion script: source <(ratatoskr completion)");
        cli.addSubcommand("completion", completion);
        return cli.setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try: ratatoskr server)");
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ratatoskr " + Version.get()};
        }
    }
}
