package io.ratatoskr.server.cli;

import io.ratatoskr.http.api.TopicConfigPatch;
import io.ratatoskr.http.api.TopicView;
import io.ratatoskr.http.client.AdminClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ratatoskr topic create|list|describe|update|delete} ({@code alter} is an alias of update): manages durable topics of a running
 * broker through its admin API. Exit codes: 0 done, 1 the broker refused or was unreachable, 2 usage.
 */
@Command(name = "topic", mixinStandardHelpOptions = true,
        description = "Manage durable topics of a running broker (through its HTTP admin API).",
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
            TopicCommand.Alter.class, TopicCommand.Delete.class})
public final class TopicCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: create, list, describe, update or delete");
    }

    /** The settings options, shared by create and update; absent ones are not sent. */
    static final class Settings {
        @Option(names = {"-p", "--partitions"}, description = "Number of partitions (default 1; can only grow).")
        Integer partitions;

        @Option(names = "--filter", description = "MQTT topic filter to capture; repeat for several "
                + "(default: the topic's name and name/#).")
        List<String> filters;

        @Option(names = "--retention", description = "Keep messages this long: e.g. 7d, 12h, 30m; -1 = forever "
                + "(default 7d).")
        String retention;

        @Option(names = "--retention-bytes", description = "Keep about this much per partition: e.g. 1GiB; -1 = no "
                + "limit (default).")
        String retentionBytes;

        @Option(names = "--retention-messages", description = "Keep about this many messages per partition; -1 = "
                + "no limit (default).")
        Long retentionMessages;

        @Option(names = "--cleanup", description = "delete (by retention), compact (latest per key) or "
                + "compact,delete (default delete).")
        String cleanup;

        @Option(names = "--ttl", description = "Default message time to live: e.g. 1h; -1 = none (default).")
        String ttl;

        @Option(names = "--max-message-size", description = "Largest message accepted: e.g. 1MiB (default).")
        String maxMessageSize;

        @Option(names = "--durability", description = "When publishes are acknowledged: fsync (default), group "
                + "or async.")
        String durability;

        @Option(names = "--group-commit-delay", description = "Longest wait to gather a group commit, e.g. 2ms.")
        String groupCommitDelay;

        @Option(names = "--dedupe-window", description = "How long idempotency keys are remembered: e.g. 2m "
                + "(default); 0 = no deduplication.")
        String dedupeWindow;

        TopicConfigPatch patch(String name) {
            return new TopicConfigPatch(name, partitions, filters,
                    retention == null ? null : Quantities.durationMs(retention),
                    retentionBytes == null ? null : Quantities.bytes(retentionBytes),
                    retentionMessages,
                    cleanup,
                    ttl == null ? null : Quantities.durationMs(ttl),
                    maxMessageSize == null ? null : Math.toIntExact(Quantities.bytes(maxMessageSize)),
                    durability,
                    groupCommitDelay == null ? null : Quantities.durationMs(groupCommitDelay),
                    dedupeWindow == null ? null : dedupeWindow.equals("0") ? 0L : Quantities.durationMs(dedupeWindow));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a durable topic.")
    static final class Create implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @CommandLine.ArgGroup(exclusive = false)
        Settings settings = new Settings();

        @Parameters(index = "0", paramLabel = "NAME", description = "Topic name: letters, digits, '.', '_', '-'.")
        String name;

        @Override
        public Integer call() {
            return target.call(c -> c.createTopic(settings.patch(name)), t -> t, t -> {
                target.out().println("created durable topic " + t.name());
                describe(target.out(), t);
            });
        }
    }

    @Command(name = "update", aliases = "alter", mixinStandardHelpOptions = true,
            description = "Change settings of a durable topic; options not given keep their value (alias: alter).")
    static final class Alter implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @CommandLine.ArgGroup(exclusive = false)
        Settings settings = new Settings();

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.call(c -> c.alterTopic(name, settings.patch(null)), t -> t, t -> describe(target.out(), t));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List durable topics.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.call(AdminClient::listTopics, topics -> java.util.Map.of("topics", topics),
                    topics -> table(target.out(), topics));
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a durable topic's settings and partitions.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.call(c -> c.describeTopic(name), t -> t, t -> describe(target.out(), t));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a durable topic and all its messages.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.call(c -> {
                c.deleteTopic(name);
                return java.util.Map.of("deleted", name);
            }, d -> d, d -> target.out().println("deleted durable topic " + name));
        }
    }

    static void table(PrintWriter out, List<TopicView> topics) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "PARTITIONS", "MESSAGES", "SIZE", "RETENTION", "CLEANUP", "DURABILITY",
            "FILTERS"});
        for (TopicView t : topics) {
            rows.add(new String[] {t.name(), Integer.toString(t.config().partitions()), Long.toString(t.messages()),
                Quantities.formatBytes(t.sizeBytes()), Quantities.formatDuration(t.config().retentionMaxAgeMs()),
                t.config().cleanupPolicy(), t.config().durability(), String.join(" ", t.filters())});
        }
        AdminTarget.printTable(out, rows);
        if (topics.isEmpty()) {
            out.println("(no durable topics; create one with: ratatoskr topic create NAME)");
        }
    }

    static void describe(PrintWriter out, TopicView t) {
        TopicView.Config c = t.config();
        out.println("name:               " + t.name());
        out.println("filters:            " + String.join(" ", t.filters()));
        out.println("partitions:         " + c.partitions());
        out.println("retention:          " + Quantities.formatDuration(c.retentionMaxAgeMs()) + ", "
                + Quantities.formatBytes(c.retentionMaxBytes()) + " per partition, "
                + (c.retentionMaxMessages() < 0 ? "unlimited" : c.retentionMaxMessages()) + " messages per partition");
        out.println("cleanup:            " + c.cleanupPolicy());
        out.println("default ttl:        " + Quantities.formatDuration(c.defaultTtlMs()));
        out.println("max message size:   " + Quantities.formatBytes(c.maxMessageBytes()));
        out.println("durability:         " + c.durability() + (c.durability().equals("group")
                ? " (within " + c.groupCommitMaxDelayMs() + " ms)" : ""));
        out.println("dedupe window:      " + (c.dedupeWindowMs() == 0 ? "off"
                : Quantities.formatDuration(c.dedupeWindowMs())));
        out.println("messages:           " + t.messages() + " (" + Quantities.formatBytes(t.sizeBytes()) + ")");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PARTITION", "START", "END", "SIZE", "STATE"});
        for (TopicView.PartitionView p : t.partitions()) {
            rows.add(new String[] {Integer.toString(p.partition()), Long.toString(p.startOffset()),
                Long.toString(p.endOffset()), Quantities.formatBytes(p.sizeBytes()),
                p.state() + (p.failure() == null ? "" : " " + p.failure())});
        }
        AdminTarget.printTable(out, rows);
    }
}
