package io.ratatoskr.server.cli;

import io.ratatoskr.server.auth.AuthConfig;
import io.ratatoskr.server.auth.PasswordFile;
import io.ratatoskr.server.auth.PasswordHash;
import io.ratatoskr.server.config.ConfigException;
import io.ratatoskr.server.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ratatoskr user add|remove|list}: edits a password file ({@link PasswordFile}) in place,
 * atomically. A running broker picks the change up within {@code auth.reload-interval}. Exit codes:
 * 0 done, 1 the file could not be read or written (or the user is unknown), 2 usage.
 *
 * <p>Thread-safety: one invocation per instance.
 */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Add, remove and list the users of a password file (MQTT and gRPC logins).")
public final class UserCommand implements Runnable {
    private static final int MAX_PASSWORD_CHARS = 4096;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--file", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "The password file (default: auth.password-file of --config or the environment, "
                    + "else ./passwords).")
    Path file;

    @Option(names = "--config", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "YAML configuration file to read auth.password-file and auth.pbkdf2-iterations from.")
    Path config;

    private final InputStream in;

    public UserCommand() {
        this(System.in);
    }

    /** With {@code in} as standard input (for {@code --password-stdin}). */
    public UserCommand(InputStream in) {
        this.in = in;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: add, remove or list");
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a user, or set the password and groups of an existing one.")
    int add(@Parameters(paramLabel = "NAME", description = "User name (no ':' or white space).") String name,
            @Option(names = "--groups", split = ",", paramLabel = "GROUP",
                    description = "ACL groups, comma-separated.") List<String> groups,
            @Option(names = "--password-stdin", description = "Read the password as one line from standard input "
                    + "(else: prompted twice on the terminal).") boolean stdin,
            @Option(names = "--iterations", paramLabel = "N",
                    description = "PBKDF2 iterations (default: auth.pbkdf2-iterations, 210000).") Integer iterations)
            throws IOException {
        AuthConfig auth = authConfig();
        Path target = target(auth);
        char[] password = stdin ? readLine() : prompt(name);
        try {
            if (password.length == 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "the password must not be empty");
            }
            int n = iterations != null ? iterations : auth.pbkdf2Iterations();
            Set<String> g = groups == null ? Set.of() : new LinkedHashSet<>(groups);
            PasswordFile.Entry entry;
            try {
                entry = new PasswordFile.Entry(name, g, PasswordHash.create(password, n, new SecureRandom()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PasswordFile current = read(target, true);
            boolean existed = current.get(name) != null;
            current.with(entry).write(target);
            out().println((existed ? "updated" : "added") + " user " + name + " in " + target);
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user.")
    int remove(@Parameters(paramLabel = "NAME") String name) throws IOException {
        Path target = target(authConfig());
        PasswordFile current = read(target, false);
        if (current.get(name) == null) {
            spec.commandLine().getErr().println("no user " + name + " in " + target);
            return 1;
        }
        current.without(name).write(target);
        out().println("removed user " + name + " from " + target);
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users and their groups.")
    int list() throws IOException {
        Path target = target(authConfig());
        PasswordFile current = read(target, true);
        for (PasswordFile.Entry e : current.entries()) {
            out().println(e.username() + (e.groups().isEmpty() ? "" : "  groups=" + String.join(",", e.groups())));
        }
        if (current.entries().isEmpty()) {
            out().println("(no users in " + target + ")");
        }
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private AuthConfig authConfig() {
        if (file != null && config == null) {
            return AuthConfig.DEFAULTS;
        }
        try {
            return ConfigLoader.load(config, System.getenv(), List.of()).settings().server().auth();
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Path target(AuthConfig auth) {
        if (file != null) {
            return file;
        }
        return auth.passwordFile() != null ? auth.passwordFile() : Path.of("passwords");
    }

    private PasswordFile read(Path target, boolean missingIsEmpty) throws IOException {
        try {
            return PasswordFile.read(target, missingIsEmpty);
        } catch (IllegalArgumentException e) {
            throw new IOException(target + " is not a valid password file: " + e.getMessage(), e);
        }
    }

    private char[] readLine() throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no password on standard input");
        }
        if (line.length() > MAX_PASSWORD_CHARS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "password longer than "
                    + MAX_PASSWORD_CHARS + " characters");
        }
        return line.toCharArray();
    }

    private char[] prompt(String name) {
        Console console = System.console();
        if (console == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "no terminal to prompt for the password: use --password-stdin");
        }
        char[] first = console.readPassword("Password for %s: ", name);
        char[] second = console.readPassword("Repeat the password: ");
        try {
            if (first == null || second == null || !Arrays.equals(first, second)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "the passwords do not match");
            }
            return first.clone();
        } finally {
            if (first != null) {
                Arrays.fill(first, '\0');
            }
            if (second != null) {
                Arrays.fill(second, '\0');
            }
        }
    }
}
