package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** What the durable-topic tests share: a {@link TopicsFixture} on a fresh directory per test, closed after it. */
abstract class DurableTopicsTestBase {
    @TempDir
    Path dir;
    TopicsFixture f;

    @BeforeEach
    void openTopics() {
        f = new TopicsFixture(dir);
    }

    @AfterEach
    void closeTopics() {
        f.close();
    }

    /** Asserts that {@code call} is refused with {@code code}. */
    static void assertRefused(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(RatatoskrException.class,
                e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
    }
}
