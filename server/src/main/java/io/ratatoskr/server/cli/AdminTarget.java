package io.ratatoskr.server.cli;

import io.ratatoskr.http.Json;
import io.ratatoskr.http.client.AdminClient;
import io.ratatoskr.http.client.AdminClientException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the broker is and how to print its answers; a picocli mixin shared by the admin commands
 * ({@code topic}, {@code group}, {@code dlq}). Exit codes: 0 done, 1 the broker refused or was
 * unreachable (the message and code go to stderr).
 *
 * <p>Thread-safety: confined to the command's thread.
 */
final class AdminTarget {
    @Option(names = "--url", defaultValue = "${env:RATATOSKR_URL:-http://127.0.0.1:8080}",
            description = "Admin API of the broker (default: $RATATOSKR_URL or ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:RATATOSKR_TOKEN}",
            description = "Bearer token of the admin API, when the broker requires one (default: $RATATOSKR_TOKEN; "
                    + "prefer the variable: arguments show in the process list).")
    String token;

    @Option(names = "--user", defaultValue = "${env:RATATOSKR_USER}",
            description = "Log in to the admin API as this user of the broker's password file instead of using a "
                    + "token (default: $RATATOSKR_USER); needs --password.")
    String user;

    @Option(names = "--password", defaultValue = "${env:RATATOSKR_PASSWORD}",
            description = "Password of --user (default: $RATATOSKR_PASSWORD; prefer the variable: arguments show "
                    + "in the process list).")
    String password;

    @Option(names = "--json", description = "Print the broker's JSON answer.")
    boolean json;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    AdminClient client() {
        if (user != null && !user.isEmpty()) {
            if (password == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--user needs --password (or "
                        + "$RATATOSKR_PASSWORD)");
            }
            return AdminClient.withLogin(URI.create(url), Duration.ofSeconds(30), user, password);
        }
        return new AdminClient(URI.create(url), Duration.ofSeconds(30), token);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    int fail(AdminClientException e) {
        spec.commandLine().getErr().println("ratatoskr: " + e.getMessage()
                + (e.status() > 0 ? " (" + e.code() + ", HTTP " + e.status() + ")" : ""));
        return 1;
    }

    void print(Object view, Runnable human) {
        if (json) {
            out().println(new String(Json.write(view), StandardCharsets.UTF_8));
        } else {
            human.run();
        }
        out().flush();
    }

    /**
     * Makes one call and prints its answer: {@code asJson} of it with {@code --json}, else
     * {@code human}; answers the exit code.
     */
    <T> int call(Function<AdminClient, T> call, Function<T, Object> asJson, Consumer<T> human) {
        try {
            T answer = call.apply(client());
            print(asJson.apply(answer), () -> human.accept(answer));
            return 0;
        } catch (AdminClientException e) {
            return fail(e);
        }
    }

    /** Prints {@code rows} (the first is the header) as columns aligned by two spaces. */
    static void printTable(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + (widths[i] + 2) + "s", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
