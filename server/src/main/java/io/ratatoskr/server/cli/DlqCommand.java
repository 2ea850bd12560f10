package io.ratatoskr.server.cli;

import io.ratatoskr.http.api.DeadLetterView;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ratatoskr dlq list|inspect|replay}: dead-letter topics of a running broker, through its
 * admin API. Exit codes: 0 done, 1 the broker refused or was unreachable, 2 usage.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Inspect and replay dead-letter topics of a running broker (through its HTTP admin API).",
        subcommands = {DlqCommand.ListTopics.class, DlqCommand.Inspect.class, DlqCommand.Replay.class})
public final class DlqCommand implements Runnable {
    /** Longest payload shown in a table cell. */
    private static final int PAYLOAD_CHARS = 40;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: list, inspect or replay");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List dead-letter topics with their depth (messages not yet replayed).")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.call(c -> c.listDeadLetterTopics(), topics -> Map.of("topics", topics), topics -> {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"TOPIC", "DEPTH", "MESSAGES"});
                for (DeadLetterView.TopicDepth t : topics) {
                    rows.add(new String[] {t.name(), Long.toString(t.depth()), Long.toString(t.messages())});
                }
                AdminTarget.printTable(target.out(), rows);
                if (topics.isEmpty()) {
                    target.out().println("(no dead-letter topics)");
                }
            });
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show dead letters of one partition: why, from where, and their payload.")
    static final class Inspect implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Parameters(index = "0", paramLabel = "DLQ_TOPIC")
        String topic;

        @Option(names = "--partition", description = "The partition (default 0).")
        Integer partition;

        @Option(names = "--from", description = "The first offset (default: the oldest kept).")
        Long from;

        @Option(names = "--max", description = "At most this many (default 100, at most 1000).")
        Integer max;

        @Override
        public Integer call() {
            return target.call(c -> c.inspectDeadLetters(topic, partition, from, max), p -> p,
                    p -> table(target.out(), p));
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Send dead letters not yet replayed back to the topics they came from.")
    static final class Replay implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Parameters(index = "0", paramLabel = "DLQ_TOPIC")
        String topic;

        @Option(names = "--max", description = "At most this many (default 10000).")
        Integer max;

        @Override
        public Integer call() {
            return target.call(c -> c.replayDeadLetters(topic, max), n -> Map.of("replayed", n),
                    n -> target.out().println("replayed " + n + " dead letters of " + topic));
        }
    }

    static void table(PrintWriter out, DeadLetterView.Page page) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"OFFSET", "SOURCE", "GROUP", "ATTEMPTS", "REPLAYED", "REASON", "PAYLOAD"});
        for (DeadLetterView d : page.deadLetters()) {
            String payload = d.payloadEncoding().equals("utf-8") ? d.payload() : "base64:" + d.payload();
            if (payload.length() > PAYLOAD_CHARS) {
                payload = payload.substring(0, PAYLOAD_CHARS) + "...";
            }
            rows.add(new String[] {Long.toString(d.offset()),
                d.sourceTopic() + "/" + d.sourcePartition() + "@" + d.sourceOffset(), String.valueOf(d.group()),
                Integer.toString(d.attempts()), d.replayed() ? "yes" : "no", String.valueOf(d.reason()),
                payload.replace('\n', ' ')});
        }
        AdminTarget.printTable(out, rows);
        if (page.deadLetters().isEmpty()) {
            out.println("(no dead letters in " + page.topic() + "/" + page.partition() + " from there)");
        } else {
            out.println("(next: --partition " + page.partition() + " --from " + page.nextOffset() + ")");
        }
    }
}
