package io.ratatoskr.bench.mqtt;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of the MQTT load generator. A live run connects the subscribers (and waits for their SUBACKs), then
 * the publishers; starts every publisher on one shared {@link Timeline}; samples CPU time at the edges of the
 * measurement window; stops the publishers when it ends; waits for what is still in flight; and adds up what
 * every connection counted into a {@link LoadResult}.
 *
 * <p>With a {@link DurableSpec}, the publishers write to a durable topic, created first through the admin API
 * when one is given (and deleted after), and the subscribers may be members of a consumer group on it. A
 * drain run ({@link DurableSpec#preload()} above 0) has the publishers write the backlog first and waits for
 * every PUBACK, then connects the members and measures from just before they connect until the last message
 * of the backlog has arrived (or the window ends).
 *
 * <p>The generator runs on its own Netty event loops (native epoll where available), with pooled buffers
 * and TCP_NODELAY; connections are spread over the loops round-robin. Not thread-safe: one run per
 * instance, driven from one thread.
 */
public final class LoadRun {
    /** Connections opened at a time, so that a large run does not flood the broker's accept queue. */
    private static final int CONNECT_WAVE = 500;
    /** Time between setting the timeline and the first message, so that every publisher has it by then. */
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The drain ends early when nothing has moved for this long. */
    private static final long DRAIN_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final LoadSpec spec;
    private final PrintStream log;
    private final DurableSpec durable;
    private String runId;
    /** The run's topic prefix: a level of its own under --topic-prefix, or the durable topic's name. */
    private String prefix;
    private Scenario scenario;
    private int[][] receivers;
    private Bootstrap bootstrap;
    private final BrokerMeter meter;

    /** @param log where progress lines go (stderr for the command line) */
    public LoadRun(LoadSpec spec, PrintStream log) {
        this(spec, log, new BrokerMeter(spec.brokerPid(), spec.clockTicks(), null));
    }

    /**
     * @param log   where progress lines go (stderr for the command line)
     * @param meter measures the broker's CPU, memory and GC at the edges of the window
     */
    public LoadRun(LoadSpec spec, PrintStream log, BrokerMeter meter) {
        this.spec = spec;
        this.log = log;
        this.durable = spec.durable();
        this.meter = meter;
    }

    /** A connection handler and the channel it runs on. */
    private record Client<H extends ClientConnection>(H handler, Channel channel) {
        <T> T call(Callable<T> task) throws InterruptedException {
            try {
                return channel.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(handler.clientId() + ": " + e, e);
            }
        }
    }

    /**
     * Runs the load and returns what it measured.
     *
     * @throws IllegalStateException when creating the topic, connecting, subscribing or preloading fails or
     *                               times out
     */
    public LoadResult run() throws InterruptedException {
        Instant startedAt = Instant.now();
        runId = Long.toString(System.nanoTime() & 0xFF_FFFF_FFFFL, 36);
        prefix = durable == null ? spec.topicPrefix() + "/" + runId
                : durable.topicOr(spec.topicPrefix().replace('/', '-') + "-" + runId);
        scenario = new Scenario(spec.publishers(), spec.subscribers(), spec.layout(), prefix);
        receivers = scenario.receivers();
        AdminApi admin = durable != null && durable.adminUrl() != null
                ? new AdminApi(durable.adminUrl(), Duration.ofSeconds(30)) : null;
        if (admin != null) {
            admin.createTopic(prefix, durable.partitions(), durable.durability());
            log.printf(Locale.ROOT, "created durable topic %s: %d partition(s), durability %s%n", prefix,
                    durable.partitions(), durable.durability());
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(spec.threads(),
                new DefaultThreadFactory("mqtt-load", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            bootstrap = new Bootstrap()
                    .group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                            spec.connectTimeout().toMillis()));
            return durable != null && durable.drain() ? drainRun(startedAt, epoll) : liveRun(startedAt, epoll);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            if (admin != null && !durable.keepTopic()) {
                try {
                    admin.deleteTopic(prefix);
                } catch (IllegalStateException e) {
                    log.println("could not delete durable topic " + prefix + ": " + e.getMessage());
                }
            }
        }
    }

    private LoadResult liveRun(Instant startedAt, boolean epoll) throws InterruptedException {
        List<Client<SubscriberConnection>> subscribers = connect(subscriberHandlers("s"));
        List<Client<PublisherConnection>> publishers = connect(publisherHandlers(new int[spec.publishers()]));
        log.printf(Locale.ROOT, "connected %d subscriber(s) and %d publisher(s) (%s); warming up for %.1f s%n",
                subscribers.size(), publishers.size(), epoll ? "epoll" : "nio", spec.warmup().toNanos() / 1e9);

        Timeline timeline = Timeline.startingAt(System.nanoTime() + START_DELAY_NANOS, spec.warmup().toNanos(),
                spec.duration().toNanos());
        for (Client<SubscriberConnection> s : subscribers) {
            s.call(() -> {
                s.handler().timeline(timeline);
                return null;
            });
        }
        for (Client<PublisherConnection> p : publishers) {
            p.channel().eventLoop().execute(() -> p.handler().start(timeline));
        }

        Timeline.sleepUntil(timeline.measureStartNanos());
        CpuSample cpu0 = meter.sample();
        log.printf(Locale.ROOT, "measuring for %.1f s%n", spec.duration().toNanos() / 1e9);
        Timeline.sleepUntil(timeline.measureEndNanos());
        CpuSample cpu1 = meter.sample();

        int[] sent = stop(publishers);
        long[] expectedBySubscriber = new long[subscribers.size()];
        long expectedTotal = 0;
        for (int i = 0; i < sent.length; i++) {
            for (int r : receivers[i]) {
                expectedBySubscriber[r] += sent[i];
            }
            expectedTotal += sent[i];
        }
        drain(subscribers, publishers, expectedBySubscriber, expectedTotal,
                System.nanoTime() + spec.drainTimeout().toNanos(), DRAIN_IDLE_NANOS);

        List<ReceiverStats> subscriberStats = receiverStats(subscribers);
        List<SenderStats> publisherStats = senderStats(publishers);
        int window = publishers.isEmpty() ? spec.inflight() : publishers.getFirst().call(publishers.getFirst().handler()::window);
        disconnect(subscribers);
        disconnect(publishers);
        return result(startedAt, timeline.measuredSeconds(), window, publisherStats, subscriberStats, cpu0, cpu1, null);
    }

    /**
     * A drain run: optionally registers the group (members subscribe and leave), has the publishers write
     * {@link DurableSpec#preload()} messages and waits for every PUBACK, then connects the members and
     * measures until they have had the whole backlog or the window ends.
     */
    private LoadResult drainRun(Instant startedAt, boolean epoll) throws InterruptedException {
        if (durable.registerGroup()) {
            disconnect(connect(subscriberHandlers("r")));
            log.printf(Locale.ROOT, "registered consumer group %s on %s%n", spec.layout().describe(),
                    scenario.topicOf(0));
        }
        long preload = durable.preload();
        int[] limits = new int[spec.publishers()];
        for (int i = 0; i < limits.length; i++) {
            limits[i] = (int) (preload / limits.length + (i < preload % limits.length ? 1 : 0));
        }
        List<Client<PublisherConnection>> publishers = connect(publisherHandlers(limits));
        log.printf(Locale.ROOT, "connected %d publisher(s) (%s); preloading %d message(s)%n", publishers.size(),
                epoll ? "epoll" : "nio", preload);
        long preloadStart = System.nanoTime() + START_DELAY_NANOS;
        Timeline preloadTimeline = Timeline.startingAt(preloadStart, 0, durable.preloadTimeout().toNanos());
        for (Client<PublisherConnection> p : publishers) {
            p.channel().eventLoop().execute(() -> p.handler().start(preloadTimeline));
        }
        long preloaded = awaitPreload(publishers, limits, preloadTimeline.measureEndNanos());
        double preloadSeconds = (preloaded - preloadStart) / 1e9;
        int[] sent = stop(publishers);
        List<SenderStats> publisherStats = senderStats(publishers);
        int window = publishers.getFirst().call(publishers.getFirst().handler()::window);
        disconnect(publishers);
        long sentTotal = Arrays.stream(sent).asLongStream().sum();
        log.printf(Locale.ROOT, "preloaded %d message(s) in %.2f s; draining with %d member(s) for at most %.1f s%n",
                sentTotal, preloadSeconds, spec.subscribers(), spec.duration().toNanos() / 1e9);

        List<SubscriberConnection> handlers = subscriberHandlers("s");
        long start = System.nanoTime();
        Timeline timeline = Timeline.startingAt(start, 0, spec.duration().toNanos());
        handlers.forEach(h -> h.timeline(timeline));
        CpuSample cpu0 = meter.sample();
        List<Client<SubscriberConnection>> members = connect(handlers);
        // No idle cut-off while measuring: a broker may take a while to hand out the first messages.
        long end = drain(members, List.of(), new long[members.size()], sentTotal, timeline.measureEndNanos(),
                Long.MAX_VALUE);
        CpuSample cpu1 = meter.sample();
        long lastNew = members.stream().mapToLong(m -> m.handler().lastNewNanos()).max().orElse(end);
        if (received(members, new long[members.size()], sentTotal)) {
            end = lastNew;
        } else {
            end = Math.min(end, timeline.measureEndNanos());
            // Not all in the window: keep receiving (unmeasured) to tell slow from lost.
            drain(members, List.of(), new long[members.size()], sentTotal,
                    System.nanoTime() + spec.drainTimeout().toNanos(), DRAIN_IDLE_NANOS);
        }
        List<ReceiverStats> subscriberStats = receiverStats(members);
        disconnect(members);
        return result(startedAt, Math.max(1, end - start) / 1e9, window, publisherStats, subscriberStats, cpu0,
                cpu1, LoadResult.Preload.of(sentTotal, preloadSeconds));
    }

    /**
     * Waits until every publisher has sent its limit and had every PUBACK; returns when that was seen.
     *
     * @throws IllegalStateException when the deadline passes first
     */
    private long awaitPreload(List<Client<PublisherConnection>> publishers, int[] limits, long deadline) {
        while (true) {
            boolean done = true;
            for (Client<PublisherConnection> p : publishers) {
                done &= p.handler().finished().isDone() && p.handler().outstanding() == 0;
            }
            long now = System.nanoTime();
            if (done) {
                return now;
            }
            if (now - deadline >= 0) {
                throw new IllegalStateException("the preload of " + Arrays.stream(limits).asLongStream().sum()
                        + " message(s) did not complete within " + durable.preloadTimeout() + "; outstanding PUBACKs: "
                        + publishers.stream().mapToInt(p -> p.handler().outstanding()).sum());
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
    }

    private List<SubscriberConnection> subscriberHandlers(String kind) {
        boolean group = spec.layout().oneReceiverPerMessage();
        List<SubscriberConnection> handlers = new ArrayList<>();
        for (int j = 0; j < spec.subscribers(); j++) {
            boolean[] hears = new boolean[spec.publishers()];
            for (int i = 0; i < spec.publishers(); i++) {
                for (int r : receivers[i]) {
                    hears[i] |= r == j;
                }
            }
            Receipts receipts = group ? Receipts.seenSet(spec.publishers()) : Receipts.inOrder(spec.publishers());
            handlers.add(new SubscriberConnection(spec.version(), "rb" + runId + kind + j, spec.keepAliveSeconds(),
                    scenario.filtersOf(j), spec.qos(), receipts, hears, spec.persistentSubscribers()));
        }
        return handlers;
    }

    /** @param limits per publisher, messages to send at most, 0 for as many as the window takes */
    private List<PublisherConnection> publisherHandlers(int[] limits) {
        List<PublisherConnection> handlers = new ArrayList<>();
        double perPublisherRate = spec.ratePerSecond() / spec.publishers();
        for (int i = 0; i < spec.publishers(); i++) {
            PublishTemplate template = PublishTemplate.of(spec.version(), scenario.topicOf(i), spec.qos(),
                    spec.payloadBytes(), i);
            handlers.add(new PublisherConnection(spec.version(), "rb" + runId + "p" + i, spec.keepAliveSeconds(),
                    template, spec.qos(), spec.inflight(), perPublisherRate, (double) i / spec.publishers(),
                    limits[i]));
        }
        return handlers;
    }

    /** Stops every publisher; returns how many messages each sent. */
    private static int[] stop(List<Client<PublisherConnection>> publishers) throws InterruptedException {
        int[] sent = new int[publishers.size()];
        for (int i = 0; i < publishers.size(); i++) {
            Client<PublisherConnection> p = publishers.get(i);
            sent[i] = p.call(() -> {
                p.handler().stop();
                return p.handler().finished().getNow(0);
            });
        }
        return sent;
    }

    private static List<ReceiverStats> receiverStats(List<Client<SubscriberConnection>> subscribers)
            throws InterruptedException {
        List<ReceiverStats> stats = new ArrayList<>();
        for (Client<SubscriberConnection> s : subscribers) {
            stats.add(s.call(s.handler()::stats));
        }
        return stats;
    }

    private static List<SenderStats> senderStats(List<Client<PublisherConnection>> publishers)
            throws InterruptedException {
        List<SenderStats> stats = new ArrayList<>();
        for (Client<PublisherConnection> p : publishers) {
            stats.add(p.call(p.handler()::stats));
        }
        return stats;
    }

    private <H extends ClientConnection> List<Client<H>> connect(List<H> handlers) throws InterruptedException {
        List<Client<H>> clients = new ArrayList<>(handlers.size());
        long deadline = System.nanoTime() + spec.connectTimeout().toNanos();
        for (int from = 0; from < handlers.size(); from += CONNECT_WAVE) {
            List<H> wave = handlers.subList(from, Math.min(handlers.size(), from + CONNECT_WAVE));
            List<CompletableFuture<Void>> ready = new ArrayList<>(wave.size());
            for (H h : wave) {
                ChannelFuture connected = bootstrap.clone().handler(h).connect(spec.host(), spec.port());
                connected.addListener(f -> {
                    if (!f.isSuccess()) {
                        h.ready().completeExceptionally(new IllegalStateException(h.clientId()
                                + ": cannot connect to " + spec.host() + ":" + spec.port() + ": " + f.cause()));
                    }
                });
                clients.add(new Client<>(h, connected.channel()));
                ready.add(h.ready());
            }
            try {
                CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new))
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                closeAll(clients);
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                closeAll(clients);
                long done = ready.stream().filter(CompletableFuture::isDone).count();
                throw new IllegalStateException("connecting timed out after " + spec.connectTimeout() + ": " + done
                        + " of " + ready.size() + " connections of the last wave ready", e);
            }
        }
        return clients;
    }

    private static <H extends ClientConnection> void closeAll(List<Client<H>> clients) {
        for (Client<H> c : clients) {
            c.channel().close();
        }
    }

    /**
     * Waits until the subscribers have had everything they should and every publisher its PUBACKs, or until
     * nothing has moved for {@code idleNanos}, or {@code deadline}; returns when it stopped waiting.
     */
    private long drain(List<Client<SubscriberConnection>> subscribers, List<Client<PublisherConnection>> publishers,
                       long[] expectedBySubscriber, long expectedTotal, long deadline, long idleNanos) {
        long lastChange = System.nanoTime();
        long lastProgress = -1;
        while (true) {
            boolean done = received(subscribers, expectedBySubscriber, expectedTotal);
            long progress = 0;
            for (Client<SubscriberConnection> s : subscribers) {
                progress += s.handler().uniqueSoFar();
            }
            for (Client<PublisherConnection> p : publishers) {
                int outstanding = p.handler().outstanding();
                done &= outstanding == 0;
                progress -= outstanding;
            }
            long now = System.nanoTime();
            if (done || now - deadline >= 0) {
                return now;
            }
            if (progress != lastProgress) {
                lastProgress = progress;
                lastChange = now;
            } else if (now - lastChange >= idleNanos) {
                return now;
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
    }

    /**
     * Whether the subscribers have had every new message due: each its own share, or, for a consumer group,
     * {@code expectedTotal} between them.
     */
    private boolean received(List<Client<SubscriberConnection>> subscribers, long[] expectedBySubscriber,
                             long expectedTotal) {
        long total = 0;
        boolean each = true;
        for (int j = 0; j < subscribers.size(); j++) {
            long unique = subscribers.get(j).handler().uniqueSoFar();
            each &= unique >= expectedBySubscriber[j];
            total += unique;
        }
        return spec.layout().oneReceiverPerMessage() ? total >= expectedTotal : each;
    }

    private static <H extends ClientConnection> void disconnect(List<Client<H>> clients) throws InterruptedException {
        List<ChannelFuture> closed = new ArrayList<>(clients.size());
        for (Client<H> c : clients) {
            closed.add(c.call(c.handler()::disconnect));
        }
        for (ChannelFuture f : closed) {
            f.await(5, TimeUnit.SECONDS);
        }
    }

    private LoadResult result(Instant startedAt, double seconds, int window, List<SenderStats> pubs,
                              List<ReceiverStats> subs, CpuSample cpu0, CpuSample cpu1, LoadResult.Preload preload) {
        int[] fanOut = scenario.fanOut();
        LoadResult.Durable durableSettings = durable == null ? null : new LoadResult.Durable(prefix,
                durable.partitions(), durable.durability(),
                spec.layout() instanceof TopicLayout.Queue q ? q.group() : null, durable.preload());
        LoadResult.Settings settings = new LoadResult.Settings(spec.host(), spec.port(),
                spec.version().isV5() ? "5" : "3.1.1", spec.publishers(), spec.subscribers(),
                spec.layout().describe(), Arrays.stream(fanOut).min().orElse(0),
                Arrays.stream(fanOut).max().orElse(0), spec.qos(), spec.payloadBytes(),
                spec.ratePerSecond(), preload == null ? spec.duration().toNanos() / 1e9 : seconds,
                preload == null ? spec.warmup().toNanos() / 1e9 : 0, spec.inflight(), window, spec.threads(),
                durableSettings);
        return Totals.result(startedAt, spec.labels(), settings, seconds, pubs, fanOut, subs,
                spec.layout().oneReceiverPerMessage(), spec.qos() > 0, cpu1.generatorSince(cpu0),
                cpu1.brokerSince(cpu0), cpu1.machineSince(cpu0), preload).withResources(meter.resources());
    }
}
