package io.ratatoskr.bench.log;

import ch.qos.logback.classic.Level;
import io.ratatoskr.bench.kafka.KafkaNode;
import io.ratatoskr.log.AppendResult;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.log.FileRegion;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.Record;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.LoggerFactory;

/**
 * The storage engine benchmark: disk limits (dd), append throughput over record size x batch size x
 * durability mode x appenders, read throughput, recovery time after kill -9, storage overhead, and
 * the same append workload against an in-process Apache Kafka node, all in one run. Prints Markdown
 * tables and writes them to {@code --report}.
 *
 * <p>Usage (see docs/benchmarks.md): {@code LogBench --dir DIR [--seconds 2] [--warmup 0.5]
 * [--runs 3] [--sizes 100,1024] [--batches 1,16,256] [--modes FSYNC,GROUP,ASYNC] [--appenders
 * 1,16,64] [--kafka-appenders 1,64] [--sections disk,append,kafka,read,recovery,overhead]
 * [--report FILE]}.
 *
 * <p>Thread-safety: a main program; one instance runs at a time.
 */
public final class LogBench {

    private final Map<String, String> options;
    private final Path dir;
    private final double seconds;
    private final double warmup;
    private final int runs;
    private final List<Integer> sizes;
    private final List<Integer> batches;
    private final List<DurabilityMode> modes;
    private final List<Integer> appenders;
    private final List<Integer> kafkaAppenders;
    private final List<String> sections;
    private final StringBuilder report = new StringBuilder();
    private double diskBytesPerSecond = Double.NaN;
    private double diskSyncsPerSecond = Double.NaN;
    private final Map<String, double[]> ours = new LinkedHashMap<>();
    private final Map<String, Double> kafka = new LinkedHashMap<>();
    private int runId;

    private LogBench(Map<String, String> options) {
        this.options = options;
        this.dir = Path.of(options.getOrDefault("dir", "bench-tmp"));
        this.seconds = Double.parseDouble(options.getOrDefault("seconds", "2"));
        this.warmup = Double.parseDouble(options.getOrDefault("warmup", "0.5"));
        this.runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        this.sizes = ints(options.getOrDefault("sizes", "100,1024"));
        this.batches = ints(options.getOrDefault("batches", "1,16,256"));
        this.modes = Arrays.stream(options.getOrDefault("modes", "FSYNC,GROUP,ASYNC").split(","))
                .map(DurabilityMode::valueOf).toList();
        this.appenders = ints(options.getOrDefault("appenders", "1,16,64"));
        this.kafkaAppenders = ints(options.getOrDefault("kafka-appenders", "1,64"));
        this.sections = List.of(options.getOrDefault("sections", "disk,append,kafka,read,recovery,overhead").split(","));
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        new LogBench(options).run();
    }

    private void run() throws Exception {
        Files.createDirectories(dir);
        line("## Storage engine (log)");
        line("");
        line("Run " + Instant.now() + " with: `LogBench " + options + "`");
        line("");
        machine();
        if (sections.contains("disk")) {
            disk();
        }
        if (sections.contains("append")) {
            appendMatrix();
        }
        if (sections.contains("kafka")) {
            kafkaMatrix();
        }
        if (sections.contains("append")) {
            appendTables();
        }
        if (sections.contains("read")) {
            reads();
        }
        if (sections.contains("recovery")) {
            recovery();
        }
        if (sections.contains("overhead")) {
            overhead();
        }
        line("Load average at the end of the run: " + loadAverage() + ".");
        line("");
        String out = options.get("report");
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
            System.err.println("report written to " + out);
        }
    }

    private void line(String s) {
        report.append(s).append('\n');
        System.out.println(s);
        System.out.flush();
    }

    private void machine() throws IOException {
        String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceAll(".*:\\s*", "")).orElse("?");
        line("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + model + "), "
                + Runtime.version() + ", data directory " + dir.toAbsolutePath() + "; load average at the start "
                + loadAverage() + " (1, 5, 15 min: anything above ~0.1 means other processes share the machine).");
        line("");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    // ---- physical limits ----

    private void disk() throws Exception {
        List<Double> bw = new ArrayList<>();
        List<Double> syncs = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            bw.add(DiskProbe.sequentialBytesPerSecond(dir, 1024));
            writtenSinceSettle += 1L << 30;
            settle();
            syncs.add(DiskProbe.syncWritesPerSecond(dir, 3000));
        }
        diskBytesPerSecond = Table.median(bw);
        diskSyncsPerSecond = Table.median(syncs);
        line("### Physical limits (same run)");
        line("");
        Table t = new Table("measure", "command", "runs", "median");
        t.row("sequential write, fdatasync at end", "`" + DiskProbe.command(dir, "bs=1M", "count=1024", "conv=fdatasync") + "`",
                fmtAll(bw, 1e6, " MB/s"), Table.num(diskBytesPerSecond / 1e6) + " MB/s");
        t.row("synchronous 4 KiB writes", "`" + DiskProbe.command(dir, "bs=4k", "count=3000", "oflag=dsync") + "`",
                fmtAll(syncs, 1, "/s"), Table.num(diskSyncsPerSecond) + " fsyncs/s");
        line(t.markdown());
    }

    private static String fmtAll(List<Double> values, double div, String unit) {
        return values.stream().map(v -> Table.num(v / div)).reduce((a, b) -> a + ", " + b).orElse("") + unit;
    }

    // ---- appends ----

    private static String key(Object... parts) {
        return Arrays.toString(parts);
    }

    private Path freshDir(String name) throws IOException {
        Path d = dir.resolve(name + "-" + (runId++));
        deleteTree(d);
        return d;
    }

    private static List<Record> records(int batch, int size, SplittableRandom random) {
        List<Record> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            byte[] value = new byte[size];
            random.nextBytes(value);
            out.add(Record.of(value));
        }
        return out;
    }

    private void appendMatrix() throws Exception {
        System.err.println("append matrix: " + modes + " x " + sizes + " x " + batches + " x " + appenders);
        for (int size : sizes) {
            for (DurabilityMode mode : modes) {
                for (int batch : batches) {
                    for (int threads : appenders) {
                        List<Double> rps = new ArrayList<>();
                        List<Double> stored = new ArrayList<>();
                        List<Double> perFsync = new ArrayList<>();
                        for (int r = 0; r < runs; r++) {
                            double[] m = appendOnce(mode, size, batch, threads);
                            rps.add(m[0]);
                            stored.add(m[1]);
                            perFsync.add(m[2]);
                        }
                        double[] med = {Table.median(rps), Table.median(stored), Table.median(perFsync)};
                        ours.put(key(mode, size, batch, threads), med);
                        System.err.printf("  %s %dB batch %d x%d: %s rec/s%n", mode, size, batch, threads, Table.num(med[0]));
                    }
                }
            }
        }
    }

    /** Returns records/s, stored bytes/s and records per fsync for one run. */
    private double[] appendOnce(DurabilityMode mode, int size, int batch, int threads) throws Exception {
        Path d = freshDir("append");
        LogConfig config = LogConfig.builder().durability(mode).maxBatchBytes(4 << 20).build();
        try (Log log = Log.open(d, config)) {
            List<List<Record>> perThread = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(42);
            for (int t = 0; t < threads; t++) {
                perThread.add(records(batch, size, random));
            }
            long fsyncs0 = log.stats().fsyncs();
            long records0 = log.stats().appendedRecords();
            ClosedLoop.Window w = ClosedLoop.run(threads, batch, warmup, seconds, t -> {
                AppendResult r = log.append(perThread.get(t)).join();
                return r.sizeInBytes();
            });
            writtenSinceSettle += log.stats().sizeInBytes();
            long fsyncs = log.stats().fsyncs() - fsyncs0;
            long recs = log.stats().appendedRecords() - records0;
            return new double[] {w.recordsPerSecond(), w.storedBytes() / w.seconds(), fsyncs == 0 ? Double.NaN : (double) recs / fsyncs};
        } finally {
            deleteTree(d);
            settle();
        }
    }

    private long writtenSinceSettle;

    /**
     * Lets the disk (and a virtual machine host's write cache) drain after a run, so that the next
     * run does not pay for this one's flush: sync, then wait the time the written bytes take at the
     * measured sequential bandwidth (at most 5 s).
     */
    private void settle() throws IOException, InterruptedException {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        double bandwidth = Double.isNaN(diskBytesPerSecond) ? 300e6 : diskBytesPerSecond;
        long pauseMs = (long) Math.min(5000, writtenSinceSettle / bandwidth * 1000);
        writtenSinceSettle = 0;
        Thread.sleep(pauseMs);
    }

    private void kafkaMatrix() throws Exception {
        System.err.println("kafka matrix");
        Path kdir = freshDir("kafka");
        try (KafkaNode node = KafkaNode.start(kdir)) {
            for (int size : sizes) {
                for (boolean fsync : List.of(true, false)) {
                    for (int batch : batches) {
                        for (int threads : kafkaAppenders) {
                            List<Double> rps = new ArrayList<>();
                            for (int r = 0; r < runs; r++) {
                                rps.add(kafkaOnce(node, fsync, size, batch, threads));
                            }
                            kafka.put(key(fsync, size, batch, threads), Table.median(rps));
                            System.err.printf("  kafka fsync=%s %dB batch %d x%d: %s rec/s%n", fsync, size, batch, threads,
                                    Table.num(Table.median(rps)));
                        }
                    }
                }
            }
        } finally {
            deleteTree(kdir);
        }
    }

    private double kafkaOnce(KafkaNode node, boolean fsync, int size, int batch, int threads) throws Exception {
        String topic = "bench-" + (runId++);
        node.createTopic(topic, fsync);
        try (KafkaProducer<byte[], byte[]> producer = node.producer(batch * (size + 20) + 100)) {
            SplittableRandom random = new SplittableRandom(42);
            List<List<byte[]>> perThread = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<byte[]> values = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    byte[] v = new byte[size];
                    random.nextBytes(v);
                    values.add(v);
                }
                perThread.add(values);
            }
            ClosedLoop.Window w = ClosedLoop.run(threads, batch, warmup, seconds, t -> {
                Future<RecordMetadata> last = null;
                for (byte[] v : perThread.get(t)) {
                    last = producer.send(new ProducerRecord<>(topic, v));
                }
                last.get();
                return 0;
            });
            writtenSinceSettle += w.records() * (long) size;
            return w.recordsPerSecond();
        } finally {
            node.deleteTopic(topic);
            settle();
        }
    }

    private void appendTables() {
        line("### Append throughput (closed loop: each appender waits for its append)");
        line("");
        line("Medians of " + runs + " runs of " + seconds + " s after " + warmup + " s warm-up. "
                + "'disk' = stored MB/s / dd MB/s. 'per fsync' = records completed per fsync. "
                + "Kafka: same workload through an in-process KRaft node and a producer with acks=all; "
                + "FSYNC and GROUP compare with a topic with flush.messages=1, ASYNC with Kafka's default (no fsync).");
        line("");
        for (int size : sizes) {
            Table t = new Table("mode", "batch", "appenders", "records/s", "payload MB/s", "stored MB/s", "disk",
                    "per fsync", "Kafka records/s", "ratio");
            for (DurabilityMode mode : modes) {
                for (int batch : batches) {
                    for (int threads : appenders) {
                        double[] m = ours.get(key(mode, size, batch, threads));
                        if (m == null) {
                            continue;
                        }
                        Double k = kafka.get(key(mode != DurabilityMode.ASYNC, size, batch, threads));
                        t.row(mode, batch, threads, Table.num(m[0]), Table.num(m[0] * size / 1e6), Table.num(m[1] / 1e6),
                                Double.isNaN(diskBytesPerSecond) ? "-" : Table.pct(m[1] / diskBytesPerSecond),
                                Double.isNaN(m[2]) ? "-" : Table.num(m[2]),
                                k == null ? "-" : Table.num(k), k == null ? "-" : String.format("%.1fx", m[0] / k));
                    }
                }
            }
            line("#### " + size + "-byte records");
            line("");
            line(t.markdown());
        }
    }

    // ---- reads ----

    private void reads() throws Exception {
        line("### Read throughput (from the page cache, one reader)");
        line("");
        Table t = new Table("records", "size", "read() records/s", "read() MB/s", "readRegion+transferTo MB/s");
        for (int size : sizes) {
            int n = size <= 100 ? 1_000_000 : 200_000;
            Path d = freshDir("read");
            try (Log log = Log.open(d, LogConfig.builder().durability(DurabilityMode.ASYNC).build())) {
                fill(log, n, size, 256);
                List<Double> rps = new ArrayList<>();
                List<Double> zc = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    long count = 0;
                    long next = 0;
                    while (next < log.highWatermark()) {
                        ReadResult res = log.read(next, 1 << 20, 100_000);
                        count += res.records().size();
                        next = res.nextOffset();
                    }
                    rps.add(count / ((System.nanoTime() - t0) / 1e9));
                    t0 = System.nanoTime();
                    long bytes = 0;
                    try (FileChannel sink = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE)) {
                        next = 0;
                        while (next < log.highWatermark()) {
                            Optional<FileRegion> region = log.readRegion(next, 1 << 20);
                            bytes += region.orElseThrow().transferTo(sink);
                            next = region.get().nextOffset();
                        }
                    }
                    zc.add(bytes / ((System.nanoTime() - t0) / 1e9));
                }
                double m = Table.median(rps);
                t.row(n, size, Table.num(m), Table.num(m * size / 1e6), Table.num(Table.median(zc) / 1e6));
            } finally {
                deleteTree(d);
            }
        }
        line(t.markdown());
    }

    private static void fill(Log log, int n, int size, int batch) {
        List<Record> recs = records(batch, size, new SplittableRandom(7));
        List<CompletableFuture<AppendResult>> inflight = new ArrayList<>();
        for (int i = 0; i < n; i += batch) {
            inflight.add(log.append(recs));
            if (inflight.size() >= 64) {
                inflight.forEach(CompletableFuture::join);
                inflight.clear();
            }
        }
        inflight.forEach(CompletableFuture::join);
    }

    // ---- recovery ----

    private void recovery() throws Exception {
        line("### Recovery after kill -9 (1M records of 100 B in one unsealed segment, page cache warm)");
        line("");
        Table t = new Table("batch", "records", "log bytes", "unclean open (recovery) ms", "clean open ms");
        warmUpOpen();
        for (int batch : List.of(1, 16)) {
            List<Double> unclean = new ArrayList<>();
            List<Double> clean = new ArrayList<>();
            long bytes = 0;
            long records = 0;
            for (int r = 0; r < runs; r++) {
                Path d = freshDir("recovery");
                try {
                    runChildAndKill(d, 1_000_000, 100, batch);
                    long t0 = System.nanoTime();
                    Log log = Log.open(d, LogConfig.builder().segmentBytesMax(1 << 30).build());
                    unclean.add((System.nanoTime() - t0) / 1e6);
                    records = log.highWatermark();
                    bytes = log.stats().sizeInBytes();
                    log.close();
                    t0 = System.nanoTime();
                    log = Log.open(d, LogConfig.builder().segmentBytesMax(1 << 30).build());
                    clean.add((System.nanoTime() - t0) / 1e6);
                    log.close();
                } finally {
                    deleteTree(d);
                }
            }
            t.row(batch, records, bytes, fmtAll(unclean, 1, "") + " (median " + Table.num(Table.median(unclean)) + ")",
                    Table.num(Table.median(clean)));
        }
        line(t.markdown());
    }

    private void warmUpOpen() throws IOException {
        Path d = freshDir("warm");
        try {
            for (int i = 0; i < 5; i++) {
                try (Log log = Log.open(d, LogConfig.defaults())) {
                    fill(log, 10_000, 100, 16);
                }
            }
        } finally {
            deleteTree(d);
        }
    }

    private static void runChildAndKill(Path d, int records, int size, int batch) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), RecoveryChild.class.getName(),
                d.toString(), String.valueOf(records), String.valueOf(size), String.valueOf(batch))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = in.readLine()) != null && !l.startsWith("DONE")) {
                // wait
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    // ---- storage overhead ----

    private void overhead() throws Exception {
        line("### Storage overhead (bytes on disk beyond the payload, no key, no headers)");
        line("");
        Table t = new Table("size", "batch", "Ratatoskr overhead", "Kafka overhead");
        Path kdir = freshDir("kafka-overhead");
        try (KafkaNode node = sections.contains("kafka") ? KafkaNode.start(kdir) : null) {
            for (int size : sizes) {
                for (int batch : batches) {
                    int n = Math.max(batch, 20_000 / batch * batch);
                    Path d = freshDir("overhead");
                    long stored;
                    try (Log log = Log.open(d, LogConfig.builder().durability(DurabilityMode.ASYNC).build())) {
                        List<Record> recs = records(batch, size, new SplittableRandom(3));
                        for (int i = 0; i < n; i += batch) {
                            log.append(recs).join();
                        }
                        stored = log.stats().sizeInBytes();
                    } finally {
                        deleteTree(d);
                    }
                    String kafkaOverhead = "-";
                    if (node != null) {
                        String topic = "overhead-" + (runId++);
                        node.createTopic(topic, false);
                        try (KafkaProducer<byte[], byte[]> producer = node.producer(batch * (size + 20) + 100)) {
                            byte[] v = new byte[size];
                            for (int i = 0; i < n; i += batch) {
                                Future<RecordMetadata> last = null;
                                for (int j = 0; j < batch; j++) {
                                    last = producer.send(new ProducerRecord<>(topic, v));
                                }
                                last.get();
                            }
                        }
                        long kbytes = node.partitionLogBytes(topic);
                        kafkaOverhead = Table.pct((double) (kbytes - (long) n * size) / ((long) n * size));
                        node.deleteTopic(topic);
                    }
                    double payload = (double) n * size;
                    t.row(size, batch, Table.pct((stored - payload) / payload), kafkaOverhead);
                }
            }
        } finally {
            deleteTree(kdir);
        }
        line(t.markdown());
    }

    static void deleteTree(Path p) throws IOException {
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
