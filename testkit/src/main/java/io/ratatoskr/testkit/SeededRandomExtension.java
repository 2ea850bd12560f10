package io.ratatoskr.testkit;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Gives a test a seeded random generator, prints the seed, and names it again when the test fails so
 * that the failing run can be replayed.
 *
 * <p>The seed comes from the system property {@value #SEED_PROPERTY} when it is set (replay:
 * {@code ./mvnw -pl log test -Dtest=LogModelTest -Dtest.seed=1234}); otherwise from
 * {@link System#nanoTime()} mixed with the test's unique id. Parameters of type
 * {@link RandomGenerator} (or a {@code long} annotated {@link Seed}) are resolved; each test
 * invocation (each repetition of a {@code @RepeatedTest}) gets its own seed.
 *
 * <p>Thread-safety: JUnit calls an extension from the thread running the test; the generator it
 * hands out is not thread-safe (use {@link SplittableRandom#split()} for other threads).
 */
public final class SeededRandomExtension implements ParameterResolver, TestExecutionExceptionHandler {

    /** The system property that fixes the seed of every seeded test in the run ({@link Seeds#PROPERTY}). */
    public static final String SEED_PROPERTY = Seeds.PROPERTY;

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SeededRandomExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == RandomGenerator.class
                || type == SplittableRandom.class
                || ((type == long.class || type == Long.class) && parameter.isAnnotated(Seed.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        long seed = seedFor(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == long.class || type == Long.class) {
            return seed;
        }
        return new SplittableRandom(seed);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        Long seed = context.getStore(NAMESPACE).get("seed", Long.class);
        if (seed != null) {
            throwable.addSuppressed(
                    new AssertionError(
                            "seeded test failed; replay with -D" + SEED_PROPERTY + "=" + seed));
            System.out.println("FAILED " + context.getDisplayName() + " with seed " + seed);
        }
        throw throwable;
    }

    private static long seedFor(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Long existing = store.get("seed", Long.class);
        if (existing != null) {
            return existing;
        }
        String fixed = System.getProperty(SEED_PROPERTY);
        long seed =
                fixed != null && !fixed.isBlank()
                        ? Long.parseLong(fixed.trim())
                        : mix(System.nanoTime() ^ context.getUniqueId().hashCode());
        store.put("seed", seed);
        System.out.println(
                "seed " + seed + " for " + context.getRequiredTestMethod().getName() + " "
                        + context.getDisplayName() + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
