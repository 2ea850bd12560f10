package io.ratatoskr.server.cli;

import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options {@code sub} and {@code consume} share: output format, how many messages, how long to wait,
 * progress line; a picocli mixin.
 *
 * <p>Thread-safety: confined to the command's thread, except {@link #print}, which serializes on the writer.
 */
final class ReceiveOptions {
    @Option(names = {"-F", "--format"}, defaultValue = "raw", paramLabel = "raw|json|verbose",
            description = "raw: the payload; json: one JSON object a line (topic, payload, payloadEncoding utf-8 or "
                    + "base64, qos, retain, properties, key, messageId, durableTopic, partition, offset, attempt "
                    + "when present); verbose: topic, details, payload (default ${DEFAULT-VALUE}).")
    DeliveryFormat format;

    @Option(names = {"-C", "--count"}, defaultValue = "0", description = "Exit after this many messages "
            + "(default: never).")
    long count;

    @Option(names = {"-W", "--timeout"}, paramLabel = "DURATION", description = "Exit when no message came for "
            + "this long, e.g. 5s (exit code 3 if --count was not reached, else 0).")
    String timeout;

    @Option(names = "--progress", description = "Show a progress line on stderr even when it is not a terminal.")
    boolean progress;

    /** The stop condition these options describe. */
    Receiving receiving(CommandLine cli, Clock clock) {
        if (count < 0) {
            throw new CommandLine.ParameterException(cli, "--count must not be negative");
        }
        long idleMs;
        try {
            idleMs = timeout == null ? 0 : Quantities.durationMs(timeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--timeout: " + e.getMessage());
        }
        return new Receiving(count, idleMs, clock);
    }

    /** Prints one message as the format says. */
    void print(PrintWriter out, Delivery d) {
        String line = format.format(d);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
