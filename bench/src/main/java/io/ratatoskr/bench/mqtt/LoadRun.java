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
import io.ratatoskr.bench.mqtt.PublisherConnection.PublisherStats;
import io.ratatoskr.bench.mqtt.SubscriberConnection.SubscriberStats;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
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
 * One run of the MQTT load generator: connects the subscribers (and waits for their SUBACKs), then the
 * publishers; starts every publisher on one shared {@link Timeline}; samples CPU time at the edges of the
 * measurement window; stops the publishers when it ends; waits for what is still in flight; and adds up
 * what every connection counted into a {@link LoadResult}.
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

    /** @param log where progress lines go (stderr for the command line) */
    public LoadRun(LoadSpec spec, PrintStream log) {
        this.spec = spec;
        this.log = log;
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
     * @throws IllegalStateException when connecting or subscribing fails or times out
     */
    public LoadResult run() throws InterruptedException {
        Instant startedAt = Instant.now();
        String runId = Long.toString(System.nanoTime() & 0xFF_FFFF_FFFFL, 36);
        Scenario scenario = new Scenario(spec.publishers(), spec.subscribers(), spec.layout(),
                spec.topicPrefix() + "/" + runId);
        int[][] receivers = scenario.receivers();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(spec.threads(),
                new DefaultThreadFactory("mqtt-load", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                            spec.connectTimeout().toMillis()));

            List<SubscriberConnection> subscriberHandlers = new ArrayList<>();
            for (int j = 0; j < spec.subscribers(); j++) {
                boolean[] hears = new boolean[spec.publishers()];
                for (int i = 0; i < spec.publishers(); i++) {
                    for (int r : receivers[i]) {
                        hears[i] |= r == j;
                    }
                }
                subscriberHandlers.add(new SubscriberConnection(spec.version(), "rb" + runId + "s" + j,
                        spec.keepAliveSeconds(), scenario.filtersOf(j), spec.qos(), hears, spec.persistentSubscribers()));
            }
            List<Client<SubscriberConnection>> subscribers = connect(bootstrap, subscriberHandlers);

            List<PublisherConnection> publisherHandlers = new ArrayList<>();
            double perPublisherRate = spec.ratePerSecond() / spec.publishers();
            for (int i = 0; i < spec.publishers(); i++) {
                PublishTemplate template = PublishTemplate.of(spec.version(), scenario.topicOf(i), spec.qos(),
                        spec.payloadBytes(), i);
                publisherHandlers.add(new PublisherConnection(spec.version(), "rb" + runId + "p" + i,
                        spec.keepAliveSeconds(), template, spec.qos(), spec.inflight(), perPublisherRate,
                        (double) i / spec.publishers()));
            }
            List<Client<PublisherConnection>> publishers = connect(bootstrap, publisherHandlers);
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

            sleepUntil(timeline.measureStartNanos());
            long generatorCpu0 = ProcessCpu.selfNanos();
            long brokerCpu0 = spec.brokerPid() > 0 ? ProcessCpu.otherNanos(spec.brokerPid(), spec.clockTicks()) : -1;
            log.printf(Locale.ROOT, "measuring for %.1f s%n", spec.duration().toNanos() / 1e9);
            sleepUntil(timeline.measureEndNanos());
            long generatorCpu = ProcessCpu.selfNanos() - generatorCpu0;
            long brokerCpu = brokerCpu0 >= 0 ? ProcessCpu.otherNanos(spec.brokerPid(), spec.clockTicks()) - brokerCpu0 : -1;

            int[] sent = new int[publishers.size()];
            for (int i = 0; i < publishers.size(); i++) {
                Client<PublisherConnection> p = publishers.get(i);
                sent[i] = p.call(() -> {
                    p.handler().stop();
                    return p.handler().finished().getNow(0);
                });
            }
            long[] expectedBySubscriber = new long[subscribers.size()];
            for (int i = 0; i < sent.length; i++) {
                for (int r : receivers[i]) {
                    expectedBySubscriber[r] += sent[i];
                }
            }
            drain(subscribers, publishers, expectedBySubscriber);

            List<SubscriberStats> subscriberStats = new ArrayList<>();
            for (Client<SubscriberConnection> s : subscribers) {
                subscriberStats.add(s.call(s.handler()::stats));
            }
            List<PublisherStats> publisherStats = new ArrayList<>();
            for (Client<PublisherConnection> p : publishers) {
                publisherStats.add(p.call(p.handler()::stats));
            }
            int window = publishers.isEmpty() ? spec.inflight() : publishers.getFirst().call(publishers.getFirst().handler()::window);
            disconnect(subscribers);
            disconnect(publishers);
            return result(startedAt, scenario, receivers, timeline, window, publisherStats, subscriberStats,
                    generatorCpu, brokerCpu);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private <H extends ClientConnection> List<Client<H>> connect(Bootstrap bootstrap, List<H> handlers)
            throws InterruptedException {
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
     * Waits until every subscriber has had everything it should and every publisher its PUBACKs, or until
     * nothing has moved for {@link #DRAIN_IDLE_NANOS}, or the drain timeout.
     */
    private void drain(List<Client<SubscriberConnection>> subscribers, List<Client<PublisherConnection>> publishers,
                       long[] expectedBySubscriber) {
        long start = System.nanoTime();
        long deadline = start + spec.drainTimeout().toNanos();
        long lastChange = start;
        long lastProgress = -1;
        while (true) {
            boolean done = true;
            long progress = 0;
            for (int j = 0; j < subscribers.size(); j++) {
                long unique = subscribers.get(j).handler().uniqueSoFar();
                done &= unique >= expectedBySubscriber[j];
                progress += unique;
            }
            for (Client<PublisherConnection> p : publishers) {
                int outstanding = p.handler().outstanding();
                done &= outstanding == 0;
                progress -= outstanding;
            }
            long now = System.nanoTime();
            if (done || now - deadline >= 0) {
                return;
            }
            if (progress != lastProgress) {
                lastProgress = progress;
                lastChange = now;
            } else if (now - lastChange >= DRAIN_IDLE_NANOS) {
                return;
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
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

    private LoadResult result(Instant startedAt, Scenario scenario, int[][] receivers, Timeline timeline, int window,
                              List<PublisherStats> pubs, List<SubscriberStats> subs, long generatorCpu,
                              long brokerCpu) {
        double seconds = timeline.measuredSeconds();
        long sent = 0;
        long sentMeasured = 0;
        long acked = 0;
        long ackedMeasured = 0;
        long ackRefused = 0;
        long unacknowledged = 0;
        long expected = 0;
        long unexpectedAcks = 0;
        Histogram ackLatency = Histograms.create();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < pubs.size(); i++) {
            PublisherStats p = pubs.get(i);
            sent += p.sent();
            sentMeasured += p.sentMeasured();
            acked += p.acked();
            ackedMeasured += p.ackedMeasured();
            ackRefused += p.ackRefused();
            unexpectedAcks += p.ackUnexpected();
            unacknowledged += p.unacknowledged();
            expected += (long) p.sent() * receivers[i].length;
            ackLatency.add(p.ackLatency());
            if (p.failure() != null) {
                failures.add(p.failure());
            }
        }
        long received = 0;
        long receivedMeasured = 0;
        long unique = 0;
        long duplicates = 0;
        long unexpected = unexpectedAcks;
        Histogram latency = Histograms.create();
        for (SubscriberStats s : subs) {
            received += s.received();
            receivedMeasured += s.receivedMeasured();
            unique += s.unique();
            duplicates += s.duplicates();
            unexpected += s.unexpected();
            latency.add(s.latency());
            if (s.failure() != null) {
                failures.add(s.failure());
            }
        }
        long lost = expected - unique;
        int[] fanOut = scenario.fanOut();
        LoadResult.Settings settings = new LoadResult.Settings(spec.host(), spec.port(),
                spec.version().isV5() ? "5" : "3.1.1", spec.publishers(), spec.subscribers(),
                spec.layout().describe(), Arrays.stream(fanOut).min().orElse(0),
                Arrays.stream(fanOut).max().orElse(0), spec.qos(), spec.payloadBytes(),
                spec.ratePerSecond(), spec.duration().toNanos() / 1e9, spec.warmup().toNanos() / 1e9,
                spec.inflight(), window, spec.threads());
        Double brokerSeconds = brokerCpu >= 0 ? brokerCpu / 1e9 : null;
        Double brokerPerMessage = brokerCpu >= 0 && receivedMeasured > 0 ? brokerCpu / 1e3 / receivedMeasured : null;
        return new LoadResult(LoadResult.TOOL, LoadResult.FORMAT, startedAt.toString(), spec.labels(), settings,
                seconds, LoadResult.Rate.of(sent, sentMeasured, seconds),
                spec.qos() > 0 ? LoadResult.Rate.of(acked, ackedMeasured, seconds) : null,
                LoadResult.Rate.of(received, receivedMeasured, seconds), expected, lost,
                expected == 0 ? 0 : (double) lost / expected, duplicates, unexpected, ackRefused, unacknowledged,
                LoadResult.Latency.of(latency), spec.qos() > 0 ? LoadResult.Latency.of(ackLatency) : null,
                new LoadResult.Cpu(generatorCpu / 1e9, brokerSeconds, brokerPerMessage), List.copyOf(failures));
    }

    private static void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
