package io.ratatoskr.server;

import io.ratatoskr.testkit.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ratatoskr server} in a child JVM — the real command line, MQTT and gRPC on free ports, no admin API —
 * for crash tests: {@link #kill} sends SIGKILL. Its log (stdout) is read continuously, so that the
 * child never blocks on a full pipe, and kept for failure messages.
 *
 * <p>Thread-safety: one test thread drives it; the log is collected by a thread of its own.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Pattern STARTED =
            Pattern.compile("Ratatoskr .* started: .*MQTT on [^ ]+:(\\d+), gRPC on [^ ]+:(\\d+)");

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final CompletableFuture<Integer> grpcPort = new CompletableFuture<>();
    private final Path stderr;

    private BrokerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread.ofPlatform().daemon().name("broker-output").start(this::readOutput);
    }

    /** Starts a broker on {@code dataDir} and waits until it listens. */
    static BrokerProcess start(Path dataDir, Path stderr, String... extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("server", "--data-dir", dataDir.toString(), "--mqtt-port", "0",
                "--grpc-port", "0", "--http-port", "-1", "--sys-interval", "0"));
        args.addAll(List.of(extraArgs));
        BrokerProcess broker = new BrokerProcess(ChildJvm.start(Main.class, args, stderr), stderr);
        try {
            broker.port.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            broker.kill();
            throw new IllegalStateException("the broker did not start; output:\n" + broker.output() + "\nstderr in "
                    + stderr, e);
        }
        return broker;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                    grpcPort.complete(Integer.parseInt(m.group(2)));
                }
            }
        } catch (IOException e) {
            // the pipe closes when the child dies
        }
        port.completeExceptionally(new IllegalStateException("the broker exited"));
        grpcPort.completeExceptionally(new IllegalStateException("the broker exited"));
    }

    String uri() {
        return "tcp://127.0.0.1:" + port.join();
    }

    int port() {
        return port.join();
    }

    int grpcPort() {
        return grpcPort.join();
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the broker survived SIGKILL");
        }
    }

    /** SIGTERM (a graceful stop through the shutdown hook), and waits for the process to end. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the broker did not stop within " + timeout + "; stderr in " + stderr);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
