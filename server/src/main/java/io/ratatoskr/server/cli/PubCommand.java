package io.ratatoskr.server.cli;

import io.ratatoskr.client.OutgoingMessage;
import io.ratatoskr.client.PublishResult;
import io.ratatoskr.client.RatatoskrClient;
import io.ratatoskr.client.RatatoskrClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ratatoskr pub}: publishes messages over MQTT (5 or 3.1.1, through Paho) or gRPC (through
 * {@link RatatoskrClient}), from arguments, a file, or stdin lines, once or {@code --count} times at an
 * optional {@code --rate}. At most {@code --max-in-flight} publishes wait for their acknowledgement at once.
 *
 * <p>Exit codes: 0 every message was acknowledged; 1 a message was refused (its reason code or error
 * code on stderr), or the broker was unreachable; 2 usage error.
 *
 * <p>Thread-safety: confined to the command's thread; acknowledgements arrive on the clients' threads and
 * only touch atomic counters and the synchronized error writer.
 */
@Command(name = "pub", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish messages over MQTT (default) or gRPC.", "",
            "Examples:",
            "  ratatoskr pub -t sensors/kitchen -m 21.5",
            "  ratatoskr pub -t orders -q 1 --key customer-7 -P source=web -m '{\"id\": 42}'",
            "  tail -f app.log | ratatoskr pub -t logs/app --lines --stdin",
            "  ratatoskr pub --grpc -t orders -f order.json",
            "  ratatoskr pub -t load/test -m x --count 100000 --rate 5000"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every message was acknowledged", "1:a message was refused, or the broker unreachable",
            "2:usage error"})
final class PubCommand implements java.util.concurrent.Callable<Integer> {
    /** How many refusals are printed one by one before they are only counted. */
    private static final int ERRORS_SHOWN = 10;

    @Option(names = {"-t", "--topic"}, required = true, description = "Topic to publish on.")
    String topic;

    @Option(names = {"-m", "--message"}, description = "A message; repeat for several.")
    List<String> messages;

    @Option(names = {"-f", "--file"}, description = "Publish this file as one message (or, with --lines, each "
            + "line); '-' is stdin.")
    String file;

    @Option(names = {"-s", "--stdin"}, description = "Read the message(s) from stdin (the same as -f -).")
    boolean stdin;

    @Option(names = {"-l", "--lines"}, description = "Each line of the file or stdin is one message.")
    boolean lines;

    @Option(names = {"-q", "--qos"}, defaultValue = "1", description = "QoS 0, 1 or 2 (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = {"-r", "--retain"}, description = "Retain the message(s).")
    boolean retain;

    @Option(names = {"-k", "--key"}, description = "Message key (partition and compaction key; MQTT 5 user "
            + "property message-key).")
    String key;

    @Option(names = {"-P", "--property"}, paramLabel = "NAME=VALUE", description = "MQTT 5 user property or gRPC "
            + "metadata; repeat for several.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--content-type", description = "Content type (MQTT 5 or gRPC).")
    String contentType;

    @Option(names = "--idempotency-key", description = "Stored once per topic's dedupe window, however often sent.")
    String idempotencyKey;

    @Option(names = {"-n", "--count"}, defaultValue = "1", description = "Publish the message(s) this many times "
            + "(default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--rate", defaultValue = "0", description = "At most this many messages per second "
            + "(default: as fast as acknowledgements allow).")
    double rate;

    @Option(names = "--max-in-flight", defaultValue = "64", description = "Publishes awaiting their "
            + "acknowledgement at once, 1..1024 (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--grpc", description = "Publish through the gRPC API instead of MQTT.")
    boolean grpc;

    @Option(names = "--live", description = "gRPC: deliver to live subscribers even when no durable topic "
            + "captures the topic (otherwise such a publish is refused).")
    boolean live;

    @Option(names = "--progress", description = "Show a progress line on stderr even when it is not a terminal.")
    boolean progress;

    @Mixin
    MqttOptions mqtt;

    @Mixin
    GrpcOptions grpcTarget;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where {@code --stdin} reads; tests replace it. */
    InputStream in = System.in;

    Clock clock = Clock.systemUTC();

    /** Sends one message; the future completes with null when acknowledged, or the refusal, never exceptionally. */
    private interface Sender extends AutoCloseable {
        CompletableFuture<String> send(byte[] payload);

        /** Publishes the broker lets await their acknowledgement at once (MQTT 5: its Receive Maximum). */
        default int quota() {
            return Integer.MAX_VALUE;
        }

        @Override
        void close();
    }

    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        validate(cli);
        Iterator<byte[]> source = source(cli);
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        AtomicInteger errorsShown = new AtomicInteger();
        AtomicReference<PublishResult> lastPosition = new AtomicReference<>();
        Sender sender;
        try {
            sender = grpc ? grpcSender(lastPosition) : mqttSender(cli);
        } catch (MqttLink.LinkException e) {
            err.println("ratatoskr: " + e.getMessage());
            err.flush();
            return 1;
        }
        boolean longRunning = count > 1 || rate > 0 || stdin || "-".equals(file);
        // More in flight than the broker's Receive Maximum would be refused by the client library.
        int inFlight = Math.min(maxInFlight, sender.quota());
        Semaphore window = new Semaphore(inFlight);
        long sent = 0;
        try (sender; Progress progress = Progress.start(err, clock, "acked", this.progress, longRunning)) {
            long startMs = clock.millis();
            while (source.hasNext()) {
                byte[] payload = source.next();
                pace(startMs, sent);
                window.acquireUninterruptibly();
                sent++;
                sender.send(payload).whenComplete((refusal, unexpected) -> {
                    if (refusal == null && unexpected == null) {
                        progress.done();
                    } else {
                        progress.failed();
                        if (errorsShown.getAndIncrement() < ERRORS_SHOWN) {
                            synchronized (err) {
                                err.println("ratatoskr: publish to " + topic + " refused: "
                                        + (refusal != null ? refusal : unexpected));
                                err.flush();
                            }
                        }
                    }
                    window.release();
                });
            }
            if (!window.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) {
                err.println("ratatoskr: gave up waiting 60 s for " + (inFlight - window.availablePermits())
                        + " acknowledgements");
            }
            progress.close();
            long failed = sent - progress.doneCount();
            if (errorsShown.get() > ERRORS_SHOWN) {
                err.println("ratatoskr: ... and " + (errorsShown.get() - ERRORS_SHOWN) + " more refusals");
            }
            long elapsedMs = progress.elapsedMs();
            PublishResult position = lastPosition.get();
            if (sent == 1 && position != null) {
                out.println(describe(position));
            }
            out.printf(Locale.ROOT, "sent %d, acked %d, failed %d in %.1f s (%.0f msg/s)%n", sent,
                    progress.doneCount(), failed, elapsedMs / 1000.0, Progress.perSecond(progress.doneCount(), elapsedMs));
            out.flush();
            err.flush();
            return failed == 0 ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (UncheckedIOException e) {
            err.println("ratatoskr: cannot read the message: " + e.getCause().getMessage());
            err.flush();
            return 1;
        }
    }

    private void validate(CommandLine cli) {
        if (qos < 0 || qos > 2) {
            throw new CommandLine.ParameterException(cli, "--qos must be 0, 1 or 2");
        }
        if (count < 1) {
            throw new CommandLine.ParameterException(cli, "--count must be at least 1");
        }
        if (rate < 0) {
            throw new CommandLine.ParameterException(cli, "--rate must not be negative");
        }
        if (maxInFlight < 1 || maxInFlight > 1024) {
            throw new CommandLine.ParameterException(cli, "--max-in-flight must be 1..1024");
        }
        int sources = (messages != null ? 1 : 0) + (file != null ? 1 : 0) + (stdin ? 1 : 0);
        if (sources != 1) {
            throw new CommandLine.ParameterException(cli, "give the message(s) with one of -m, -f FILE or --stdin");
        }
        if (lines && messages != null) {
            throw new CommandLine.ParameterException(cli, "--lines goes with -f or --stdin, not -m");
        }
        if ((stdin || "-".equals(file)) && count > 1) {
            throw new CommandLine.ParameterException(cli, "--count cannot repeat stdin; use -m or -f FILE");
        }
        if (live && !grpc) {
            throw new CommandLine.ParameterException(cli, "--live is for --grpc (MQTT publishes are always live)");
        }
        if (!grpc && !mqtt.v5(cli) && (key != null || !properties.isEmpty() || contentType != null
                || idempotencyKey != null)) {
            throw new CommandLine.ParameterException(cli, "--key, -P, --content-type and --idempotency-key need "
                    + "MQTT 5 or --grpc: MQTT 3.1.1 has no properties");
        }
    }

    /** The payloads to send, read lazily (stdin lines are published as they come). */
    private Iterator<byte[]> source(CommandLine cli) {
        if (messages != null) {
            List<byte[]> payloads = messages.stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toList();
            return repeat(payloads);
        }
        boolean fromStdin = stdin || "-".equals(file);
        if (!fromStdin) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                throw new CommandLine.ParameterException(cli, "cannot read file '" + file + "'");
            }
            try {
                if (lines) {
                    return repeat(Files.readAllLines(path, StandardCharsets.UTF_8).stream()
                            .map(l -> l.getBytes(StandardCharsets.UTF_8)).toList());
                }
                return repeat(List.of(Files.readAllBytes(path)));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cli, "cannot read file '" + file + "': " + e.getMessage());
            }
        }
        if (!lines) {
            try {
                return List.of(in.readAllBytes()).iterator();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return new Iterator<>() {
            private String next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = reader.readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return next != null;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] payload = next.getBytes(StandardCharsets.UTF_8);
                next = null;
                return payload;
            }
        };
    }

    private Iterator<byte[]> repeat(List<byte[]> payloads) {
        return new Iterator<>() {
            private long i;

            @Override
            public boolean hasNext() {
                return i < count * payloads.size();
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return payloads.get((int) (i++ % payloads.size()));
            }
        };
    }

    /** With {@code --rate}, waits until message {@code sent} (0-based) is due. */
    private void pace(long startMs, long sent) {
        if (rate <= 0) {
            return;
        }
        long dueMs = startMs + (long) (sent * 1000.0 / rate);
        long waitMs;
        while ((waitMs = dueMs - clock.millis()) > 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(waitMs));
        }
    }

    private Sender mqttSender(CommandLine cli) throws MqttLink.LinkException {
        boolean v5 = mqtt.v5(cli);
        Map<String, String> userProperties = new LinkedHashMap<>(properties);
        if (key != null) {
            userProperties.put("message-key", key);
        }
        if (idempotencyKey != null) {
            userProperties.put("idempotency-key", idempotencyKey);
        }
        MqttLink link = MqttLink.connect(v5, new MqttLink.Connect(mqtt.url, mqtt.clientId("ratatoskr-pub"),
                mqtt.username, mqtt.password, true, 0), new MqttLink.Listener() {
                    @Override
                    public boolean message(Delivery delivery) {
                        return true;
                    }

                    @Override
                    public void lost(String why) {
                        synchronized (cli.getErr()) {
                            cli.getErr().println("ratatoskr: " + why);
                            cli.getErr().flush();
                        }
                    }
                });
        return new Sender() {
            @Override
            public CompletableFuture<String> send(byte[] payload) {
                return link.publish(topic, payload, qos, retain, userProperties, contentType)
                        .thenApply(o -> o.ok() ? null : o.describe());
            }

            @Override
            public int quota() {
                return link.sendQuota();
            }

            @Override
            public void close() {
                link.close();
            }
        };
    }

    private Sender grpcSender(AtomicReference<PublishResult> lastPosition) {
        RatatoskrClient client = grpcTarget.client();
        return new Sender() {
            @Override
            public CompletableFuture<String> send(byte[] payload) {
                OutgoingMessage.Builder m = OutgoingMessage.builder(topic).payload(payload).qos(qos).retain(retain)
                        .liveOnly(live).metadata(properties);
                if (key != null) {
                    m.key(key);
                }
                if (idempotencyKey != null) {
                    m.idempotencyKey(idempotencyKey);
                }
                if (contentType != null) {
                    m.contentType(contentType);
                }
                return client.publish(m.build()).handle((r, failure) -> {
                    if (failure == null) {
                        lastPosition.set(r);
                        return null;
                    }
                    Throwable t = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                            ? c.getCause() : failure;
                    return t instanceof RatatoskrClientException e
                            ? e.code() + " (" + e.status() + "): " + e.getMessage() : String.valueOf(t);
                });
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    private static String describe(PublishResult r) {
        if (!r.stored()) {
            return "delivered live (no durable topic captured it)";
        }
        return (r.duplicate() ? "duplicate of the message stored at " : "stored at ") + r.topic() + "/"
                + r.partition() + "@" + r.offset() + " (id " + r.messageId() + ")";
    }
}
