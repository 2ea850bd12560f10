package io.ratatoskr.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.testkit.ChildJvm;
import io.ratatoskr.testkit.SeededRandomExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A child JVM appends and prints every acknowledged offset; the test kills it with SIGKILL at a
 * random moment, reopens the log and checks that every acknowledged record is there, intact and in
 * order.
 */
@ExtendWith(SeededRandomExtension.class)
class KillNineTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @CsvSource({"FSYNC, 1", "GROUP, 8", "ASYNC, 4"})
    void everyAcknowledgedRecordSurvivesKillNine(DurabilityMode mode, int threads, RandomGenerator random)
            throws Exception {
        Path dir = tmp.resolve("log");
        Map<Long, String> acked = new ConcurrentHashMap<>();
        AtomicInteger ackCount = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(1);
        Process child =
                ChildJvm.start(AppendingChild.class, List.of(dir.toString(), mode.name(), String.valueOf(threads)), tmp.resolve("child.err"));
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("READY")) {
                        ready.countDown();
                    } else if (line.startsWith("ACK ")) {
                        String[] parts = line.split(" ", 3);
                        if (parts.length == 3) {
                            acked.put(Long.parseLong(parts[1]), parts[2]);
                            ackCount.incrementAndGet();
                        }
                    }
                }
            } catch (java.io.IOException e) {
                // the pipe closes when the child dies
            }
        });
        try {
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("child started; see child.err").isTrue();
            int killAfter = 50 + random.nextInt(2000);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ackCount.get() >= killAfter);
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
        }
        assertThat(child.exitValue()).isEqualTo(137);
        assertThat(acked).isNotEmpty();

        try (Log log = Log.open(dir, LogConfig.builder().durability(mode).segmentBytesMax(256 * 1024).maxBatchBytes(64 * 1024).build())) {
            List<StoredRecord> all = TestLogs.readAll(log);
            Map<Long, String> stored = new HashMap<>();
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).offset()).as("offsets are dense").isEqualTo(i);
                stored.put(all.get(i).offset(), TestLogs.string(all.get(i).value()));
            }
            for (Map.Entry<Long, String> e : acked.entrySet()) {
                assertThat(stored.get(e.getKey())).as("acknowledged offset %d", e.getKey()).isEqualTo(e.getValue());
            }
            // Each thread's records are in the order it appended them, with no holes before its last ack.
            Map<String, Integer> nextPerThread = new HashMap<>();
            for (StoredRecord r : all) {
                String[] parts = TestLogs.string(r.value()).split("-");
                int expected = nextPerThread.getOrDefault(parts[0], 0);
                assertThat(Integer.parseInt(parts[1])).as("order of %s", parts[0]).isEqualTo(expected);
                nextPerThread.put(parts[0], expected + 1);
            }
        }
        assertThat(Files.exists(tmp.resolve("child.err"))).isTrue();
    }
}
