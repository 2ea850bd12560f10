package io.ratatoskr.bench.conn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.ratatoskr.bench.mqtt.DurationConverter;
import io.ratatoskr.mqtt.codec.MqttVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Opens N MQTT connections that do nothing but keep alive, and measures what they cost the broker: heap in use
 * after a full GC before and after (per connection), resident memory before and after (per connection), the
 * time to connect them all, and the broker's CPU while they sit idle (keep-alive pings only).
 *
 * <p>One source IP address has about 28,000 ephemeral ports ({@code net.ipv4.ip_local_port_range}), so the
 * connections come from {@code --sources} loopback addresses, 127.0.0.2 upwards (all of 127/8 is local on
 * Linux), round robin. The tool raises no limit itself: the shell that starts it, and the one that starts the
 * broker, need {@code ulimit -n} above N (plus a few hundred), and the broker's own connection limits must
 * allow N (for Ratatoskr {@code mqtt.max-connections} and {@code mqtt.max-connections-per-address}).
 *
 * <p>Thread-safety: the command runs on the calling thread; the connections run on the client's event loops
 * and report through a {@link Tally}.
 */
@Command(name = "idle-connections", sortOptions = false, mixinStandardHelpOptions = false,
        description = "Opens N idle MQTT connections and measures the broker's heap, RSS and CPU per connection.")
public final class IdleConnections implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--host", description = "Broker address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Broker MQTT port (default: ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = {"-n", "--connections"}, description = "Connections to open (default: ${DEFAULT-VALUE}).")
    int connections = 10_000;

    @Option(names = "--sources", description = "Loopback source addresses, 127.0.0.2 upwards; 0 lets the kernel"
            + " pick (default: ${DEFAULT-VALUE}).")
    int sources = 8;

    @Option(names = "--rate", description = "Connection attempts per second at most (default: ${DEFAULT-VALUE}).")
    int rate = 5_000;

    @Option(names = "--max-in-flight", description = "Attempts awaiting CONNACK at most (default: ${DEFAULT-VALUE}).")
    int maxInFlight = 500;

    @Option(names = "--keep-alive", description = "Keep-alive in seconds; each connection pings once per period"
            + " (default: ${DEFAULT-VALUE}).")
    int keepAliveSeconds = 60;

    @Option(names = {"--version", "--mqtt-version"}, description = "MQTT version: 3.1.1 or 5 (default: ${DEFAULT-VALUE}).")
    String mqttVersion = "3.1.1";

    @Option(names = "--threads", description = "Client event-loop threads (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--broker-pid", required = true, description = "The broker's process id: its memory and CPU"
            + " are measured.")
    long brokerPid;

    @Option(names = "--no-jvm", description = "The broker is not a JVM (Mosquitto): measure RSS and CPU only.")
    boolean notJvm;

    @Option(names = "--settle", converter = DurationConverter.class,
            description = "Wait after the last CONNACK before measuring (default: ${DEFAULT-VALUE}).")
    Duration settle = Duration.ofSeconds(3);

    @Option(names = "--idle", converter = DurationConverter.class,
            description = "Window over which the broker's idle CPU is measured (default: ${DEFAULT-VALUE}).")
    Duration idle = Duration.ofSeconds(20);

    @Option(names = "--connect-timeout", converter = DurationConverter.class,
            description = "Give up waiting for CONNACKs after this (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout = Duration.ofMinutes(5);

    @Option(names = "--histograms", description = "Directory for the broker's class histograms before and after.")
    Path histograms;

    @Option(names = "--json", description = "Write the result as JSON to this file.")
    Path json;

    @Option(names = "--label", description = "A label stored in the JSON (default: ${DEFAULT-VALUE}).")
    String label = "ratatoskr";

    @Option(names = "--seed", description = "Seed of the ping phases (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    private final PrintStream out;

    public IdleConnections() {
        this(System.out);
    }

    IdleConnections(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new IdleConnections()).execute(args));
    }

    /** What the run measured; sizes in bytes, times in milliseconds, -1 where not measured. */
    public record Result(String label, long brokerPid, int requested, int connected, int refused, int failed,
                        int lost, String firstFailure, String refusalCodes, int sources, int keepAliveSeconds,
                        String mqttVersion, long connectMs, double connectsPerSecond,
                        long heapBefore, long heapAfter, double heapPerConnection,
                        long rssBefore, long rssAfter, double rssPerConnection,
                        long idleWindowMs, double idleCpuPercent, long heapAfterClose, String loadAverage) {
    }

    @Override
    public Integer call() throws Exception {
        MqttVersion version = switch (mqttVersion) {
            case "3.1.1", "3", "4" -> MqttVersion.V3_1_1;
            case "5" -> MqttVersion.V5;
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--mqtt-version: 3.1.1 or 5, not " + mqttVersion);
        };
        Result r = run(version);
        printResult(r);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), r);
        }
        return r.connected() == connections && r.lost() == 0 ? 0 : 1;
    }

    private Result run(MqttVersion version) throws Exception {
        BrokerProbe broker = new BrokerProbe(brokerPid, !notJvm);
        out.printf("broker pid %d; measuring its memory before connecting...%n", brokerPid);
        String loadBefore = loadAverage();
        long heapBefore = broker.heapUsedAfterGc();
        long rssBefore = broker.rssBytes();
        histogram(broker, "before");

        List<InetSocketAddress> locals = new ArrayList<>();
        for (int i = 0; i < sources; i++) {
            locals.add(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}), 0));
        }
        InetSocketAddress remote = new InetSocketAddress(host, port);
        Tally tally = new Tally(maxInFlight);
        SplittableRandom random = new SplittableRandom(seed);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        List<ChannelFuture> channels = new ArrayList<>(connections);
        try {
            Bootstrap b = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
            long start = System.nanoTime();
            long intervalNanos = 1_000_000_000L / Math.max(1, rate);
            long lastReport = start;
            for (int i = 0; i < connections; i++) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                tally.startAttempt();
                IdleClient client = new IdleClient(version, "idle-" + seed + "-" + i, keepAliveSeconds,
                        keepAliveSeconds <= 0 ? 0 : random.nextLong(keepAliveSeconds * 1000L), tally);
                Bootstrap cb = b.clone().handler(client);
                ChannelFuture f = locals.isEmpty() ? cb.connect(remote) : cb.connect(remote, locals.get(i % sources));
                f.addListener(done -> {
                    if (!done.isSuccess()) {
                        tally.failed("connect: " + done.cause());
                    }
                });
                channels.add(f);
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    lastReport = System.nanoTime();
                    out.printf("  %,d attempted, %,d connected, %,d refused, %,d failed%n", i + 1,
                            tally.connectedCount(), tally.refusedCount(), tally.failedCount());
                }
            }
            long deadline = System.nanoTime() + connectTimeout.toNanos();
            while (tally.settled() < connections && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            long connectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            out.printf("%,d connected, %,d refused, %,d failed in %,d ms%n", tally.connectedCount(),
                    tally.refusedCount(), tally.failedCount(), connectMs);

            LockSupport.parkNanos(settle.toNanos());
            String loadAfter = loadAverage();
            long heapAfter = broker.heapUsedAfterGc();
            long rssAfter = broker.rssBytes();
            histogram(broker, "after");

            // Idle CPU: measured after the GCs above, over a window of keep-alive traffic only.
            long cpu0 = broker.cpuNanos();
            long t0 = System.nanoTime();
            LockSupport.parkNanos(idle.toNanos());
            long cpu1 = broker.cpuNanos();
            long windowNanos = System.nanoTime() - t0;
            double idleCpu = cpu0 < 0 || cpu1 < 0 ? -1 : 100.0 * (cpu1 - cpu0) / windowNanos;
            int connected = tally.connectedCount();
            int lost = tally.lostCount();

            out.println("closing the connections...");
            for (ChannelFuture f : channels) {
                if (f.channel().isRegistered()) {
                    f.channel().close();
                }
            }
            for (ChannelFuture f : channels) {
                if (f.channel().isRegistered()) {
                    f.channel().closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
                }
            }
            // Give the broker time to run its close paths before looking for what they left behind.
            LockSupport.parkNanos(settle.toNanos());
            long heapAfterClose = broker.heapUsedAfterGc();

            int n = Math.max(1, connected);
            return new Result(label, brokerPid, connections, connected, tally.refusedCount(), tally.failedCount(),
                    lost, tally.firstFailure(), tally.refusalCodes(), sources, keepAliveSeconds, mqttVersion,
                    connectMs, connected * 1000.0 / Math.max(1, connectMs),
                    heapBefore, heapAfter, heapBefore < 0 ? -1 : (double) (heapAfter - heapBefore) / n,
                    rssBefore, rssAfter, rssBefore < 0 ? -1 : (double) (rssAfter - rssBefore) / n,
                    TimeUnit.NANOSECONDS.toMillis(windowNanos), idleCpu, heapAfterClose,
                    loadBefore + " / " + loadAfter);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
        }
    }

    private void histogram(BrokerProbe broker, String name) throws IOException, InterruptedException {
        if (histograms == null || !broker.isJvm()) {
            return;
        }
        Files.createDirectories(histograms);
        Files.writeString(histograms.resolve("histogram-" + label + "-" + mqttVersion + "-" + connections + "-" + name + ".txt"),
                broker.classHistogram());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private void printResult(Result r) {
        out.printf("%n%s: %,d of %,d connections (MQTT %s, keep-alive %d s, %d source addresses)%n", r.label(),
                r.connected(), r.requested(), r.mqttVersion(), r.keepAliveSeconds(), r.sources());
        if (r.refused() > 0 || r.failed() > 0 || r.lost() > 0) {
            out.printf("  refused %,d (%s), failed %,d (first: %s), lost after connecting %,d%n", r.refused(),
                    r.refusalCodes(), r.failed(), r.firstFailure(), r.lost());
        }
        out.printf("  time to connect     %,d ms (%,.0f connections/s)%n", r.connectMs(), r.connectsPerSecond());
        if (r.heapBefore() >= 0) {
            out.printf("  heap after full GC  %,.1f MiB -> %,.1f MiB: %,.0f B per connection (%.2f KiB)%n",
                    r.heapBefore() / 1048576.0, r.heapAfter() / 1048576.0, r.heapPerConnection(),
                    r.heapPerConnection() / 1024);
            out.printf("  heap after closing  %,.1f MiB%n", r.heapAfterClose() / 1048576.0);
        }
        out.printf("  RSS                 %,.1f MiB -> %,.1f MiB: %,.0f B per connection (%.2f KiB)%n",
                r.rssBefore() / 1048576.0, r.rssAfter() / 1048576.0, r.rssPerConnection(),
                r.rssPerConnection() / 1024);
        out.printf("  idle CPU            %.1f%% of one core over %,d ms%n", r.idleCpuPercent(), r.idleWindowMs());
        out.printf("  load average        %s%n", r.loadAverage());
    }
}
