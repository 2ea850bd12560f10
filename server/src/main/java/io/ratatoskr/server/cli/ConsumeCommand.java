package io.ratatoskr.server.cli;

import io.ratatoskr.client.Ack;
import io.ratatoskr.client.ConsumeOptions;
import io.ratatoskr.client.Consumer;
import io.ratatoskr.client.RatatoskrClient;
import io.ratatoskr.client.ReceivedMessage;
import io.ratatoskr.client.StartPosition;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ratatoskr consume}: joins a consumer group through the gRPC Consume stream, prints each message
 * and answers it: ack (default), nack, reject, or whatever {@code --exec COMMAND} says — the command gets
 * the payload on stdin and exits 0 to ack, 75 ({@code EX_TEMPFAIL}) to nack, anything else to reject.
 *
 * <p>Exit codes: as {@code sub}: 0 {@code --count} handled (or {@code --timeout} without a count); 1 the
 * broker was unreachable or refused the stream; 2 usage error; 3 {@code --timeout} before {@code --count}.
 *
 * <p>Thread-safety: the handler runs on the client's handler threads ({@code --concurrency} at once);
 * it touches only thread-safe state and the output writer, which it serializes on.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Consume a durable topic as a member of a consumer group (gRPC) and ack, nack or reject "
            + "each message.", "",
            "Examples:",
            "  ratatoskr consume -t jobs -g workers -F json",
            "  ratatoskr consume -t jobs -g workers --exec './handle-job.sh' --concurrency 4",
            "  ratatoskr consume -t jobs -g audit --start earliest -C 100 --timeout 10s",
            "",
            "--exec runs the command with sh -c for each message, the payload on its stdin and RATATOSKR_TOPIC, "
            + "RATATOSKR_PARTITION, RATATOSKR_OFFSET, RATATOSKR_MESSAGE_ID, RATATOSKR_ATTEMPT and RATATOSKR_KEY "
            + "in its environment; its stdout is copied to ours. Exit status 0 acks, 75 nacks (redelivered after "
            + "--delay or the group's backoff), anything else rejects to the dead-letter topic; a command running "
            + "past --exec-timeout is killed and the message nacked."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:--count messages handled, or --timeout passed (without --count)",
            "1:unreachable, or the broker refused the stream", "2:usage error",
            "3:--timeout passed before --count messages"})
final class ConsumeCommand implements Callable<Integer> {
    /** The exit status of an {@code --exec} command that asks for a redelivery (sysexits.h EX_TEMPFAIL). */
    static final int EXEC_NACK = 75;

    @Option(names = {"-t", "--topic"}, required = true, description = "Durable topic to consume.")
    String topic;

    @Option(names = {"-g", "--group"}, required = true, description = "Consumer group to join.")
    String group;

    @Option(names = "--ack", description = "Acknowledge each message (the default).")
    boolean ack;

    @Option(names = "--nack", description = "Nack each message: redelivered after --delay or the group's backoff.")
    boolean nack;

    @Option(names = "--delay", paramLabel = "DURATION", description = "With --nack (or an --exec nack): redeliver "
            + "after this long, e.g. 5s (default: the group's backoff).")
    String delay;

    @Option(names = "--reject", description = "Reject each message to the group's dead-letter topic.")
    boolean reject;

    @Option(names = "--reason", defaultValue = "rejected by ratatoskr consume",
            description = "With --reject: the reason recorded in the dead letter (default: ${DEFAULT-VALUE}).")
    String reason;

    @Option(names = "--exec", paramLabel = "COMMAND", description = "Run COMMAND for each message (see above).")
    String exec;

    @Option(names = "--exec-timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "Longest an --exec command may run; then it is killed and the message nacked "
                    + "(default ${DEFAULT-VALUE}).")
    String execTimeout;

    @Option(names = "--concurrency", defaultValue = "1", description = "Messages handled at once, 1..1024 "
            + "(default ${DEFAULT-VALUE}: in order).")
    int concurrency;

    @Option(names = "--max-batch", defaultValue = "0", description = "Messages the broker sends per response (and "
            + "acknowledgements per request), 1..1000; 1: one at a time (default ${DEFAULT-VALUE}: the client's, "
            + "up to 100 within the credit window).")
    int maxBatch;

    @Option(names = "--member", description = "This member's name in group describe (default: generated).")
    String member;

    @Option(names = "--start", paramLabel = "earliest|latest", description = "Where a new group starts "
            + "(default: the broker's, earliest).")
    String start;

    @Mixin
    ReceiveOptions receive;

    @Mixin
    GrpcOptions grpcTarget;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cli = spec.commandLine();
        ConsumeOptions options = options(cli);
        Duration nackDelay = duration(cli, "--delay", delay, Duration.ZERO);
        Duration execLimit = duration(cli, "--exec-timeout", execTimeout, Duration.ofSeconds(60));
        Receiving receiving = receive.receiving(cli, clock);
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        try (RatatoskrClient client = grpcTarget.client(receiving::fail);
             Progress progress = Progress.start(err, clock, "handled", receive.progress, true)) {
            Consumer consumer = client.consume(topic, group, options, m -> {
                if (!receiving.claim()) {
                    // Beyond --count: give it back to the group at once.
                    return Ack.nack(Duration.ofMillis(1));
                }
                try {
                    Ack answer;
                    if (exec != null) {
                        answer = runExec(m, out, err, nackDelay, execLimit);
                    } else {
                        receive.print(out, Delivery.of(m));
                        answer = reject ? Ack.reject(reason) : nack ? nack(nackDelay) : Ack.ACK;
                    }
                    progress.done();
                    return answer;
                } finally {
                    receiving.complete();
                }
            });
            Thread leave = new Thread(consumer::close, "ratatoskr-consume-leave");
            Runtime.getRuntime().addShutdownHook(leave);
            try {
                try {
                    consumer.whenStarted().get(15, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    err.println("ratatoskr: the broker refused to consume " + topic + "/" + group + ": "
                            + e.getCause().getMessage());
                    err.flush();
                    return 1;
                } catch (TimeoutException e) {
                    err.println("ratatoskr: cannot reach the gRPC API at " + grpcTarget.target + " (is `ratatoskr "
                            + "server` running? use --grpc-target to point elsewhere)");
                    err.flush();
                    return 1;
                }
                int exit = SubCommand.end(receiving, err);
                consumer.close();
                progress.close();
                err.printf("%d handled: %d acked, %d nacked, %d rejected%n", receiving.completed(), consumer.acked(),
                        consumer.nacked(), consumer.rejected());
                err.flush();
                return exit;
            } finally {
                consumer.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(leave);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or ran: the consumer is being closed by it.
                }
            }
        }
    }

    private ConsumeOptions options(CommandLine cli) {
        int answers = (ack ? 1 : 0) + (nack ? 1 : 0) + (reject ? 1 : 0) + (exec != null ? 1 : 0);
        if (answers > 1) {
            throw new CommandLine.ParameterException(cli, "choose one of --ack, --nack, --reject or --exec");
        }
        if (concurrency < 1 || concurrency > 1024) {
            throw new CommandLine.ParameterException(cli, "--concurrency must be 1..1024");
        }
        if (maxBatch < 0 || maxBatch > 1000) {
            throw new CommandLine.ParameterException(cli, "--max-batch must be 0..1000");
        }
        ConsumeOptions options = ConsumeOptions.DEFAULTS.withConcurrency(concurrency).withMember(member)
                .withMaxBatch(maxBatch);
        if (receive.count > 0) {
            // Ask for little more than the count, so few messages are delivered only to be given back.
            options = options.withCreditWindow((int) Math.min(receive.count, options.effectiveCreditWindow()));
        }
        if (start != null) {
            options = options.withStart(switch (start) {
                case "earliest" -> StartPosition.earliest();
                case "latest" -> StartPosition.latest();
                default -> throw new CommandLine.ParameterException(cli, "--start must be earliest or latest");
            });
        }
        return options;
    }

    private static Duration duration(CommandLine cli, String option, String text, Duration absent) {
        if (text == null) {
            return absent;
        }
        try {
            long ms = Quantities.durationMs(text);
            if (ms < 0) {
                throw new IllegalArgumentException("'" + text + "' must not be negative");
            }
            return Duration.ofMillis(ms);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, option + ": " + e.getMessage());
        }
    }

    private static Ack nack(Duration delay) {
        return delay.isZero() ? Ack.nack() : Ack.nack(delay);
    }

    /** Runs {@code --exec} for {@code m}; its exit status is the answer. */
    private Ack runExec(ReceivedMessage m, PrintWriter out, PrintWriter err, Duration nackDelay, Duration limit)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", exec).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = pb.environment();
        env.put("RATATOSKR_TOPIC", m.topic());
        env.put("RATATOSKR_PARTITION", String.valueOf(m.partition()));
        env.put("RATATOSKR_OFFSET", String.valueOf(m.offset()));
        env.put("RATATOSKR_ATTEMPT", String.valueOf(m.attempt()));
        if (m.messageId() != null) {
            env.put("RATATOSKR_MESSAGE_ID", m.messageId());
        }
        if (m.key() != null) {
            env.put("RATATOSKR_KEY", m.key());
        }
        Process p = pb.start();
        // The payload is written on its own thread, so a command that writes before it reads cannot block us.
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(m.payload());
            } catch (IOException e) {
                // The command exited without reading all of it: its exit status decides.
            }
        });
        Thread.ofVirtual().start(() -> {
            try {
                byte[] output = p.getInputStream().readAllBytes();
                if (output.length > 0) {
                    synchronized (out) {
                        out.print(new String(output, StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // The command's output is gone; its exit status still decides.
            }
        });
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            feeder.interrupt();
            synchronized (err) {
                err.println("ratatoskr: --exec ran longer than " + Quantities.formatDuration(limit.toMillis())
                        + " for " + m.topic() + " at offset " + m.offset() + "; killed, nacked");
                err.flush();
            }
            return nack(nackDelay);
        }
        int status = p.exitValue();
        return status == 0 ? Ack.ACK : status == EXEC_NACK ? nack(nackDelay)
                : Ack.reject("--exec command exited with status " + status);
    }
}
