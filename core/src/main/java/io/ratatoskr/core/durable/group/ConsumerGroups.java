package io.ratatoskr.core.durable.group;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.broker.LogMetrics;
import io.ratatoskr.core.durable.GroupConfig;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.TopicDirectory;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.trace.Tracing;
import io.ratatoskr.log.LogEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The consumer groups of a broker: the entry point protocol adapters (MQTT {@code $queue/...},
 * gRPC Consume) and the admin API use. A group is named by its durable topic and its name, and
 * keeps its state in {@code <dir>/<topic>/<group>/} (see {@link GroupStateLog}).
 *
 * <p>Groups found on disk are loaded when this opens; others are created by the first
 * {@link #join} or {@link #configure}. A group lives until it is deleted, its topic is deleted, or
 * this closes.
 *
 * <p>Thread-safety: thread-safe. Each group is confined to its own serial executor on
 * {@code scheduler} (see {@link ConsumerGroup}); methods here only look the group up and post to it.
 */
public final class ConsumerGroups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerGroups.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final Path dir;
    private final GroupEnvironment env;
    private final Map<GroupId, ConsumerGroup> groups = new ConcurrentHashMap<>();
    private final Counter refusedJoins;
    private volatile boolean closed;
    private volatile Tracing tracing = Tracing.NOOP;

    private ConsumerGroups(Path dir, TopicDirectory topics, Clock clock, ScheduledExecutorService scheduler,
                           MeterRegistry registry, GroupsConfig config) {
        this.dir = dir;
        LogEnvironment logEnv = LogEnvironment.system().withClock(clock).withScheduler(scheduler)
                .withListener(new LogMetrics(registry, "groups"));
        this.env = new GroupEnvironment(topics, clock, scheduler, registry, config, logEnv,
                g -> groups.remove(g.id(), g), () -> tracing);
        this.refusedJoins = Counter.builder("ratatoskr.group.joins.refused")
                .description("Joins refused because a group or member limit was reached").register(registry);
    }

    /** Reports every delivery to a member to {@code t} from now on (wiring; {@link Tracing#NOOP} before). */
    public void traceWith(Tracing t) {
        this.tracing = Objects.requireNonNull(t, "tracing");
    }

    /**
     * Opens the consumer groups kept in {@code dir} (created if missing) and starts loading them.
     *
     * @param topics    the durable topics the groups consume (and where dead-letter topics are created)
     * @param clock     wall-clock time
     * @param scheduler runs the groups (each serialized) and their timers; owned by the caller, who
     *                  shuts it down after {@link #close}
     * @param registry  where metrics go
     */
    public static ConsumerGroups open(Path dir, TopicDirectory topics, Clock clock, ScheduledExecutorService scheduler,
                                      MeterRegistry registry, GroupsConfig config) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the consumer-group directory " + dir, e);
        }
        ConsumerGroups groups = new ConsumerGroups(dir, topics, clock, scheduler, registry, config);
        List<GroupId> found = groups.onDisk();
        for (GroupId id : found) {
            if (groups.groups.size() >= config.maxGroups()) {
                log.warn("{} consumer groups on disk exceed maxGroups {}; the rest load on first use", found.size(),
                        config.maxGroups());
                break;
            }
            groups.group(id, false).preload();
        }
        log.atInfo().addKeyValue("event", "recovered").addKeyValue("groups", found.size())
                .log("consumer groups: {} found in {}", found.size(), dir);
        return groups;
    }

    /** Where durable topics are found. */
    public TopicDirectory topics() {
        return env.topics();
    }

    /**
     * Why {@code name} cannot be a consumer group (or durable topic) name, or null if it can: 1-200
     * characters from {@code [A-Za-z0-9._-]}, and not {@code .} or {@code ..}.
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return "use 1-200 characters from [A-Za-z0-9._-]";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'.' and '..' are reserved";
        }
        return null;
    }

    /**
     * Joins {@code group} of durable topic {@code topic} (creating the group if new: it then starts
     * at {@code options.start()}). Deliveries go to {@code sink}, at most the member's prefetch
     * unacknowledged at once.
     *
     * @throws io.ratatoskr.core.error.RatatoskrException {@code INVALID_GROUP_NAME},
     *         {@code INVALID_TOPIC_NAME}, {@code TOPIC_NOT_FOUND} (joining never creates a topic:
     *         that is admin work, not for an event loop), {@code GROUP_LIMIT_REACHED} (too many
     *         groups or members), {@code UNAVAILABLE} (closed)
     */
    public GroupMember join(String topic, String group, MemberOptions options, GroupSink sink) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(sink, "sink");
        GroupId id = checked(topic, group);
        requireTopic(topic);
        // "latest" means the end as of this call: a message published after it returns is the group's.
        long[] ends = null;
        if (options.start() instanceof StartPosition.Latest) {
            ends = env.topics().find(topic).orElseThrow().partitions().stream().mapToLong(p -> p.endOffset())
                    .toArray();
        }
        try {
            return group(id, true).join(options, sink, ends);
        } catch (io.ratatoskr.core.error.RatatoskrException e) {
            if (e.code() == ErrorCode.GROUP_LIMIT_REACHED) {
                refusedJoins.increment();
            }
            throw e;
        }
    }

    /**
     * Sets the delivery policy of a group (creating the group if new), persisted with its state.
     * It applies to deliveries made from now on; members that joined with prefetch 0 keep the
     * prefetch they got.
     *
     * @throws io.ratatoskr.core.error.RatatoskrException as {@link #join}, at once; the future fails
     *         with {@code INVALID_ARGUMENT} if the dead-letter topic is the topic itself
     */
    public CompletableFuture<GroupConfig> configure(String topic, String group, GroupConfig config) {
        Objects.requireNonNull(config, "config");
        GroupId id = checked(topic, group);
        requireTopic(topic);
        return group(id, true).configure(config);
    }

    /** The state of a group; fails with {@code GROUP_NOT_FOUND} if there is no such group. */
    public CompletableFuture<GroupInfo> describe(String topic, String group) {
        GroupId id = checked(topic, group);
        ConsumerGroup g = existing(id);
        if (g == null) {
            return CompletableFuture.failedFuture(ErrorCode.GROUP_NOT_FOUND.exception(group, topic));
        }
        return g.describe();
    }

    /**
     * Moves every partition of a group to {@code position} — a replay, or a skip — for all its
     * members: messages pending at the old position are forgotten (answers to their deliveries fail
     * with {@code DELIVERY_NOT_FOUND}). Creates the group if new.
     */
    public CompletableFuture<Void> seek(String topic, String group, StartPosition position) {
        Objects.requireNonNull(position, "position");
        GroupId id = checked(topic, group);
        requireTopic(topic);
        return group(id, true).seek(position);
    }

    /** Deletes a group and its state; its members are told. Completes with whether it existed. */
    public CompletableFuture<Boolean> delete(String topic, String group) {
        GroupId id = checked(topic, group);
        ConsumerGroup g = existing(id);
        return g == null ? CompletableFuture.completedFuture(false) : g.delete();
    }

    /** The groups there are (open, or on disk), sorted. */
    public List<GroupId> list() {
        TreeSet<GroupId> all = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        all.addAll(groups.keySet());
        all.addAll(onDisk());
        return new ArrayList<>(all);
    }

    /** The groups of one durable topic, sorted. */
    public List<GroupId> list(String topic) {
        return list().stream().filter(g -> g.topic().equals(topic)).toList();
    }

    /**
     * Writes every group's buffered state and closes the state logs (waiting up to 10 s); members
     * are told the groups ended. The scheduler is the caller's to shut down afterwards.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (ConsumerGroup g : List.copyOf(groups.values())) {
            pending.add(g.close());
        }
        try {
            CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("closing the consumer groups did not finish cleanly: {}", e.toString());
        }
    }

    /** For tests: every group stops as in a kill -9 (see {@link ConsumerGroup#crash}); this is then closed. */
    void crashForTests() {
        closed = true;
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (ConsumerGroup g : List.copyOf(groups.values())) {
            pending.add(g.crash());
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
    }

    private GroupId checked(String topic, String group) {
        if (checkName(topic) != null) {
            throw ErrorCode.INVALID_TOPIC_NAME.exception(topic);
        }
        if (checkName(group) != null) {
            throw ErrorCode.INVALID_GROUP_NAME.exception(group);
        }
        return new GroupId(topic, group);
    }

    private void requireTopic(String topic) {
        if (env.topics().find(topic).filter(t -> !t.isDeleted()).isEmpty()) {
            throw ErrorCode.TOPIC_NOT_FOUND.exception(topic);
        }
    }

    private ConsumerGroup existing(GroupId id) {
        ConsumerGroup g = groups.get(id);
        if (g != null) {
            return g;
        }
        return Files.isDirectory(dirOf(id)) ? group(id, false) : null;
    }

    private ConsumerGroup group(GroupId id, boolean create) {
        if (closed) {
            throw ErrorCode.UNAVAILABLE.exception("consumer groups are closed");
        }
        ConsumerGroup g = groups.get(id);
        if (g != null) {
            return g;
        }
        synchronized (groups) {
            g = groups.get(id);
            if (g == null) {
                if (groups.size() >= env.config().maxGroups()) {
                    refusedJoins.increment();
                    throw ErrorCode.GROUP_LIMIT_REACHED.exception(
                            "the broker has its maximum of " + env.config().maxGroups() + " open consumer groups");
                }
                boolean created = create && !Files.isDirectory(dirOf(id));
                g = new ConsumerGroup(id, dirOf(id), env);
                groups.put(id, g);
                if (created) {
                    log.atInfo().addKeyValue("event", "group_created").addKeyValue("topic", id.topic())
                            .addKeyValue("group", id.group()).log("group {}: created", id);
                }
            }
            return g;
        }
    }

    private Path dirOf(GroupId id) {
        return dir.resolve(id.topic()).resolve(id.group());
    }

    private List<GroupId> onDisk() {
        List<GroupId> found = new ArrayList<>();
        try (Stream<Path> topicDirs = Files.list(dir)) {
            for (Path t : topicDirs.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> groupDirs = Files.list(t)) {
                    for (Path g : groupDirs.filter(Files::isDirectory).sorted().toList()) {
                        String topic = t.getFileName().toString();
                        String group = g.getFileName().toString();
                        if (checkName(topic) == null && checkName(group) == null) {
                            found.add(new GroupId(topic, group));
                        }
                    }
                }
            }
        } catch (IOException e) {
            log.warn("listing consumer groups in {} failed: {}", dir, e.toString());
        }
        return found;
    }
}
