package io.ratatoskr.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.ratatoskr.core.durable.DeadLetters;
import io.ratatoskr.core.error.RatatoskrException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-level meters no single module owns: disk use of the data directory by area and the
 * free space of its file system, the Netty allocators' memory (the MQTT listener's, and the
 * relocated one inside grpc-netty-shaded), and the depth of every dead-letter topic.
 *
 * <p>Disk use is a walk of the area directories, done at most once per {@link #DISK_CACHE_MS} (a
 * scrape between two walks reads the cached sizes), so scraping stays cheap with many segment files.
 * Dead-letter depths are refreshed by {@link #refresh()} before each scrape: dead-letter topics come
 * and go with their source topics, which the admin creates, so the {@code topic} label stays bounded.
 *
 * <p>Thread-safety: thread-safe; {@link #refresh()} and the disk cache are guarded by this object.
 */
final class NodeMetrics {
    private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);
    static final long DISK_CACHE_MS = 10_000;
    /** The data directory's areas: the {@code area} label of the disk gauge. */
    static final List<String> AREAS = List.of("topics", "groups", "retained", "sessions");

    private final Path dataDir;
    private final Clock clock;
    private final DeadLetters deadLetters;
    private final MultiGauge dlqDepth;
    private Map<String, Long> diskUsed = Map.of(); // guarded by this
    private long diskMeasuredAtMs; // guarded by this; valid once diskUsed is not empty

    NodeMetrics(MeterRegistry registry, Path dataDir, Clock clock, DeadLetters deadLetters) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.deadLetters = deadLetters;
        for (String area : AREAS) {
            Gauge.builder("ratatoskr.disk.used", this, m -> m.diskUsed(area)).baseUnit("bytes").tag("area", area)
                    .description("Bytes of files under the data directory's area (measured at most every 10 s)")
                    .register(registry);
        }
        Gauge.builder("ratatoskr.disk.free", this, NodeMetrics::diskFree).baseUnit("bytes")
                .description("Bytes the data directory's file system has free for this process").register(registry);
        allocator(registry, "mqtt", nettyMetric(ByteBufAllocator.DEFAULT));
        allocator(registry, "grpc", grpcNettyMetric());
        dlqDepth = MultiGauge.builder("ratatoskr.dlq.depth").baseUnit("messages")
                .description("Messages in a dead-letter topic not yet replayed").register(registry);
        refresh();
    }

    /** Re-reads what is tagged by something that can appear or go (dead-letter topics). */
    synchronized void refresh() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        try {
            for (DeadLetters.DeadLetterTopic t : deadLetters.list()) {
                rows.add(MultiGauge.Row.of(Tags.of("topic", t.name()), t.depth()));
            }
        } catch (RatatoskrException e) {
            return; // a topic was deleted while listing: keep the last rows until the next scrape
        }
        dlqDepth.register(rows, true);
    }

    private static void allocator(MeterRegistry registry, String name, ByteBufAllocatorMetricView metric) {
        if (metric == null) {
            return;
        }
        Gauge.builder("ratatoskr.netty.memory.used", metric, ByteBufAllocatorMetricView::direct).baseUnit("bytes")
                .strongReference(true)
                .tags("allocator", name, "memory", "direct")
                .description("Memory the Netty buffer allocator holds, by allocator and kind").register(registry);
        Gauge.builder("ratatoskr.netty.memory.used", metric, ByteBufAllocatorMetricView::heap).baseUnit("bytes")
                .strongReference(true)
                .tags("allocator", name, "memory", "heap")
                .description("Memory the Netty buffer allocator holds, by allocator and kind").register(registry);
    }

    /** Used direct and heap memory of one allocator, whichever Netty (ours or gRPC's relocated one). */
    private record ByteBufAllocatorMetricView(ToLongFunction<Boolean> used) {
        double direct() {
            return used.applyAsLong(true);
        }

        double heap() {
            return used.applyAsLong(false);
        }
    }

    private static ByteBufAllocatorMetricView nettyMetric(ByteBufAllocator allocator) {
        if (!(allocator instanceof ByteBufAllocatorMetricProvider p)) {
            return null;
        }
        ByteBufAllocatorMetric m = p.metric();
        return new ByteBufAllocatorMetricView(direct -> direct ? m.usedDirectMemory() : m.usedHeapMemory());
    }

    /**
     * The allocator grpc-netty-shaded's transport uses: its own pooled allocator, made by the
     * package-private {@code io.grpc.netty.Utils.getByteBufAllocator(false)} (a cached singleton),
     * reached by reflection as gRPC offers no API for it; its {@code PooledByteBufAllocator.DEFAULT}
     * (which gRPC does not use unless told to) if that ever fails.
     */
    private static ByteBufAllocatorMetricView grpcNettyMetric() {
        Object allocator;
        try {
            Method m = Class.forName("io.grpc.netty.shaded.io.grpc.netty.Utils")
                    .getMethod("getByteBufAllocator", boolean.class);
            m.setAccessible(true);
            allocator = m.invoke(null, false);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("gRPC's Netty allocator is out of reach ({}); reporting its default pooled allocator",
                    e.toString());
            allocator = io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator.DEFAULT;
        }
        if (!(allocator instanceof io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocatorMetricProvider p)) {
            return null;
        }
        io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocatorMetric m = p.metric();
        return new ByteBufAllocatorMetricView(direct -> direct ? m.usedDirectMemory() : m.usedHeapMemory());
    }

    private synchronized long diskUsed(String area) {
        long now = clock.millis();
        if (diskUsed.isEmpty() || now - diskMeasuredAtMs >= DISK_CACHE_MS || now < diskMeasuredAtMs) {
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (String a : AREAS) {
                sizes.put(a, sizeOf(dataDir.resolve(a)));
            }
            diskUsed = sizes;
            diskMeasuredAtMs = now;
        }
        return diskUsed.getOrDefault(area, 0L);
    }

    private double diskFree() {
        try {
            return Files.getFileStore(dataDir).getUsableSpace();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** Bytes of the regular files under {@code dir}; files deleted during the walk are skipped. */
    static long sizeOf(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // deleted by retention or compaction meanwhile
                }
            });
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            // visitFileFailed swallows per-file errors; this is the root itself: report what was counted
        }
        return total[0];
    }
}
