package io.ratatoskr.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a main class in a child JVM with the same {@code java} executable and class path as the
 * running test, for crash tests (kill -9) and other out-of-process checks.
 *
 * <p>Thread-safety: stateless; every method may be called from any thread.
 */
public final class ChildJvm {

    private ChildJvm() {}

    /**
     * Starts {@code mainClass} with {@code args}; stdout is a pipe the caller reads, stderr goes to
     * {@code stderrFile}.
     */
    public static Process start(Class<?> mainClass, List<String> args, Path stderrFile)
            throws IOException {
        return start(mainClass, args, stderrFile, Map.of());
    }

    /**
     * Starts {@code mainClass} with {@code args} and the test's environment plus {@code env}; stdout is
     * a pipe the caller reads, stderr goes to {@code stderrFile}.
     */
    public static Process start(Class<?> mainClass, List<String> args, Path stderrFile, Map<String, String> env)
            throws IOException {
        return start(mainClass, List.of("-Xmx256m"), args, stderrFile, env);
    }

    /**
     * As {@link #start(Class, List, Path, Map)} with {@code jvmOptions} (e.g. {@code -Xmx64m}) in place of
     * the default {@code -Xmx256m}.
     */
    public static Process start(Class<?> mainClass, List<String> jvmOptions, List<String> args, Path stderrFile,
                                Map<String, String> env) throws IOException {
        String java =
                ProcessHandle.current()
                        .info()
                        .command()
                        .orElseThrow(() -> new IllegalStateException("cannot tell which java runs this test"));
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(stderrFile.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }
}
