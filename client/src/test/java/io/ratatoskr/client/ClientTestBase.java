package io.ratatoskr.client;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh in-process broker ({@link TestBroker}) and a client to it for each test, closed after it.
 *
 * <p>Thread-safety: one test drives it.
 */
abstract class ClientTestBase {
    /** The longest a test waits for something to arrive. */
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    TestBroker broker;
    RatatoskrClient client;

    @BeforeEach
    void startBrokerAndClient() throws InterruptedException {
        broker = TestBroker.start(dir);
        client = broker.client();
    }

    @AfterEach
    void stopBrokerAndClient() {
        client.close();
        broker.close();
    }
}
