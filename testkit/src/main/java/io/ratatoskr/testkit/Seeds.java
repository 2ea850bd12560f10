package io.ratatoskr.testkit;

import java.util.SplittableRandom;

/**
 * Seeds for randomized tests: a fixed default per test, overridable with a system property so a
 * failing run can be replayed, and always printed. Stateless.
 *
 * <pre>./mvnw verify -Dtest.seed=1234   # replay every randomized test with seed 1234</pre>
 */
public final class Seeds {
    public static final String PROPERTY = "test.seed";

    private Seeds() {
    }

    /** The seed for {@code testName}: {@code -Dtest.seed} if set, else {@code defaultSeed}; printed. */
    public static long seed(String testName, long defaultSeed) {
        String override = System.getProperty(PROPERTY);
        long seed = override == null || override.isBlank() ? defaultSeed : Long.parseLong(override.trim());
        System.out.println("[seed] " + testName + " uses seed " + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }

    /** A generator for {@code testName} seeded as {@link #seed} says. */
    public static SplittableRandom random(String testName, long defaultSeed) {
        return new SplittableRandom(seed(testName, defaultSeed));
    }
}
