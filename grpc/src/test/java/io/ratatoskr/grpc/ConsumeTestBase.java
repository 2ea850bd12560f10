package io.ratatoskr.grpc;

import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.testing.GrpcTestBroker;
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

    @AfterEach
    void closeBroker() {
        b.close();
    }
}
