package io.ratatoskr.server.cli;

import io.ratatoskr.http.api.GroupView;
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
 * {@code ratatoskr group list|describe|reset-offsets|delete}: inspects and manages consumer groups
 * of a running broker through its admin API. Exit codes: 0 done, 1 the broker refused or was
 * unreachable, 2 usage.
 */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = "Inspect and manage consumer groups of a running broker (through its HTTP admin API).",
        subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.ResetOffsets.class,
            GroupCommand.Delete.class})
public final class GroupCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: list, describe, reset-offsets or delete");
    }

    /** The group a subcommand acts on. */
    static final class GroupName {
        @Parameters(index = "0", paramLabel = "TOPIC", description = "The durable topic.")
        String topic;

        @Parameters(index = "1", paramLabel = "GROUP", description = "The consumer group.")
        String group;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List consumer groups with their members, lag and dead letters.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Option(names = "--topic", description = "Only the groups of this durable topic.")
        String topic;

        @Override
        public Integer call() {
            return target.call(c -> c.listGroups(topic), groups -> Map.of("groups", groups),
                    groups -> table(target.out(), groups));
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a consumer group's policy, members and per-partition progress.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Mixin
        GroupName name;

        @Override
        public Integer call() {
            return target.call(c -> c.describeGroup(name.topic, name.group), g -> g, g -> describe(target.out(), g));
        }
    }

    @Command(name = "reset-offsets", mixinStandardHelpOptions = true,
            description = "Move every partition of a group: replay from earlier, or skip ahead. Messages in "
                    + "flight are forgotten.")
    static final class ResetOffsets implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Mixin
        GroupName name;

        @Option(names = "--to", required = true,
                description = "earliest, latest, offset:N or time:<millis|ISO-8601, e.g. 2026-01-31T12:00:00Z>.")
        String to;

        @Override
        public Integer call() {
            return target.call(c -> c.resetOffsets(name.topic, name.group, to), g -> g, g -> {
                target.out().println("reset " + g.topic() + "/" + g.group() + " to " + to);
                describe(target.out(), g);
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a consumer group and its progress; its members are disconnected from it.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Mixin
        GroupName name;

        @Override
        public Integer call() {
            return target.call(c -> {
                c.deleteGroup(name.topic, name.group);
                return Map.of("deleted", name.topic + "/" + name.group);
            }, d -> d, d -> target.out().println("deleted consumer group " + name.group + " of " + name.topic));
        }
    }

    static void table(PrintWriter out, List<GroupView> groups) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TOPIC", "GROUP", "MEMBERS", "LAG", "IN-FLIGHT", "DLQ", "DLQ-DEPTH"});
        for (GroupView g : groups) {
            rows.add(new String[] {g.topic(), g.group(), Integer.toString(g.members().size()), Long.toString(g.lag()),
                Integer.toString(g.inFlight()), g.deadLetterTopic(), Long.toString(g.deadLetterDepth())});
        }
        AdminTarget.printTable(out, rows);
        if (groups.isEmpty()) {
            out.println("(no consumer groups)");
        }
    }

    static void describe(PrintWriter out, GroupView g) {
        GroupView.Config c = g.config();
        out.println("group:              " + g.topic() + "/" + g.group());
        out.println("ack timeout:        " + Quantities.formatDuration(c.ackTimeoutMs()));
        out.println("max attempts:       " + c.maxAttempts());
        out.println("backoff:            " + Quantities.formatDuration(c.backoffInitialMs()) + " x"
                + c.backoffMultiplier() + " up to " + Quantities.formatDuration(c.backoffMaxMs()));
        out.println("prefetch:           " + c.prefetch());
        out.println("dead letters:       " + g.deadLetterTopic() + " (depth " + g.deadLetterDepth() + ", "
                + g.deadLetteredSinceStart() + " from this group since start)");
        out.println("lag:                " + g.lag() + " (" + g.inFlight() + " in flight, " + g.waitingRetry()
                + " waiting to retry)");
        List<String[]> members = new ArrayList<>();
        members.add(new String[] {"MEMBER", "PREFETCH", "IN-FLIGHT"});
        for (GroupView.Member m : g.members()) {
            members.add(new String[] {m.name(), Integer.toString(m.prefetch()), Integer.toString(m.inFlight())});
        }
        if (g.members().isEmpty()) {
            out.println("members:            none");
        } else {
            AdminTarget.printTable(out, members);
        }
        List<String[]> parts = new ArrayList<>();
        parts.add(new String[] {"PARTITION", "COMMITTED", "END", "LAG", "PENDING"});
        for (GroupView.PartitionView p : g.partitions()) {
            parts.add(new String[] {Integer.toString(p.partition()), Long.toString(p.committedOffset()),
                Long.toString(p.endOffset()), Long.toString(p.lag()), Integer.toString(p.pending())});
        }
        AdminTarget.printTable(out, parts);
    }
}
