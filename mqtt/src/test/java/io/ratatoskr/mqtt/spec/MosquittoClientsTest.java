package io.ratatoskr.mqtt.spec;

import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ratatoskr.mqtt.spec.BrokerFixture.eventually;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static io.ratatoskr.mqtt.spec.RawClients.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Mosquitto command-line clients (Debian's mosquitto-clients) against the broker, as separate
 * processes: {@code mosquitto_pub}, {@code mosquitto_sub} and {@code mosquitto_rr}, in MQTT 3.1.1 and 5.
 * A subscriber is known to be ready when its subscription shows in the broker.
 */
class MosquittoClientsTest {
    /** mosquitto_sub prints "topic|qos|retain|payload" per message. */
    static final String FORMAT = "%t|%q|%r|%p";
    static final long PROCESS_TIMEOUT_SECONDS = 10;

    @AutoClose
    final BrokerFixture net = new BrokerFixture();
    final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void clientsAreInstalled() throws InterruptedException {
        for (String tool : List.of("mosquitto_pub", "mosquitto_sub", "mosquitto_rr")) {
            try {
                new ProcessBuilder(tool, "--help").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            } catch (IOException e) {
                fail(tool + " cannot be run (" + e.getMessage() + "): install Debian's mosquitto-clients package"
                        + " (apt-get install mosquitto-clients); .ci/run does so");
            }
        }
    }

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @ParameterizedTest
    @CsvSource({"mqttv311, 0", "mqttv311, 1", "mqttv311, 2", "mqttv5, 0", "mqttv5, 1", "mqttv5, 2"})
    void publishedMessageReachesTheSubscriberAtItsQos(String version, int qos) throws Exception {
        Process sub = subscriber(version, "-t", "cli/qos", "-q", Integer.toString(qos), "-C", "1", "-F", FORMAT);

        publish(version, "-t", "cli/qos", "-q", Integer.toString(qos), "-m", "hello at " + qos);

        assertThat(output(sub)).isEqualTo("cli/qos|" + qos + "|0|hello at " + qos);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void retainedMessageReachesALaterSubscriberWithTheRetainFlag(String version) throws Exception {
        publish(version, "-t", "cli/retained", "-q", "1", "-r", "-m", "kept");

        Process sub = subscriber(version, "-t", "cli/retained", "-q", "1", "-C", "1", "-F", FORMAT);

        assertThat(output(sub)).isEqualTo("cli/retained|1|1|kept");
    }

    @Test
    void v5UserPropertiesPassThroughTheBroker() throws Exception {
        Process sub = subscriber("mqttv5", "-t", "cli/props", "-C", "1", "-F", "%P|%p");

        publish("mqttv5", "-t", "cli/props", "-m", "with properties",
                "-D", "publish", "user-property", "colour", "green");

        assertThat(output(sub)).isEqualTo("colour:green|with properties");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void willOfAKilledClientIsPublished(String version) throws Exception {
        Process watcher = subscriber(version, "-t", "cli/status/#", "-q", "1", "-C", "1", "-F", FORMAT);
        Process doomed = subscriber(version, "-t", "cli/anything", "--will-topic", "cli/status/doomed",
                "--will-payload", "gone", "--will-qos", "1");

        doomed.destroyForcibly(); // SIGKILL: no DISCONNECT
        assertThat(doomed.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

        assertThat(output(watcher)).isEqualTo("cli/status/doomed|1|0|gone");
    }

    @Test
    void v5RequestResponseWithMosquittoRr() throws Exception {
        RawMqttClient responder = net.raw(MqttVersion.V5, "responder", true);
        subscribe(responder, 1, "cli/requests", 1);

        Process rr = start("mosquitto_rr", withConnection("mqttv5", "-t", "cli/requests", "-e", "cli/responses",
                "-m", "ping", "-W", Long.toString(PROCESS_TIMEOUT_SECONDS)));

        // The request carries the response topic and correlation data mosquitto_rr set; answer with them.
        Publish request = expect(responder, Publish.class);
        assertThat(new String(request.payload(), StandardCharsets.UTF_8)).isEqualTo("ping");
        assertThat(request.properties().responseTopic()).isEqualTo("cli/responses");
        MqttProperties.Builder reply = MqttProperties.builder();
        if (request.properties().correlationData() != null) {
            reply.correlationData(request.properties().correlationData());
        }
        responder.send(new Publish(request.properties().responseTopic(), 0, false, false, 0,
                "pong".getBytes(StandardCharsets.UTF_8), reply.build()));

        assertThat(output(rr)).isEqualTo("pong");
    }

    // ---------------------------------------------------------------------------------------

    /** Starts mosquitto_sub and returns once its subscription is in the broker (or it has already exited). */
    private Process subscriber(String version, String... args) throws IOException {
        int before = net.broker().broker().subscriptionCount();
        Process p = start("mosquitto_sub", withConnection(version, args));
        eventually().until(() -> net.broker().broker().subscriptionCount() > before || !p.isAlive());
        return p;
    }

    /** Runs mosquitto_pub to completion. */
    private void publish(String version, String... args) throws Exception {
        Process p = start("mosquitto_pub", withConnection(version, args));
        String out = output(p);
        assertThat(p.exitValue()).as("mosquitto_pub exit status; it said: %s", out).isZero();
    }

    private List<String> withConnection(String version, String... args) {
        List<String> command = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", Integer.toString(net.broker().port()),
                "-V", version));
        command.addAll(List.of(args));
        return command;
    }

    private Process start(String tool, String... args) throws IOException {
        return start(tool, List.of(args));
    }

    private Process start(String tool, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(tool);
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** Waits for the process to exit and returns what it printed, trimmed. */
    private static String output(Process p) throws Exception {
        boolean exited = p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(exited).as("%s exited in time; it printed: %s", p.info().command().orElse("?"), out).isTrue();
        return out;
    }
}
