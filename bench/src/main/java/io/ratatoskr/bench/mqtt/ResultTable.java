package io.ratatoskr.bench.mqtt;

import java.util.Locale;

/** The human-readable summary of a {@link LoadResult}, as {@code MqttLoad} and {@code KafkaLoad} print it. */
public final class ResultTable {
    private ResultTable() {
    }

    public static String format(LoadResult r) {
        LoadResult.Settings s = r.settings();
        StringBuilder b = new StringBuilder();
        String fanOut = s.fanOutMin() == s.fanOutMax() ? Integer.toString(s.fanOutMin())
                : s.fanOutMin() + ".." + s.fanOutMax();
        line(b, "%s load on %s:%d: %d publisher(s) -> %d subscriber(s), topics %s (fan-out %s), QoS %d, %d B payload,"
                        + " %s, inflight %d, %.1f s measured after %.1f s warm-up",
                s.mqttVersion() == null ? "Kafka" : LoadResult.GRPC.equals(s.mqttVersion()) ? "gRPC"
                        : "MQTT " + s.mqttVersion(), s.host(), s.port(), s.publishers(), s.subscribers(), s.topics(), fanOut, s.qos(),
                s.payloadBytes(), s.ratePerSecond() == 0 ? "flat out" : String.format(Locale.ROOT, "%.0f msg/s", s.ratePerSecond()),
                s.window(), s.durationSeconds(), s.warmupSeconds());
        if (s.durable() != null) {
            LoadResult.Durable d = s.durable();
            line(b, "durable topic %s: %d partition(s), durability %s%s%s", d.topic(), d.partitions(), d.durability(),
                    d.group() == null ? "" : ", consumer group " + d.group(),
                    d.preload() == 0 ? "" : String.format(Locale.ROOT, ", drain of %d preloaded message(s)",
                            d.preload()));
        }
        if (r.preload() != null) {
            line(b, "preload: %d message(s) acknowledged in %.2f s (%.1f/s)", r.preload().messages(),
                    r.preload().seconds(), r.preload().perSecond());
        }
        line(b, "");
        line(b, "%-22s %14s %14s %14s", "", "total", "in window", "per second");
        rate(b, "published", r.published());
        if (r.acked() != null) {
            rate(b, "acknowledged", r.acked());
        }
        rate(b, "delivered", r.delivered());
        line(b, "");
        line(b, "%-22s %9s %9s %9s %9s %9s %9s %10s", "latency (ms)", "p50", "p90", "p99", "p99.9", "max", "mean",
                "samples");
        latency(b, "end to end", r.latency());
        if (r.ackLatency() != null) {
            latency(b, "publish to PUBACK", r.ackLatency());
        }
        line(b, "");
        line(b, "expected deliveries %d, lost %d (%.4f %%), duplicates %d, redelivered %d, unexpected %d%s",
                r.expectedDeliveries(), r.lost(), r.lostRatio() * 100, r.duplicates(), r.redelivered(), r.unexpected(),
                r.acked() == null ? "" : String.format(Locale.ROOT, ", refused PUBACKs %d, unacknowledged %d",
                        r.ackRefused(), r.unacknowledged()));
        LoadResult.Cpu cpu = r.cpu();
        if (cpu.brokerSeconds() != null) {
            line(b, "CPU in window: generator %.2f s, broker %.2f s (%s us per %s message), other processes %s s",
                    cpu.generatorSeconds(), cpu.brokerSeconds(), cpu.brokerPerMessageMicros() == null ? "-"
                            : String.format(Locale.ROOT, "%.2f", cpu.brokerPerMessageMicros()), r.countedName(),
                    cpu.othersSeconds() == null ? "-" : String.format(Locale.ROOT, "%.2f", cpu.othersSeconds()));
        } else {
            line(b, "CPU in window: generator %.2f s", cpu.generatorSeconds());
        }
        LoadResult.Resources res = r.resources();
        if (res != null) {
            line(b, "broker memory: RSS %s MiB at the end of the window, peak %s MiB; GC in window: %s pause(s), %s ms"
                    + " in all, longest %s ms, heap after GC %s MiB", num(res.rssMiB()), num(res.peakRssMiB()),
                    res.gcPauses() == null ? "-" : res.gcPauses(), num(res.gcPauseTotalMs()), num(res.gcPauseMaxMs()),
                    num(res.heapAfterGcMiB()));
        }
        for (String f : r.failures()) {
            line(b, "FAILED: %s", f);
        }
        return b.toString();
    }

    private static String num(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void rate(StringBuilder b, String name, LoadResult.Rate rate) {
        line(b, "%-22s %14d %14d %14.1f", name, rate.total(), rate.measured(), rate.perSecond());
    }

    private static void latency(StringBuilder b, String name, LoadResult.Latency l) {
        line(b, "%-22s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %10d", name, l.p50() / 1000, l.p90() / 1000,
                l.p99() / 1000, l.p999() / 1000, l.max() / 1000, l.mean() / 1000, l.count());
    }

    private static void line(StringBuilder b, String format, Object... args) {
        b.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
