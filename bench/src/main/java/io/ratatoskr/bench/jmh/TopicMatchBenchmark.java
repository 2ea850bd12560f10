package io.ratatoskr.bench.jmh;

import io.ratatoskr.core.topic.SharedGroup;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.core.topic.SubscriptionTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link SubscriptionTable} with {@code subscriptions} (100,000) subscriptions over a fleet-telemetry topic
 * tree {@code fleet/<region>/<vehicle>/<sensor>}: 10 regions, {@code subscriptions / 10} vehicles (10,000),
 * 8 sensors, so 80,000 topic names. The subscriptions, each of its own subscriber:
 * <ul>
 *   <li>75% exact, {@code fleet/<r>/<v>/<s>} (a device's own data);</li>
 *   <li>15% {@code fleet/<r>/<v>/+} (all sensors of one vehicle);</li>
 *   <li>5% {@code fleet/+/<v>/<s>} (one sensor of a vehicle in any region);</li>
 *   <li>5% {@code fleet/<r>/<v>/#}, plus 10 dashboards on {@code fleet/<r>/#} and 2 on {@code #}.</li>
 * </ul>
 * {@code match} matches one topic name (a random existing one, cycling through 4,096 pre-built names) and
 * visits every matching subscription (the setup prints how many match on average). {@code subscribeUnsubscribe} adds a new
 * subscriber's subscription on a random existing filter and removes it again (one op = both), so the table
 * keeps its size. Run with {@code -prof gc} for the bytes allocated per operation.
 *
 * <p>Thread-safety: the table is shared (Scope.Benchmark) and thread-safe; the cursors are per thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TopicMatchBenchmark {
    static final String[] SENSORS = {"temperature", "pressure", "speed", "rpm", "fuel", "battery", "gps", "door"};
    static final int REGIONS = 10;
    private static final int TOPICS = 4096;
    private static final SubscriptionOptions QOS1 = SubscriptionOptions.ofQos(1);

    @Param({"100000"})
    public int subscriptions;

    SubscriptionTable<Integer> table;
    private String[] topics;
    private String[] filters;
    private Integer[] keys;
    private Integer[] extraKeys;

    /** Per-thread position in the pre-built topics and a visitor that counts matches. */
    @State(Scope.Thread)
    public static class Cursor implements SubscriptionTable.Visitor<Integer> {
        int next;
        int matches;
        int extraKey;

        @Override
        public void subscription(Integer key, String filter, SubscriptionOptions options) {
            matches++;
        }

        @Override
        public void sharedGroup(SharedGroup<Integer> group) {
            matches++;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(8);
        int vehicles = subscriptions / 10;
        table = new SubscriptionTable<>();
        filters = new String[subscriptions];
        keys = new Integer[subscriptions];
        for (int i = 0; i < subscriptions; i++) {
            int r = random.nextInt(REGIONS);
            String v = "v" + random.nextInt(vehicles);
            String s = SENSORS[random.nextInt(SENSORS.length)];
            int kind = random.nextInt(100);
            String filter;
            if (i < 10) {
                filter = "fleet/" + i + "/#";
            } else if (i < 12) {
                filter = "#";
            } else if (kind < 75) {
                filter = "fleet/" + r + "/" + v + "/" + s;
            } else if (kind < 90) {
                filter = "fleet/" + r + "/" + v + "/+";
            } else if (kind < 95) {
                filter = "fleet/+/" + v + "/" + s;
            } else {
                filter = "fleet/" + r + "/" + v + "/#";
            }
            filters[i] = filter;
            keys[i] = i;
            table.subscribe(keys[i], filter, QOS1);
        }
        topics = new String[TOPICS];
        Cursor counter = new Cursor();
        for (int i = 0; i < TOPICS; i++) {
            topics[i] = topic(random, vehicles);
            table.match(topics[i], counter);
        }
        extraKeys = new Integer[1024];
        for (int i = 0; i < extraKeys.length; i++) {
            extraKeys[i] = Integer.valueOf(-1000 - i);
        }
        System.out.printf("%,d subscriptions; %.2f matches per topic on average%n", table.size(),
                (double) counter.matches / TOPICS);
    }

    static String topic(SplittableRandom random, int vehicles) {
        return "fleet/" + random.nextInt(REGIONS) + "/v" + random.nextInt(vehicles) + "/"
                + SENSORS[random.nextInt(SENSORS.length)];
    }

    @Benchmark
    public int match(Cursor c) {
        String topic = topics[c.next++ & (TOPICS - 1)];
        c.matches = 0;
        table.match(topic, c);
        return c.matches;
    }

    @Benchmark
    public boolean subscribeUnsubscribe(Cursor c) {
        int i = c.next++ % subscriptions;
        Integer key = extraKeys[c.extraKey++ & (extraKeys.length - 1)];
        table.subscribe(key, filters[i], QOS1);
        return table.unsubscribe(key, filters[i]);
    }
}
