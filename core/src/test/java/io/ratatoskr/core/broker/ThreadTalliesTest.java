package io.ratatoskr.core.broker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-thread counters: every thread's bumps are counted, also after the thread has ended. */
class ThreadTalliesTest {

    @Test
    void sumsEveryThreadIncludingThreadsThatEnded() throws Exception {
        ThreadTallies tallies = new ThreadTallies(2);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                ThreadTallies.Cell c = tallies.cell();
                for (int i = 0; i < 10_000; i++) {
                    c.add(0, 1);
                    c.add(1, 3);
                }
            }));
        }
        tallies.cell().add(0, 5);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(tallies.sum(0)).isEqualTo(80_005);
        assertThat(tallies.sum(1)).as("ended threads' cells folded in once, not lost").isEqualTo(240_000);
        assertThat(tallies.sum(0)).as("and not counted twice on the next read").isEqualTo(80_005);
    }
}
