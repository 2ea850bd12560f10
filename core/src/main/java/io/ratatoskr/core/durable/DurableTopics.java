package io.ratatoskr.core.durable;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.broker.AckBarrier;
import io.ratatoskr.core.broker.PublishStore;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.topic.SharedGroup;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.core.topic.SubscriptionTable;
import io.ratatoskr.core.topic.Topics;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.LogException;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable topics of this node (PRODUCT.md, Concepts): their definitions, their partition logs,
 * capture of published messages, idempotent publish, cursor reads and committed offsets.
 *
 * <p>Entry point: {@link #open}. Registered with the broker as a {@link PublishStore}, it appends
 * every published message to each durable topic whose filters match its MQTT topic, and the
 * publisher's acknowledgement waits for those appends to be durable.
 *
 * <p>Layout under the topics directory ({@code <data-dir>/topics} in the server):
 *
 * <pre>
 * &lt;name&gt;/topic.def        the definition (format: {@link TopicDefinition})
 * &lt;name&gt;/&lt;partition&gt;/     the partition's log (docs/storage.md)
 * .offsets/                committed offsets of cursor consumers (format: {@link OffsetStore})
 * .trash/                  topics being deleted (removed again at open)
 * </pre>
 *
 * <p>A topic exists once its {@code topic.def} is written; a directory without one (a create cut
 * short by a crash, before any message could be stored) is removed at open. A deletion first moves
 * the topic's directory into {@code .trash} (one atomic rename), so a crash never leaves half a
 * topic; its committed offsets are forgotten after the rename, and again when a topic of the same
 * name is created (a crash may have come in between).
 *
 * <p>What a change ({@link #alter}) does: filters, max message size and the dedupe window take
 * effect at once; added partitions take messages at once (keys move, as in Kafka); retention,
 * cleanup policy, TTL and durability take effect by closing and reopening each partition's log
 * with the new settings; appends made meanwhile wait aside, bounded, without blocking their
 * callers, and go to the reopened log (see {@link LogPartition}). Partitions can never be removed.
 *
 * <p>Thread-safety: thread-safe. Publishing, reading and committing run lock-free over concurrent
 * maps and volatile immutable values. Creating, changing and deleting topics are serialized by one
 * admin lock and do file I/O: do not call them from a network event loop.
 */
public final class DurableTopics implements TopicDirectory, PublishStore, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableTopics.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final String TRASH = ".trash";
    private static final int MAX_FILTERS = 100;
    private static final int MAX_READ_RECORDS = 10_000;
    private static final int MAX_READ_BYTES = 16 * 1024 * 1024;
    private static final SubscriptionOptions CAPTURE = SubscriptionOptions.ofQos(2);

    private final Path dir;
    private final DurableTopicsConfig config;
    private final LogEnvironment env;
    private final DurableMetrics metrics;
    private final MessageIds ids;
    private final OffsetStore offsets;
    private final Map<String, LocalTopic> topics = new ConcurrentHashMap<>();
    private final SubscriptionTable<LocalTopic> capture = new SubscriptionTable<>();
    private final ReentrantLock admin = new ReentrantLock();
    private final AtomicLong dedupeKeys = new AtomicLong();
    private final DeadLetters deadLetters;
    private volatile ScheduledFuture<?> recovery;
    private volatile boolean closed;

    private DurableTopics(Path dir, DurableTopicsConfig config, LogEnvironment env, MeterRegistry registry,
                          RandomGenerator random, OffsetStore offsets) {
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.metrics = new DurableMetrics(registry);
        this.ids = new MessageIds(env.clock(), random);
        this.offsets = offsets;
        this.deadLetters = new DeadLetters(this);
        Gauge.builder("ratatoskr.durable.topics", topics, Map::size).description("Durable topics").register(registry);
        Gauge.builder("ratatoskr.durable.partitions.failed", this, t -> t.failedPartitions().size())
                .description("Durable topic partitions that refuse writes after an I/O error").register(registry);
        Gauge.builder("ratatoskr.durable.dedupe.keys", dedupeKeys, AtomicLong::get)
                .description("Idempotency keys remembered").register(registry);
    }

    /** Opens the registry in {@code dir} with a random seed for message identifiers. */
    public static DurableTopics open(Path dir, DurableTopicsConfig config, LogEnvironment env,
                                     MeterRegistry registry) {
        return open(dir, config, env, registry, new SplittableRandom(new SecureRandom().nextLong()));
    }

    /**
     * Opens (creating if needed) the registry in {@code dir}: restores every topic from its
     * definition, recovers its partition logs, rebuilds the idempotency windows and loads the
     * committed offsets. Logs get {@code env} (its scheduler, if any, runs retention and
     * compaction).
     *
     * @param random the source of the random bits of message identifiers
     * @throws UncheckedIOException or {@link LogException} when the directory cannot be read or a
     *         definition is corrupt (nothing is guessed)
     */
    public static DurableTopics open(Path dir, DurableTopicsConfig config, LogEnvironment env, MeterRegistry registry,
                                     RandomGenerator random) {
        try {
            Files.createDirectories(dir);
            deleteRecursively(dir.resolve(TRASH));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use durable topics directory " + dir + ": " + e.getMessage(), e);
        }
        OffsetStore offsets = OffsetStore.open(dir, config.log(), env);
        DurableTopics t = new DurableTopics(dir, config, env, registry, random, offsets);
        try {
            t.load();
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        t.scheduleRecovery();
        return t;
    }

    /**
     * Retries failed partitions every {@code failedPartitionRetryMs} on the environment's scheduler
     * (if it has one), so that a partition stopped by a full disk takes writes again once there is
     * space, without an operator (PRODUCT.md, Bad input and faults).
     */
    private void scheduleRecovery() {
        long every = config.failedPartitionRetryMs();
        if (env.scheduler() == null || every == 0) {
            return;
        }
        recovery = env.scheduler().scheduleWithFixedDelay(() -> {
            try {
                if (!closed && !failedPartitions().isEmpty()) {
                    int still = recoverFailedPartitions();
                    log.debug("{}: failed partitions retried, {} still refuse writes", dir, still);
                }
            } catch (RuntimeException e) {
                log.warn("{}: retrying failed partitions failed: {}", dir, e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private void load() {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(dir)) {
            dirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        long now = env.clock().millis();
        for (Path topicDir : dirs) {
            if (!Files.exists(topicDir.resolve(TopicDefinition.FILE))) {
                log.warn("{}: no {}: an interrupted create; removing it", topicDir, TopicDefinition.FILE);
                uncheckedDelete(topicDir);
                continue;
            }
            TopicDefinition d;
            try {
                d = TopicDefinition.read(topicDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read durable topic definition: " + e.getMessage(), e);
            }
            if (!d.name().equals(topicDir.getFileName().toString())) {
                throw new IllegalStateException(topicDir + " holds the definition of '" + d.name() + "'");
            }
            LocalTopic topic = openTopic(topicDir, d);
            topic.rebuildWindow(now);
            register(topic);
        }
        log.atInfo().addKeyValue("event", "recovered").addKeyValue("topics", topics.size())
                .log("{}: {} durable topics opened", dir, topics.size());
    }

    private LocalTopic openTopic(Path topicDir, TopicDefinition d) {
        LogConfig logConfig = logConfig(d.config());
        List<LogPartition> parts = new ArrayList<>();
        try {
            for (int i = 0; i < d.config().partitions(); i++) {
                parts.add(LogPartition.open(d.name(), i, topicDir.resolve(Integer.toString(i)), logConfig, env));
            }
        } catch (RuntimeException e) {
            parts.forEach(LogPartition::close);
            throw e;
        }
        IdempotencyWindow window = new IdempotencyWindow(d.config().dedupeWindowMs(), dedupeKeys,
                config.dedupeMaxKeys(), metrics::dedupeEviction);
        return new LocalTopic(topicDir, d, parts, env, metrics, window);
    }

    private void register(LocalTopic topic) {
        topics.put(topic.name(), topic);
        for (String f : topic.filters()) {
            capture.subscribe(topic, f, CAPTURE);
        }
    }

    private void unregister(LocalTopic topic) {
        for (String f : topic.filters()) {
            capture.unsubscribe(topic, f);
        }
        topics.remove(topic.name(), topic);
    }

    private LogConfig logConfig(TopicConfig c) {
        return LogPartition.logConfig(c, config.log());
    }

    public DurableTopicsConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    // ---------------------------------------------------------------------------------------
    // Definitions

    /**
     * Creates a durable topic.
     *
     * @throws RatatoskrException INVALID_TOPIC_NAME, INVALID_TOPIC_CONFIG, TOPIC_EXISTS,
     *         TOPIC_LIMIT_REACHED, UNAVAILABLE (its files cannot be written or opened; nothing is
     *         left behind)
     */
    public TopicInfo create(String name, TopicConfig topicConfig) {
        checkName(name);
        checkConfig(name, topicConfig);
        admin.lock();
        try {
            checkOpen();
            if (topics.containsKey(name)) {
                throw ErrorCode.TOPIC_EXISTS.exception(name);
            }
            return info(createLocked(name, topicConfig));
        } finally {
            admin.unlock();
        }
    }

    private LocalTopic createLocked(String name, TopicConfig topicConfig) {
        if (topics.size() >= config.maxTopics()) {
            throw ErrorCode.TOPIC_LIMIT_REACHED.exception(config.maxTopics() + " durable topics");
        }
        int partitions = topics.values().stream().mapToInt(t -> t.config().partitions()).sum();
        if (partitions + topicConfig.partitions() > config.maxPartitions()) {
            throw ErrorCode.TOPIC_LIMIT_REACHED.exception(config.maxPartitions() + " partitions (" + partitions
                    + " in use)");
        }
        Path topicDir = dir.resolve(name);
        TopicDefinition d = new TopicDefinition(name, topicConfig, 1, env.clock().millis());
        // Offsets committed in an earlier topic of this name survive when a crash cut its delete short
        // (or a commit raced with it): forget them, durably, before the new topic exists, or its
        // consumers would resume past messages they never read.
        try {
            offsets.forget(name, env.clock().millis()).join();
        } catch (CompletionException e) {
            throw new RatatoskrException(ErrorCode.UNAVAILABLE, "cannot create durable topic '" + name
                    + "': the committed offsets of an earlier topic of that name could not be removed: "
                    + e.getCause().getMessage(), e.getCause());
        }
        try {
            Files.createDirectories(topicDir);
            d.write(topicDir, env.channels());
            TopicDefinition.syncDirectory(dir, env.channels());
        } catch (IOException e) {
            throw new RatatoskrException(ErrorCode.UNAVAILABLE, "cannot create durable topic '" + name + "': " + e, e);
        }
        LocalTopic topic;
        try {
            topic = openTopic(topicDir, d);
        } catch (RuntimeException e) {
            // The definition is on disk: take it back, or the topic would appear at the next start.
            try {
                Files.deleteIfExists(topicDir.resolve(TopicDefinition.FILE));
                TopicDefinition.syncDirectory(topicDir, env.channels());
                deleteRecursively(topicDir);
                TopicDefinition.syncDirectory(dir, env.channels());
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
                log.warn("{}: cannot remove the topic whose create failed: {}", topicDir, cleanup.toString());
            }
            throw new RatatoskrException(ErrorCode.UNAVAILABLE, "cannot create durable topic '" + name + "': "
                    + e.getMessage(), e);
        }
        register(topic);
        log.atInfo().addKeyValue("event", "topic_created").addKeyValue("topic", name)
                .addKeyValue("partitions", topicConfig.partitions())
                .log("durable topic '{}' created: {}", name, topicConfig);
        return topic;
    }

    /**
     * Changes a topic's configuration (see the class comment for what takes effect when). The change
     * is durable before it applies.
     *
     * @throws RatatoskrException TOPIC_NOT_FOUND, INVALID_TOPIC_CONFIG (e.g. fewer partitions),
     *         TOPIC_LIMIT_REACHED
     */
    public TopicInfo alter(String name, TopicConfig topicConfig) {
        return alter(name, current -> topicConfig);
    }

    /**
     * Changes a topic's configuration to what {@code change} makes of the current one, atomically
     * with respect to other changes: two callers that change different settings (e.g. two admin
     * API PATCHes) both take effect.
     *
     * @throws RatatoskrException as {@link #alter(String, TopicConfig)}, or whatever {@code change}
     *         throws
     */
    public TopicInfo alter(String name, UnaryOperator<TopicConfig> change) {
        admin.lock();
        try {
            checkOpen();
            LocalTopic topic = require(name);
            TopicConfig old = topic.config();
            TopicConfig topicConfig = change.apply(old);
            checkConfig(name, topicConfig);
            if (topicConfig.partitions() < old.partitions()) {
                throw ErrorCode.INVALID_TOPIC_CONFIG.exception("durable topic '" + name + "' has " + old.partitions()
                        + " partitions; partitions can be added, never removed");
            }
            int partitions = topics.values().stream().mapToInt(t -> t.config().partitions()).sum();
            if (partitions - old.partitions() + topicConfig.partitions() > config.maxPartitions()) {
                throw ErrorCode.TOPIC_LIMIT_REACHED.exception(config.maxPartitions() + " partitions");
            }
            TopicDefinition changed = topic.definition().changed(topicConfig);
            try {
                changed.write(topic.dir(), env.channels());
            } catch (IOException e) {
                throw new RatatoskrException(ErrorCode.UNAVAILABLE, "cannot change durable topic '" + name + "': " + e,
                        e);
            }
            List<String> oldFilters = topic.filters();
            topic.redefine(changed, logConfig(topicConfig));
            // New filters first, then the dropped ones: a filter kept is never absent meanwhile.
            List<String> newFilters = topic.filters();
            for (String f : newFilters) {
                capture.subscribe(topic, f, CAPTURE);
            }
            for (String f : oldFilters) {
                if (!newFilters.contains(f)) {
                    capture.unsubscribe(topic, f);
                }
            }
            log.atInfo().addKeyValue("event", "topic_changed").addKeyValue("topic", name)
                    .addKeyValue("generation", changed.generation())
                    .log("durable topic '{}' changed (generation {}): {}", name, changed.generation(), topicConfig);
            return info(topic);
        } finally {
            admin.unlock();
        }
    }

    /**
     * Deletes a topic and its messages and committed offsets. Its consumers see
     * {@link DurableTopic#isDeleted()}; appends in flight complete or fail.
     *
     * @throws RatatoskrException TOPIC_NOT_FOUND
     */
    public void delete(String name) {
        admin.lock();
        try {
            checkOpen();
            LocalTopic topic = require(name);
            unregister(topic);
            topic.markDeleted();
            topic.logPartitions().forEach(LogPartition::close);
            Path trash = dir.resolve(TRASH);
            try {
                Files.createDirectories(trash);
                Path moved = trash.resolve(name + "-" + env.clock().millis());
                Files.move(topic.dir(), moved, StandardCopyOption.ATOMIC_MOVE);
                TopicDefinition.syncDirectory(dir, env.channels());
                deleteRecursively(moved);
            } catch (IOException e) {
                throw new RatatoskrException(ErrorCode.UNAVAILABLE, "durable topic '" + name + "' is deleted, but its "
                        + "files could not all be removed (they go at the next start): " + e, e);
            }
            offsets.forget(name, env.clock().millis());
            log.atInfo().addKeyValue("event", "topic_deleted").addKeyValue("topic", name)
                    .log("durable topic '{}' deleted", name);
        } finally {
            admin.unlock();
        }
    }

    /** @throws RatatoskrException TOPIC_NOT_FOUND */
    public TopicInfo describe(String name) {
        return info(require(name));
    }

    /** Every topic, by name. */
    public List<TopicInfo> list() {
        return topics.values().stream().sorted(Comparator.comparing(LocalTopic::name)).map(this::info).toList();
    }

    public boolean exists(String name) {
        return topics.containsKey(name);
    }

    @Override
    public Optional<DurableTopic> find(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    @Override
    public DurableTopic createIfAbsent(String name, TopicConfig topicConfig) {
        LocalTopic existing = topics.get(name);
        if (existing != null) {
            return existing;
        }
        checkName(name);
        checkConfig(name, topicConfig);
        admin.lock();
        try {
            checkOpen();
            existing = topics.get(name);
            return existing != null ? existing : createLocked(name, topicConfig);
        } finally {
            admin.unlock();
        }
    }

    private TopicInfo info(LocalTopic t) {
        TopicDefinition d = t.definition();
        List<PartitionSnapshot> parts = t.logPartitions().stream().map(LogPartition::snapshot).toList();
        return new TopicInfo(d.name(), d.config(), t.filters(), d.generation(), d.createdAtMs(), parts);
    }

    LocalTopic require(String name) {
        LocalTopic t = topics.get(name);
        if (t == null) {
            throw ErrorCode.TOPIC_NOT_FOUND.exception(name);
        }
        return t;
    }

    /** @throws RatatoskrException INVALID_TOPIC_NAME */
    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ErrorCode.INVALID_TOPIC_NAME.exception(name);
        }
        if (name.startsWith(".")) {
            throw new RatatoskrException(ErrorCode.INVALID_TOPIC_NAME, "'" + name + "' is not a valid durable topic "
                    + "name: names starting with '.' are reserved for the broker's own files");
        }
    }

    private void checkConfig(String name, TopicConfig c) {
        if (c.filters().size() > MAX_FILTERS) {
            throw ErrorCode.INVALID_TOPIC_CONFIG.exception("at most " + MAX_FILTERS + " filters per topic");
        }
        for (String f : c.effectiveFilters(name)) {
            String problem = Topics.checkFilter(f, Integer.MAX_VALUE);
            if (problem != null) {
                throw ErrorCode.INVALID_TOPIC_CONFIG.exception("filter '" + f + "': " + problem);
            }
            if (f.startsWith("$")) {
                throw ErrorCode.INVALID_TOPIC_CONFIG.exception("filter '" + f
                        + "': durable topics cannot capture $-topics ($SYS, $share, $queue are the broker's)");
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Capture and publish

    /**
     * Appends {@code message} to every durable topic that captures its MQTT topic. The message key
     * and idempotency key come from the MQTT 5 user properties {@value PublishOptions#MESSAGE_KEY}
     * and {@value PublishOptions#IDEMPOTENCY_KEY}. When the barrier names a loop the publish runs on
     * ({@link AckBarrier#gatherOn}), the record is appended with the others of that loop's current
     * work, one append per partition ({@link PublishBurst}); the barrier's write completes once the
     * append holding the message does.
     *
     * @return false when a capturing topic saw the idempotency key within its window: the message is
     *         a repeat and is not routed again
     * @throws RatatoskrException MESSAGE_TOO_LARGE, MESSAGE_KEY_REQUIRED or IDEMPOTENCY_KEY_TOO_LONG,
     *         before anything is stored
     */
    @Override
    public boolean store(Message message, AckBarrier barrier) {
        if (topics.isEmpty()) {
            return true;
        }
        Matches matches = new Matches();
        capture.match(message.topic(), matches);
        if (matches.topics.isEmpty()) {
            return true;
        }
        PublishOptions options = PublishOptions.of(message);
        for (LocalTopic t : matches.topics) {
            t.checkAcceptable(message, options);
        }
        UUID id = ids.next();
        long now = env.clock().millis();
        boolean route = true;
        for (LocalTopic t : matches.topics) {
            AppendOutcome a = t.append(message, id, options, now, barrier == null ? null : barrier.gatherLoop());
            route &= !a.duplicate();
            if (barrier != null) {
                barrier.awaitResult(PublishReceipt.class, a.receipt());
            }
        }
        return route;
    }

    /** The topics one message matches, each once. */
    private static final class Matches implements SubscriptionTable.Visitor<LocalTopic> {
        final List<LocalTopic> topics = new ArrayList<>(2);

        @Override
        public void subscription(LocalTopic key, String filter, SubscriptionOptions options) {
            for (LocalTopic t : topics) {
                if (t == key) {
                    return;
                }
            }
            topics.add(key);
        }

        @Override
        public void sharedGroup(SharedGroup<LocalTopic> group) {
            // Capture filters are never shared.
        }
    }

    /**
     * Appends {@code message} to {@code topicName} only (no live routing, no other topic), with the
     * keys {@code options} gives — for gRPC publish, dead-letter writes and replays. Creates the
     * topic first when it is missing and auto-creation is on.
     *
     * @return the receipt once durable; fails with a {@link RatatoskrException}: TOPIC_NOT_FOUND,
     *         MESSAGE_TOO_LARGE, MESSAGE_KEY_REQUIRED, IDEMPOTENCY_KEY_TOO_LONG, PARTITION_OVERLOADED,
     *         PARTITION_FAILED
     */
    public CompletableFuture<PublishReceipt> publish(String topicName, Message message, PublishOptions options) {
        try {
            LocalTopic topic = topics.get(topicName);
            if (topic == null) {
                if (!config.autoCreate()) {
                    metrics.refused(ErrorCode.TOPIC_NOT_FOUND);
                    throw ErrorCode.TOPIC_NOT_FOUND.exception(topicName);
                }
                topic = (LocalTopic) createIfAbsent(topicName, config.autoCreateConfig());
            }
            topic.checkAcceptable(message, options);
            return topic.append(message, ids.next(), options, env.clock().millis()).receipt();
        } catch (RatatoskrException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Appends {@code messages} to {@code topicName} only (no live routing, no other topic), in
     * order, with one log append per partition for the whole batch (see
     * {@link LocalTopic#appendAll}). Each message's key and idempotency key come from its user
     * properties ({@link PublishOptions#of}). A message refused (too large, key missing, idempotency
     * key too long) gets a failed receipt and does not stop the others. Creates the topic first when
     * it is missing and auto-creation is on.
     *
     * @return one outcome per message, in order; route only those that are not duplicates
     * @throws RatatoskrException TOPIC_NOT_FOUND, INVALID_TOPIC_NAME (auto-creation), UNAVAILABLE
     */
    public List<AppendOutcome> publishBatch(String topicName, List<Message> messages) {
        LocalTopic topic = topics.get(topicName);
        if (topic == null) {
            if (!config.autoCreate()) {
                metrics.refused(ErrorCode.TOPIC_NOT_FOUND);
                throw ErrorCode.TOPIC_NOT_FOUND.exception(topicName);
            }
            topic = (LocalTopic) createIfAbsent(topicName, config.autoCreateConfig());
        }
        AppendOutcome[] out = new AppendOutcome[messages.size()];
        List<Message> accepted = new ArrayList<>(messages.size());
        List<PublishOptions> options = new ArrayList<>(messages.size());
        List<Integer> index = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            PublishOptions o = PublishOptions.of(m);
            try {
                topic.checkAcceptable(m, o);
            } catch (RatatoskrException e) {
                out[i] = new AppendOutcome(CompletableFuture.failedFuture(e), false);
                continue;
            }
            accepted.add(m);
            options.add(o);
            index.add(i);
        }
        List<AppendOutcome> appended = topic.appendAll(accepted, options, ids::next, env.clock().millis());
        for (int i = 0; i < appended.size(); i++) {
            out[index.get(i)] = appended.get(i);
        }
        return List.of(out);
    }

    /** The durable topics whose filters capture MQTT topic {@code mqttTopic}, by name. */
    public List<String> capturing(String mqttTopic) {
        Matches matches = new Matches();
        capture.match(mqttTopic, matches);
        return matches.topics.stream().map(LocalTopic::name).sorted().toList();
    }

    // ---------------------------------------------------------------------------------------
    // Cursor consumers

    /**
     * Reads one partition from {@code offset}: at most {@code maxRecords} messages (1..10,000), about
     * {@code maxBytes} (1..16 MiB; at least one message). An offset before the partition's start
     * (retention removed it) reads from the start: compare with {@link ReadBatch#startOffset()}.
     *
     * @throws RatatoskrException TOPIC_NOT_FOUND, INVALID_ARGUMENT, OFFSET_OUT_OF_RANGE (past the end)
     */
    public ReadBatch read(String topicName, int partition, long offset, int maxRecords, int maxBytes) {
        LocalTopic topic = require(topicName);
        LogPartition p = topic.partition(partition);
        if (maxRecords < 1 || maxRecords > MAX_READ_RECORDS || maxBytes < 1 || maxBytes > MAX_READ_BYTES) {
            throw ErrorCode.INVALID_ARGUMENT.exception("maxRecords must be in 1.." + MAX_READ_RECORDS
                    + " and maxBytes in 1.." + MAX_READ_BYTES);
        }
        long end = p.endOffset();
        if (offset < 0 || offset > end) {
            throw ErrorCode.OFFSET_OUT_OF_RANGE.exception(offset, p.startOffset(), end, topicName + "/" + partition);
        }
        ReadResult r;
        try {
            r = p.read(offset, maxRecords, maxBytes);
        } catch (LogException e) {
            throw new RatatoskrException(ErrorCode.UNAVAILABLE, "reading " + topicName + "/" + partition + " failed: "
                    + e.getMessage(), e);
        }
        List<DurableMessage> messages = new ArrayList<>(r.records().size());
        for (StoredRecord rec : r.records()) {
            messages.add(MessageEnvelope.fromRecord(topicName, partition, rec));
        }
        return new ReadBatch(topicName, partition, messages, r.nextOffset(), r.highWatermark(), r.logStartOffset());
    }

    /**
     * The offset {@code position} stands for in one partition now: earliest = the start, latest = the
     * end, an offset clamped to [start, end], a time = the first message stored at or after it (the
     * end if none).
     */
    public long resolve(String topicName, int partition, StartPosition position) {
        LogPartition p = require(topicName).partition(partition);
        return switch (position) {
            case StartPosition.Earliest e -> p.startOffset();
            case StartPosition.Latest l -> p.endOffset();
            case StartPosition.AtOffset o -> Math.max(p.startOffset(), Math.min(o.offset(), p.endOffset()));
            case StartPosition.AtTime t -> p.offsetForTimestamp(t.timestampMs());
        };
    }

    /**
     * Commits the offset a named consumer resumes from in one partition; completes once durable.
     * Consumer names are 1-200 characters without U+0000; names starting with {@code $} are the
     * broker's own (see {@link DeadLetters}).
     *
     * @return fails with TOPIC_NOT_FOUND, INVALID_ARGUMENT, OFFSET_OUT_OF_RANGE (past the end)
     */
    public CompletableFuture<Void> commitOffset(String topicName, String consumer, int partition, long offset) {
        try {
            LogPartition p = require(topicName).partition(partition);
            checkConsumer(consumer);
            long end = p.endOffset();
            if (offset < 0 || offset > end) {
                throw ErrorCode.OFFSET_OUT_OF_RANGE.exception(offset, p.startOffset(), end, topicName + "/" + partition);
            }
            return offsets.commit(topicName, consumer, partition, offset, env.clock().millis());
        } catch (RatatoskrException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The offset {@code consumer} committed in one partition, if any. */
    public OptionalLong committedOffset(String topicName, String consumer, int partition) {
        return offsets.committed(topicName, consumer, partition);
    }

    /** Every offset committed in {@code topicName}, by consumer and partition (for lag reports). */
    public List<CommittedOffset> committedOffsets(String topicName) {
        return offsets.committedOffsets(topicName);
    }

    private static void checkConsumer(String consumer) {
        if (consumer == null || consumer.isEmpty() || consumer.length() > 200 || consumer.indexOf('\u0000') >= 0) {
            throw ErrorCode.INVALID_ARGUMENT.exception("a consumer name has 1-200 characters and no U+0000");
        }
    }

    // ---------------------------------------------------------------------------------------
    // Dead letters, partitions, health

    /** Listing, inspection and replay of dead-letter topics. */
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    /** The partition {@code partition} of {@code topicName}, e.g. to run retention or compaction now. */
    public LogPartition partition(String topicName, int partition) {
        return require(topicName).partition(partition);
    }

    /** The state of every partition of every topic. */
    public List<PartitionSnapshot> partitionSnapshots() {
        List<PartitionSnapshot> out = new ArrayList<>();
        for (LocalTopic t : topics.values()) {
            for (LogPartition p : t.logPartitions()) {
                out.add(p.snapshot());
            }
        }
        out.sort(Comparator.comparing(PartitionSnapshot::topic).thenComparingInt(PartitionSnapshot::partition));
        return out;
    }

    /** The partitions that refuse writes after an I/O error (for /ready and alerts). */
    public List<PartitionSnapshot> failedPartitions() {
        List<PartitionSnapshot> out = new ArrayList<>();
        for (LocalTopic t : topics.values()) {
            for (LogPartition p : t.logPartitions()) {
                if (!p.isWritable()) {
                    out.add(p.snapshot());
                }
            }
        }
        return out;
    }

    /**
     * Tries to reopen every failed partition for writes (after the disk was freed or repaired);
     * returns how many still refuse them. Also runs every {@code failedPartitionRetryMs} by itself
     * when the environment has a scheduler. Blocks on the logs: not from an event loop.
     */
    public int recoverFailedPartitions() {
        int failed = 0;
        for (LocalTopic t : topics.values()) {
            for (LogPartition p : t.logPartitions()) {
                if (!p.isWritable() && !t.isDeleted()) {
                    try {
                        if (!p.recover()) {
                            failed++;
                        }
                    } catch (LogException e) {
                        log.warn("{}: recovery failed: {}", p, e.toString());
                        failed++;
                    }
                }
            }
        }
        return failed;
    }

    long nowMs() {
        return env.clock().millis();
    }

    private void checkOpen() {
        if (closed) {
            throw new RatatoskrException(ErrorCode.UNAVAILABLE, "the durable topics are closed");
        }
    }

    /** Closes every partition log and the offsets store; queued appends complete first. */
    @Override
    public void close() {
        admin.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ScheduledFuture<?> r = recovery;
            if (r != null) {
                r.cancel(false);
            }
            for (LocalTopic t : topics.values()) {
                for (LogPartition p : t.logPartitions()) {
                    try {
                        p.close();
                    } catch (RuntimeException e) {
                        log.warn("{}: close failed: {}", p, e.toString());
                    }
                }
            }
            offsets.close();
        } finally {
            admin.unlock();
        }
    }

    private static void uncheckedDelete(Path p) {
        try {
            deleteRecursively(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
