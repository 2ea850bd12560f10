package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.testkit.FaultyFileChannel;
import io.ratatoskr.testkit.FaultyFileChannel.Faults.WriteFault;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An I/O error or a full disk takes one partition out of service; the others keep working. */
class PartitionFailureTest extends DurableTopicsTestBase {
    final FaultyFileChannel.Faults healthy = new FaultyFileChannel.Faults();
    final FaultyFileChannel.Faults sick = new FaultyFileChannel.Faults();

    @BeforeEach
    void openOnFaultyFiles() {
        Path sickDir = dir.resolve("t").resolve("1");
        f.withChannels((path, options) -> new FaultyFileChannel(FileChannel.open(path, options),
                path.startsWith(sickDir) ? sick : healthy));
        f.topics.create("t", TopicConfig.builder().partitions(2).build());
    }

    @AfterEach
    void healTheDisk() {
        sick.heal();
    }

    /** A key whose messages go to {@code partition}. */
    private static String keyFor(int partition) {
        for (int i = 0; ; i++) {
            if (Math.floorMod(LocalTopic.fnv1a32(("k" + i).getBytes(StandardCharsets.UTF_8)), 2) == partition) {
                return "k" + i;
            }
        }
    }

    private CompletableFuture<PublishReceipt> append(int partition) {
        return f.topics.publish("t", f.message("t", "m"), new PublishOptions(keyFor(partition), null));
    }

    private void assertPartitionFailed(CompletableFuture<PublishReceipt> write, String why) {
        assertThat(write).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(RatatoskrException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PARTITION_FAILED);
                    assertThat(e.getMessage()).contains("partition t/1 cannot take writes").contains(why);
                });
    }

    private void failingDiskRefusesWritesOfThatPartitionOnly(Consumer<FaultyFileChannel.Faults> fault, String why) {
        fault.accept(sick);

        assertPartitionFailed(append(1), why);
        assertThat(append(0).join().partition()).as("the other partition still takes writes").isZero();
        assertPartitionFailed(append(1), why);
        assertThat(f.topics.failedPartitions()).extracting(PartitionSnapshot::partition).containsExactly(1);
        assertThat(f.topics.describe("t").healthy()).isFalse();
        assertThat(f.counter("ratatoskr.durable.messages.refused", "reason", "partition_failed")).isEqualTo(2);

        sick.heal();
        assertThat(f.topics.recoverFailedPartitions()).isZero();
        assertThat(append(1).join().partition()).as("back in service").isEqualTo(1);
        assertThat(f.topics.failedPartitions()).isEmpty();
    }

    @Test
    void aFailedPartitionIsBackInServiceByItselfOnceTheDiskIsFixed() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            f.close();
            f = new TopicsFixture(dir, DurableTopicsConfig.DEFAULTS.withFailedPartitionRetryMs(20));
            Path sickDir = dir.resolve("t").resolve("1");
            f.withChannels((path, options) -> new FaultyFileChannel(FileChannel.open(path, options),
                    path.startsWith(sickDir) ? sick : healthy)).withScheduler(scheduler);
            sick.failForce(true);
            assertPartitionFailed(append(1), "fsync failed");

            sick.heal();

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.failedPartitions().isEmpty());
            assertThat(append(1).join().partition()).as("back in service, nobody called recover").isEqualTo(1);
        } finally {
            f.close();
            scheduler.shutdownNow();
        }
    }

    @Test
    void aFailedFsyncRefusesWritesOfThatPartitionOnlyUntilRecovered() {
        failingDiskRefusesWritesOfThatPartitionOnly(s -> s.failForce(true), "fsync failed");
    }

    @Test
    void aFullDiskRefusesWritesOfThatPartitionOnlyUntilRecovered() {
        failingDiskRefusesWritesOfThatPartitionOnly(s -> s.failWrites(WriteFault.DISK_FULL, 0), "the disk is full");
    }
}
