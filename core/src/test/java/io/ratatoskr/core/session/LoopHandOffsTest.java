package io.ratatoskr.core.session;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A loop's hand-offs to another loop made during one piece of work reach that loop as one task, in the
 * order made, after the work; hand-offs to its own loop and from unbound threads go at once.
 */
class LoopHandOffsTest {

    /** A loop that counts the tasks handed to it. */
    private static final class CountingLoop implements SessionLoop, AutoCloseable {
        final ThreadSessionLoop inner;
        final AtomicInteger executes = new AtomicInteger();

        CountingLoop(String name) {
            inner = new ThreadSessionLoop(name);
        }

        @Override
        public boolean inLoop() {
            return inner.inLoop();
        }

        @Override
        public void execute(Runnable task) {
            executes.incrementAndGet();
            inner.execute(task);
        }

        @Override
        public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
            return inner.schedule(task, delay, unit);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private static void onLoop(SessionLoop loop, Runnable work) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                work.run();
                done.complete(null);
            } catch (RuntimeException | AssertionError e) {
                done.completeExceptionally(e);
            }
        });
        done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void handOffsOfOneWorkToAnotherLoopArriveAsOneTaskInOrderAfterTheWork() throws Exception {
        try (CountingLoop a = new CountingLoop("hand-offs-a"); CountingLoop b = new CountingLoop("hand-offs-b")) {
            List<String> ran = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> allRan = new CompletableFuture<>();
            CompletableFuture<Void> ownRan = new CompletableFuture<>();
            onLoop(a, () -> LoopHandOffs.bind(a));
            int before = b.executes.get();
            onLoop(a, () -> {
                for (int i = 0; i < 5; i++) {
                    String name = "task " + i;
                    LoopHandOffs.execute(b, () -> ran.add(name));
                }
                LoopHandOffs.execute(b, () -> allRan.complete(null));
                assertThat(ran).as("nothing goes over before the work ends").isEmpty();
                LoopHandOffs.execute(a, () -> {
                    ran.add("own loop");
                    ownRan.complete(null);
                });
            });
            allRan.get(5, TimeUnit.SECONDS);
            ownRan.get(5, TimeUnit.SECONDS); // the own loop's task runs on that loop, in its own time
            assertThat(ran).containsSubsequence("task 0", "task 1", "task 2", "task 3", "task 4");
            assertThat(ran).contains("own loop");
            assertThat(b.executes.get() - before).as("one wake-up of the other loop").isEqualTo(1);
        }
    }

    @Test
    void anUnboundThreadHandsOverAtOnceAndBindingOffTheLoopIsRefused() throws Exception {
        try (CountingLoop b = new CountingLoop("hand-offs-b")) {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            LoopHandOffs.execute(b, () -> ran.complete(null));
            ran.get(5, TimeUnit.SECONDS);
            assertThat(b.executes.get()).isEqualTo(1);
            assertThatThrownBy(() -> LoopHandOffs.bind(b)).isInstanceOf(IllegalStateException.class);
        }
    }
}
