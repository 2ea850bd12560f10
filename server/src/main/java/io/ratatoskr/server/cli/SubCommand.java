package io.ratatoskr.server.cli;

import io.ratatoskr.client.Ack;
import io.ratatoskr.client.RatatoskrClient;
import io.ratatoskr.client.Subscription;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ratatoskr sub}: subscribes to topic filters over MQTT (default; {@code $share/...} and
 * {@code $queue/...} filters included) or gRPC (a live Subscribe stream) and prints what arrives.
 *
 * <p>Exit codes: 0 {@code --count} messages received (or {@code --timeout} passed without a count);
 * 1 the broker was unreachable, refused the subscription or dropped the connection; 2 usage error;
 * 3 {@code --timeout} passed before {@code --count} messages came.
 *
 * <p>Thread-safety: confined to the command's thread; messages are printed on the client's callback
 * thread, serialized on the output writer.
 */
@Command(name = "sub", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Subscribe to topic filters over MQTT (default) or gRPC and print the messages.", "",
            "Examples:",
            "  ratatoskr sub -t 'sensors/#' -F verbose",
            "  ratatoskr sub -t orders -F json -C 10 --timeout 30s",
            "  ratatoskr sub -t '$queue/workers/jobs' -i worker-1 --clean=false",
            "  ratatoskr sub --grpc -t 'alarms/+'"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:--count messages received, or --timeout passed (without --count)",
            "1:unreachable, subscription refused or connection lost", "2:usage error",
            "3:--timeout passed before --count messages"})
final class SubCommand implements Callable<Integer> {
    @Option(names = {"-t", "--topic"}, required = true, paramLabel = "FILTER",
            description = "Topic filter (+ and # wildcards, $share/..., $queue/...); repeat for several.")
    List<String> filters;

    @Option(names = {"-q", "--qos"}, defaultValue = "1", description = "MQTT: QoS 0, 1 or 2 (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--clean", arity = "1", defaultValue = "true", paramLabel = "true|false",
            description = "MQTT: start a new session (default true); --clean=false resumes the session of this "
                    + "--client-id and keeps it for --session-expiry after disconnecting.")
    boolean clean;

    @Option(names = "--session-expiry", defaultValue = "1h", paramLabel = "DURATION",
            description = "MQTT: how long the broker keeps the session with --clean=false (default ${DEFAULT-VALUE}).")
    String sessionExpiry;

    @Option(names = "--grpc", description = "Subscribe through the gRPC API instead of MQTT.")
    boolean grpc;

    @Mixin
    ReceiveOptions receive;

    @Mixin
    MqttOptions mqtt;

    @Mixin
    GrpcOptions grpcTarget;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cli = spec.commandLine();
        if (qos < 0 || qos > 2) {
            throw new CommandLine.ParameterException(cli, "--qos must be 0, 1 or 2");
        }
        Receiving receiving = receive.receiving(cli, clock);
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        try (Progress progress = Progress.start(err, clock, "received", receive.progress, true)) {
            String started = grpc ? subscribeGrpc(receiving, progress, out) : subscribeMqtt(cli, receiving, progress, out);
            if (started != null) {
                err.println("ratatoskr: " + started);
                err.flush();
                return 1;
            }
            return end(receiving, err);
        } finally {
            closeQuietly();
        }
    }

    private AutoCloseable open;

    private String subscribeMqtt(CommandLine cli, Receiving receiving, Progress progress, PrintWriter out) {
        long expiryMs;
        try {
            expiryMs = Quantities.durationMs(sessionExpiry);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--session-expiry: " + e.getMessage());
        }
        // MQTT 5.0 §3.1.2.11.2: 0xFFFFFFFF means the session never expires.
        long expirySeconds = expiryMs < 0 ? 0xFFFFFFFFL : Math.min(expiryMs / 1000, 0xFFFFFFFEL);
        boolean v5 = mqtt.v5(cli);
        try {
            MqttLink link = MqttLink.connect(v5, new MqttLink.Connect(mqtt.url, mqtt.clientId("ratatoskr-sub"),
                    mqtt.username, mqtt.password, clean, expirySeconds), new MqttLink.Listener() {
                        @Override
                        public boolean message(Delivery delivery) {
                            if (!receiving.claim()) {
                                return false;
                            }
                            receive.print(out, delivery);
                            return true;
                        }

                        @Override
                        public void acknowledged(Delivery delivery) {
                            // Only now may the command end: the acknowledgement is queued before the disconnect.
                            progress.done();
                            receiving.complete();
                        }

                        @Override
                        public void lost(String why) {
                            receiving.fail(why);
                        }
                    });
            open = link;
            link.subscribe(filters, qos);
            return null;
        } catch (MqttLink.LinkException e) {
            return e.getMessage();
        }
    }

    private String subscribeGrpc(Receiving receiving, Progress progress, PrintWriter out) throws InterruptedException {
        RatatoskrClient client = grpcTarget.client(receiving::fail);
        open = client;
        Subscription sub = client.subscribe(filters, m -> {
            if (receiving.claim()) {
                receive.print(out, Delivery.of(m));
                progress.done();
                receiving.complete();
            }
            return Ack.ACK;
        });
        try {
            sub.whenSubscribed().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "the broker refused the subscription to " + filters + ": " + e.getCause().getMessage();
        } catch (TimeoutException e) {
            return "cannot reach the gRPC API at " + grpcTarget.target + " (is `ratatoskr server` running? use "
                    + "--grpc-target to point elsewhere)";
        }
        return null;
    }

    static int end(Receiving receiving, PrintWriter err) throws InterruptedException {
        Receiving.End end = receiving.await();
        if (end == Receiving.End.FAILED) {
            err.println("ratatoskr: " + receiving.failure());
        } else if (end == Receiving.End.TIMED_OUT) {
            err.println("ratatoskr: no message for the --timeout; " + receiving.completed() + " received");
        }
        err.flush();
        return receiving.exitCode(end);
    }

    private void closeQuietly() {
        if (open != null) {
            try {
                open.close();
            } catch (Exception e) {
                // Exiting anyway.
            }
        }
    }
}
