package io.ratatoskr.grpc;

import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
import io.ratatoskr.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A broker per test with one durable topic, {@code orders} (one partition), for the Consume tests. */
abstract class ConsumeTestBase {
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    GrpcTestBroker b;

    @BeforeEach
    void openBroker() {
        b = GrpcTestBroker.start(dir);
        b.topics().create("orders", TopicConfig.DEFAULTS);
    }

    /**
     * Replaces the broker by one whose consumer groups run on a manual clock (in a directory of its own,
     * again with {@code orders}), and returns that clock: a test that times a delivery out moves it once
     * its answers are in, so no answer can arrive after the deadline on a slow machine. The clock stands
     * an hour ahead of the system clock that the gRPC layer keeps, so that layer never finds a
     * delivery's deadline passed (it would hand the delivery back).
     */
    ManualClock reopenWithGroupClock() {
        ManualClock clock = new ManualClock(System.currentTimeMillis() + Duration.ofHours(1).toMillis());
        b.close();
        b = GrpcTestBroker.startWithGroupClock(dir.resolve("group-clock"), clock);
        b.topics().create("orders", TopicConfig.DEFAULTS);
        return clock;
    }

    /** Deliveries the group counts as acknowledged. */
    double groupAcked() {
        var acked = b.registry().find("ratatoskr.group.messages.acked").counter();
        return acked == null ? 0 : acked.count();
    }

    @AfterEach
    void closeBroker() {
        b.close();
    }
}
