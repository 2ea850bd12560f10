package io.ratatoskr.bench.ab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ratatoskr.bench.mqtt.CompareReport;
import io.ratatoskr.bench.mqtt.LoadResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ratatoskr bench ab}: before/after in one command. Starts the base and the new broker side by side (each
 * from its own jar, on free loopback ports, a fresh data directory each, the same settings, GC logged), runs the
 * same generator command against each in turn — base first in odd repetitions, new first in even ones, every run
 * in a JVM of its own — and prints the medians, the ratio new/base and the load average, writing every run's
 * JSON and output, {@code ab.md} and {@code ab.json} under {@code --out}.
 *
 * <pre>
 * ratatoskr bench ab --base /tmp/base/ratatoskr.jar --new server/target/ratatoskr.jar --reps 3 -- \
 *     --qos 1 -p 4 -s 4 --payload 1024 --duration 5s --warmup 2s
 * ratatoskr bench ab --generator durable --base A.jar --new B.jar -- --mqtt-version 5 --qos 1 -p 16 -s 0 \
 *     --partitions 4 --durability async --payload 1024 --duration 5s
 * ratatoskr bench ab --generator grpc --base A.jar --new B.jar -- --scenario publish -p 4 -w 16 --durability fsync
 * </pre>
 *
 * <p>One invocation per instance, driven from one thread; not thread-safe.
 */
@Command(name = "ab", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Before/after in one run: the base and the new broker side by side, the same load against each"
                + " in turn (alternating which goes first), medians and new/base ratios.",
                "Arguments after -- go to the generator (MqttLoad; --generator grpc: GrpcLoad); the port, broker pid,"
                        + " GC log, labels and JSON file are added."})
public final class AbCommand implements Callable<Integer> {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    @Option(names = "--base", required = true, description = "The base broker's jar (or, for tests, a class path).")
    Path baseJar;

    @Option(names = "--new", required = true, description = "The new broker's jar (or a class path).")
    Path newJar;

    @Option(names = "--reps", description = "Repetitions; each runs both brokers once (default: ${DEFAULT-VALUE}).")
    int reps = 3;

    @Option(names = "--generator", description = "mqtt (MqttLoad), durable (MqttLoad with --admin-url: durable topics,"
            + " consumer groups) or grpc (GrpcLoad) (default: ${DEFAULT-VALUE}).")
    String generator = "mqtt";

    @Option(names = "--out", description = "Where the results go (default: bench/results/tmp/ab-<UTC time>).")
    Path out;

    @Option(names = "--broker-args", description = "Extra arguments of `server`, the same for both brokers, e.g."
            + " \"--max-inflight 256\" (default: none).")
    String brokerArgs = "";

    @Option(names = "--base-args", description = "Extra arguments of the base broker's `server`, after --broker-args:"
            + " with the same jar on both sides, an A/B of a setting, e.g. \"--io-threads 1\" (default: none).")
    String baseArgs = "";

    @Option(names = "--new-args", description = "Extra arguments of the new broker's `server`, after --broker-args"
            + " (default: none).")
    String newArgs = "";

    @Option(names = "--broker-java-opts", description = "JVM options of both brokers (default: none).")
    String brokerJavaOpts = "";

    @Option(names = "--gen-java-opts", description = "JVM options of the generator (default: ${DEFAULT-VALUE}).")
    String genJavaOpts = "-Xms1g -Xmx1g";

    @Option(names = "--bench-classpath", description = "Class path of the generator (default: this tool's).")
    String benchClasspath = System.getProperty("java.class.path");

    @Option(names = "--java", description = "The java binary of brokers and generators (default: this JVM's).")
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));

    @Option(names = "--prime", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Before the first repetition, one unrecorded run of the same load against each broker, so"
                    + " that neither meets the first measured run with cold code (default: ${DEFAULT-VALUE}).")
    boolean prime = true;

    @Option(names = "--start-timeout", description = "Seconds a broker may take to listen (default: ${DEFAULT-VALUE}).")
    int startTimeoutSeconds = 60;

    @Parameters(description = "Generator arguments (after --).")
    List<String> generatorArgs = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new AbCommand()).execute(args));
    }

    /** A broker started for the comparison. */
    record Broker(String label, Path jar, Process process, int mqttPort, int grpcPort, int httpPort, Path gcLog) {
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("mqtt", "durable", "grpc").contains(generator)) {
            System.err.println("ab: --generator must be mqtt, durable or grpc, not " + generator);
            return 2;
        }
        if (reps < 1) {
            System.err.println("ab: --reps must be at least 1");
            return 2;
        }
        Path dir = out != null ? out : Path.of("bench/results/tmp/ab-" + STAMP.format(Instant.now()));
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory("ratatoskr-ab");
        List<Broker> brokers = new ArrayList<>();
        try {
            brokers.add(start("base", baseJar, dir, work));
            brokers.add(start("new", newJar, dir, work));
            for (Broker b : brokers) {
                awaitListening(b);
            }
            Files.writeString(dir.resolve("environment.txt"), environment(brokers));
            System.err.print(Files.readString(dir.resolve("environment.txt")));
            int ticks = clockTicks();
            if (prime) {
                // Unrecorded: the results go to the scratch directory, which is removed at the end.
                for (Broker b : brokers) {
                    runGenerator(b, 0, 0, ticks, work);
                }
            }
            for (int rep = 1; rep <= reps; rep++) {
                List<String> order = AbSummary.order(rep, "base", "new");
                for (int i = 0; i < order.size(); i++) {
                    Broker b = order.get(i).equals("base") ? brokers.get(0) : brokers.get(1);
                    runGenerator(b, rep, i + 1, ticks, dir);
                    if (!b.process().isAlive()) {
                        System.err.println("ab: the " + b.label() + " broker died; see " + dir.resolve(b.label() + ".log"));
                        return 1;
                    }
                }
            }
        } finally {
            for (Broker b : brokers) {
                stop(b.process());
            }
            deleteTree(work);
        }
        List<LoadResult> results = CompareReport.read(dir);
        AbSummary summary;
        try {
            summary = AbSummary.of(results, new AbSummary.Side("base", baseJar.toString(), 0),
                    new AbSummary.Side("new", newJar.toString(), 0));
        } catch (IllegalArgumentException e) {
            System.err.println("ab: " + e.getMessage() + " (every run failed?); see " + dir);
            return 1;
        }
        String md = "A/B `" + String.join(" ", generatorArgs) + "` (" + generator + ", " + reps
                + " repetitions, alternating; load average at the end " + loadAverage() + ")\n\n" + summary.markdown();
        Files.writeString(dir.resolve("ab.md"), md);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("ab.json").toFile(),
                summary);
        System.out.print(md);
        System.err.println("results in " + dir);
        return 0;
    }

    private Broker start(String label, Path jar, Path dir, Path work) throws IOException {
        int mqtt = freePort();
        int grpc = generator.equals("grpc") ? freePort() : -1;
        int http = generator.equals("durable") ? freePort() : -1;
        Path gcLog = dir.resolve(label + "-gc.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(words(brokerJavaOpts));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xlog:gc*:file=" + gcLog + ":uptime,level,tags:filecount=0");
        cmd.addAll(launch(jar));
        cmd.addAll(List.of("server", "--data-dir", work.resolve(label + "-data").toString(),
                "--mqtt-port", Integer.toString(mqtt), "--grpc-port", Integer.toString(grpc),
                "--http-port", Integer.toString(http)));
        cmd.addAll(words(brokerArgs));
        cmd.addAll(words(label.equals("base") ? baseArgs : newArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(label + ".log").toFile()).start();
        Files.writeString(dir.resolve(label + ".command"), String.join(" ", cmd) + "\n");
        return new Broker(label, jar, p, mqtt, grpc, http, gcLog);
    }

    /** {@code -jar JAR} for a jar file, else the class path and the server's main class. */
    static List<String> launch(Path jar) {
        return Files.isRegularFile(jar) && jar.toString().endsWith(".jar") ? List.of("-jar", jar.toString())
                : List.of("-cp", jar.toString(), "io.ratatoskr.server.Main");
    }

    private void awaitListening(Broker b) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(startTimeoutSeconds);
        int port = generator.equals("grpc") ? b.grpcPort() : generator.equals("durable") ? b.httpPort() : b.mqttPort();
        while (!listening(b.mqttPort()) || !listening(port)) {
            if (!b.process().isAlive()) {
                throw new IllegalStateException("the " + b.label() + " broker exited during start-up; see its log");
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("the " + b.label() + " broker did not listen within "
                        + startTimeoutSeconds + " s");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void runGenerator(Broker b, int rep, int position, int ticks, Path dir)
            throws IOException, InterruptedException {
        String name = b.label() + "-" + rep;
        String load = loadAverage();
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(words(genJavaOpts));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", benchClasspath));
        if (generator.equals("grpc")) {
            cmd.addAll(List.of("io.ratatoskr.bench.grpc.GrpcLoad", "--port", Integer.toString(b.grpcPort())));
        } else {
            cmd.addAll(List.of("io.ratatoskr.bench.mqtt.MqttLoad", "--port", Integer.toString(b.mqttPort())));
            if (generator.equals("durable")) {
                cmd.addAll(List.of("--admin-url", "http://127.0.0.1:" + b.httpPort()));
            }
        }
        cmd.addAll(List.of("--broker-pid", Long.toString(b.process().pid()), "--broker-gc-log", b.gcLog().toString(),
                "--clock-ticks", Integer.toString(ticks), "--label", "broker=" + b.label(), "--label", "scenario=ab",
                "--label", "rep=" + rep, "--label", "position=" + position, "--label", "load1=" + load,
                "--label", "file=" + name, "--json", dir.resolve(name + ".json").toString()));
        cmd.addAll(generatorArgs);
        System.err.printf(Locale.ROOT, "[%s] %s: %s (load %s)%n",
                DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC).format(Instant.now()).substring(0, 8),
                rep == 0 ? "priming, not recorded" : "rep " + rep, b.label(), load);
        int rc = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".txt").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start().waitFor();
        if (rc != 0) {
            System.err.println("  run failed (exit " + rc + "); see " + dir.resolve(name + ".err"));
        }
        try (Stream<String> lines = Files.lines(dir.resolve(name + ".txt"))) {
            lines.filter(l -> l.startsWith("delivered") || l.startsWith("acknowledged") || l.startsWith("end to end")
                    || l.startsWith("publish to")).forEach(l -> System.err.println("  " + l));
        }
    }

    private String environment(List<Broker> brokers) {
        StringBuilder b = new StringBuilder();
        b.append("date: ").append(Instant.now()).append('\n');
        b.append("cpus: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
        b.append("java: ").append(java).append(" (").append(System.getProperty("java.version")).append(")\n");
        b.append("load average at start: ").append(loadAverage()).append('\n');
        for (Broker k : brokers) {
            b.append(k.label()).append(": ").append(k.jar().toAbsolutePath()).append(describe(k.jar()))
                    .append(", pid ").append(k.process().pid()).append(", MQTT port ").append(k.mqttPort())
                    .append(k.grpcPort() > 0 ? ", gRPC port " + k.grpcPort() : "")
                    .append(k.httpPort() > 0 ? ", HTTP port " + k.httpPort() : "").append('\n');
        }
        b.append("broker arguments (both): ").append(brokerArgs.isBlank() ? "none" : brokerArgs).append('\n');
        if (!baseArgs.isBlank() || !newArgs.isBlank()) {
            b.append("broker arguments of base only: ").append(baseArgs.isBlank() ? "none" : baseArgs)
                    .append("; of new only: ").append(newArgs.isBlank() ? "none" : newArgs).append('\n');
        }
        b.append("broker JVM options (both): ").append(brokerJavaOpts.isBlank() ? "none" : brokerJavaOpts).append('\n');
        b.append("generator: ").append(generator).append(", JVM options ").append(genJavaOpts).append(", arguments ")
                .append(String.join(" ", generatorArgs)).append('\n');
        b.append("repetitions: ").append(reps).append(" (base first in odd ones, new first in even ones)")
                .append(prime ? ", after one unrecorded run against each broker\n" : "\n");
        return b.toString();
    }

    private static String describe(Path jar) {
        try {
            return Files.isRegularFile(jar) ? " (" + Files.size(jar) + " bytes, modified "
                    + Files.getLastModifiedTime(jar) + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The 1-minute load average from {@code /proc/loadavg}, or "?" off Linux. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static int clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 ? Integer.parseInt(s) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("ab: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
