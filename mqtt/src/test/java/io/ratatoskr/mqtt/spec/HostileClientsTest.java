package io.ratatoskr.mqtt.spec;

import io.micrometer.core.instrument.Gauge;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import io.ratatoskr.mqtt.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.ratatoskr.mqtt.spec.RawClients.TIMEOUT;
import static io.ratatoskr.mqtt.spec.RawClients.connectPacket;
import static io.ratatoskr.mqtt.spec.RawClients.encode;
import static io.ratatoskr.mqtt.spec.RawClients.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile clients over real sockets (issue 7, "Hostile input"): each test attacks one broker while a
 * well-behaved Paho client ({@link #bystanderIsServed}) keeps publishing and receiving within a
 * deadline, and checks the attack costs the broker only bounded resources, which it gets back.
 *
 * <p>The longer variants (tens of thousands of sockets) run only with {@code -Dratatoskr.hostile.long=true}:
 * {@code ./mvnw -B -ntp verify -pl mqtt -am -Dtest=HostileClientsTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dratatoskr.hostile.long=true}.
 */
class HostileClientsTest {
    /** Short, so that the slowloris test does not wait long. */
    static final int CONNECT_TIMEOUT_SECONDS = 2;
    static final int MAX_QUEUED = 200;
    /** Round trips of the bystander must stay well under this, attack or not. */
    static final Duration SERVED_WITHIN = Duration.ofSeconds(2);
    /**
     * Round trips of the bystander while a client floods PINGREQs it never reads the answers of: a
     * bound that holds on a loaded 2-core machine (typically tens of milliseconds).
     */
    static final Duration SERVED_DURING_ATTACK = Duration.ofSeconds(1);
    static final boolean LONG = Boolean.getBoolean("ratatoskr.hostile.long");

    static TestBroker broker;
    static PahoV3Client bystander;
    static int pings;

    final List<RawMqttClient> attackers = new ArrayList<>();
    /** A subscriber that reads nothing for this long stops holding publishers back (kept short for the test). */
    private static final long STALL_MS = 300;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(
                b -> b.withSession(new SessionConfig(MAX_QUEUED, SessionConfig.DEFAULTS.overflowPolicy(),
                        SessionConfig.DEFAULTS.maxInflight(), SessionConfig.DEFAULTS.maxSessionExpirySeconds(),
                        false, STALL_MS)),
                m -> m.withConnectTimeoutSeconds(CONNECT_TIMEOUT_SECONDS)
                        .withLimits(m.limits().withMaxConnectionsPerAddress(LONG ? 100_000 : 1_000)
                                // the slowloris test holds its sockets until the connect timeout
                                .withMaxPendingConnections(LONG ? 100_000 : 1_000, LONG ? 100_000 : 10_000)));
        bystander = PahoV3Client.connect(broker, "bystander");
        bystander.subscribe("bystander/ping", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        bystander.close();
        broker.close();
    }

    @AfterEach
    void closeAttackers() throws IOException {
        for (RawMqttClient c : attackers) {
            c.close();
        }
        bystanderIsServed();
    }

    /** How long the well-behaved client's QoS 1 publish takes to come back to it. */
    static Duration bystanderRoundTrip() throws Exception {
        String payload = "ping-" + ++pings;
        long start = System.nanoTime();
        bystander.publish("bystander/ping", payload, 1);
        assertThat(bystander.next().payload()).isEqualTo(payload);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * The quickest of {@code n} bystander round trips in a row: on a busy machine one of them can wait for
     * a CPU however idle the broker is, while an event loop kept busy by an attacker delays them all.
     */
    static Duration quickestBystanderRoundTrip(int n) throws Exception {
        Duration quickest = bystanderRoundTrip();
        for (int i = 1; i < n; i++) {
            Duration d = bystanderRoundTrip();
            quickest = d.compareTo(quickest) < 0 ? d : quickest;
        }
        return quickest;
    }

    /** The well-behaved client publishes at QoS 1 and receives its message back within {@link #SERVED_WITHIN}. */
    static void bystanderIsServed() {
        String payload = "ping-" + ++pings;
        long start = System.nanoTime();
        try {
            bystander.publish("bystander/ping", payload, 1);
            assertThat(bystander.next().payload()).isEqualTo(payload);
        } catch (Exception e) {
            throw new AssertionError("the bystander was not served", e);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bystander round trip")
                .isLessThan(SERVED_WITHIN);
    }

    private RawMqttClient open() throws IOException {
        RawMqttClient c = RawClients.open(broker, MqttVersion.V3_1_1);
        attackers.add(c);
        return c;
    }

    private static long openConnections() {
        Gauge g = broker.registry().find("ratatoskr.mqtt.connections.active").gauge();
        return (long) g.value();
    }

    // ---------------------------------------------------------------------------------------

    @Test
    void slowlorisConnectsAreClosedAfterTheConnectTimeoutWhileOthersAreServed() throws Exception {
        int sockets = LONG ? 5_000 : 200;
        double timeoutsBefore = broker.counter("ratatoskr.mqtt.protocol.errors", "reason", "connect_timeout");
        byte[] connect = encode(connectPacket(MqttVersion.V3_1_1, "slow", true, 60), MqttVersion.V3_1_1);
        for (int i = 0; i < sockets; i++) {
            open();
        }
        // One byte of CONNECT per socket every second: still unfinished long after the timeout, so only the
        // connect timeout can close these sockets (the dribbled bytes must not keep them open).
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService dribbler = Executors.newSingleThreadScheduledExecutor();
        try {
            dribbler.scheduleAtFixedRate(() -> {
                int at = sent.getAndIncrement();
                for (RawMqttClient c : attackers) {
                    try {
                        c.sendRaw(new byte[] {connect[at % connect.length]});
                    } catch (IOException closed) {
                        // closed by the broker: the point of the test
                    }
                }
            }, 0, 1, TimeUnit.SECONDS);

            bystanderIsServed();
            // The timeout is 2 s; the slack is for a loaded 2-core machine, and stays below the time the
            // dribbler needs to complete a CONNECT (one byte a second).
            Duration slack = Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS + 10);
            assertThat(slack.toSeconds()).isLessThan(connect.length);
            long start = System.nanoTime();
            for (RawMqttClient c : attackers) {
                assertThat(c.awaitClosed(slack)).isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("all closed by the connect timeout")
                    .isLessThan(slack);
            assertThat(sent.get()).as("bytes dribbled before the close").isLessThan(connect.length);
        } finally {
            dribbler.shutdownNow();
        }
        assertThat(broker.counter("ratatoskr.mqtt.protocol.errors", "reason", "connect_timeout") - timeoutsBefore)
                .isEqualTo(sockets);
        await().atMost(TIMEOUT).until(() -> openConnections() == 1); // the bystander
    }

    @Test
    void subscriberThatNeverReadsCostsABoundedQueueWhileAnotherSubscriberGetsEverything() throws Exception {
        int messages = 5_000;
        byte[] payload = new byte[4 * 1024]; // 20 MiB in all: far more than socket buffers hold
        RawMqttClient stuck = open();
        stuck.send(connectPacket(MqttVersion.V3_1_1, "never-reads", true, 0));
        expect(stuck, ConnAck.class);
        stuck.send(new Subscribe(1, List.of(new Subscription("flood/#", 0)), MqttProperties.EMPTY));
        expect(stuck, SubAck.class);
        // From here on "stuck" never reads its socket again.
        QuotaTest.Counting good = new QuotaTest.Counting(broker);
        double droppedBefore = broker.counter("ratatoskr.messages.dropped", "reason", "queue_full");
        RawMqttClient publisher = open();
        publisher.send(connectPacket(MqttVersion.V3_1_1, "flooder", true, 0));
        expect(publisher, ConnAck.class);

        // The publisher sends batches of 100 as fast as the good subscriber takes them; the stuck one
        // takes nothing, so everything beyond its socket buffers and its session queue must be dropped.
        int batchSize = 100;
        int maxQueued = 0;
        try {
            for (int sent = 0; sent < messages; sent += batchSize) {
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                for (int j = 0; j < batchSize; j++) {
                    batch.write(encode(new Publish("flood/x", 0, false, false, 0, payload, MqttProperties.EMPTY),
                            MqttVersion.V3_1_1));
                }
                publisher.sendRaw(batch.toByteArray());
                int expected = sent + batchSize;
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5))
                        .until(() -> good.count("flood/") >= expected);
                maxQueued = Math.max(maxQueued, (int) queuedMessages());
                if (sent % 1000 == 0) {
                    bystanderIsServed();
                }
            }
        } finally {
            good.close();
        }
        assertThat(good.count("flood/")).as("the good subscriber got everything").isEqualTo(messages);
        assertThat(maxQueued).as("messages queued in all sessions: the stuck one's queue is bounded")
                .isLessThanOrEqualTo(MAX_QUEUED + batchSize);
        assertThat(broker.counter("ratatoskr.messages.dropped", "reason", "queue_full") - droppedBefore)
                .as("the stuck subscriber's overflow is dropped and counted").isGreaterThan(messages / 2);
    }

    @Test
    void clientThatSendsPingsButNeverReadsTheAnswersIsNoLongerReadOnceItsAnswersPileUp() throws Exception {
        long attempt = 48L << 20; // 24 million PINGREQs: unbounded, their PINGRESPs would take gigabytes of heap
        AtomicLong written = new AtomicLong();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.setSendBufferSize(8192);
            socket.connect(new InetSocketAddress("127.0.0.1", broker.port()));
            OutputStream out = socket.getOutputStream();
            out.write(encode(connectPacket(MqttVersion.V3_1_1, "pinger", true, 0), MqttVersion.V3_1_1));
            out.flush();
            assertThat(socket.getInputStream().readNBytes(4)).as("CONNACK").hasSize(4);
            byte[] pings = new byte[64 * 1024];
            for (int i = 0; i < pings.length; i += 2) {
                pings[i] = (byte) 0xC0; // PINGREQ, remaining length 0
            }
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (written.get() < attempt) {
                        out.write(pings);
                        written.addAndGet(pings.length);
                    }
                } catch (IOException closed) {
                    // the test closed the socket
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 0);
            // While the pings pour in and once the broker has stopped reading them: the bystander, which
            // may share the pinger's event loop, is answered as quickly as without the attack.
            assertThat(quickestBystanderRoundTrip(3)).as("bystander round trip as the attack starts")
                    .isLessThan(SERVED_DURING_ATTACK);
            long[] last = {-1};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                long now = written.get();
                boolean stalled = now == last[0];
                last[0] = now;
                return stalled || now >= attempt;
            });
            for (int i = 0; i < 3; i++) {
                assertThat(quickestBystanderRoundTrip(3)).as("bystander round trip during the attack")
                        .isLessThan(SERVED_DURING_ATTACK);
            }
            assertThat(written.get()).as("bytes the broker took before it stopped reading").isLessThan(attempt / 2);
            socket.close(); // the bystander is checked after each test
            writer.join(TIMEOUT.toMillis());
        }
    }

    private static double queuedMessages() {
        Gauge g = broker.registry().find("ratatoskr.session.queued.messages").gauge();
        return g == null ? 0 : g.value();
    }

    @Test
    void connectionFloodLeavesNoConnectionBehindAndOthersAreServedThroughout() throws Exception {
        int threads = 4;
        int perThread = LONG ? 5_000 : 500;
        // The baseline is the bystander alone: sockets of the previous test may still be closing (the broker
        // notices a peer's close in its own time), and one counted now and gone later would spoil "before".
        long before = 1;
        await("only the bystander connected").atMost(TIMEOUT).until(() -> openConnections() == before);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger accepted = new AtomicInteger();
        List<CompletableFuture<Void>> flooders = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                flooders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try (RawMqttClient c = RawClients.open(broker, MqttVersion.V3_1_1)) {
                            if (i % 3 == 0) {
                                continue; // connect and close without a word
                            }
                            c.send(connectPacket(MqttVersion.V3_1_1, "flood-" + thread + "-" + i, true, 60));
                            if (c.receive(TIMEOUT) instanceof ConnAck ack && ack.reasonCode() == 0) {
                                accepted.incrementAndGet();
                            }
                            if (i % 3 == 1) {
                                c.send(new Disconnect(0, MqttProperties.EMPTY));
                            }
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }, pool));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(flooders.toArray(CompletableFuture[]::new));
            while (!all.isDone()) {
                bystanderIsServed();
            }
            all.join();
        } finally {
            pool.shutdownNow();
        }
        assertThat(accepted.get()).isEqualTo(threads * (perThread - (perThread + 2) / 3));
        await("open connections back to the baseline").atMost(TIMEOUT).until(() -> openConnections() == before);
    }

    @Test
    void hugeRemainingLengthAsTheFirstBytesClosesTheConnectionAtOnce() throws Exception {
        RawMqttClient c = open();
        long start = System.nanoTime();

        c.sendRaw(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}); // CONNECT of 256 MiB

        assertThat(c.awaitClosed(TIMEOUT)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed without waiting for the connect timeout")
                .isLessThan(Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS));
    }

    @Test
    void manyClaimsOfLargePacketsCostOnlyWhatTheySent() throws Exception {
        // Each socket claims a packet just under the maximum (1 MiB) and sends 1 KiB of it: the decoder
        // must not reserve the claimed size (256 sockets x 1 MiB would be 256 MiB), and the connect
        // timeout ends them all.
        int sockets = LONG ? 2_000 : 256;
        byte[] claim = new byte[1024 + 4];
        claim[0] = 0x10;
        claim[1] = (byte) 0xF0;
        claim[2] = (byte) 0xFF;
        claim[3] = 0x3F; // remaining length 1,048,560
        for (int i = 0; i < sockets; i++) {
            open().sendRaw(claim);
        }
        for (int i = 0; i < sockets; i += 64) {
            attackers.get(i).sendRaw(new byte[] {0}); // a later chunk: where a growing buffer would be sized
        }
        bystanderIsServed();
        for (RawMqttClient c : attackers) {
            assertThat(c.awaitClosed(Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS + 5))).isTrue();
        }
    }

    @Test
    void topicWithTenThousandLevelsOrTheLongestEncodableNameIsRefusedQuickly() throws Exception {
        RawMqttClient c = connectedV5("deep-1");
        String deep = "/".repeat(9_999); // 10,000 empty levels
        String longest = "n".repeat(65_535); // a topic string cannot be longer on the wire (§1.5.4)

        c.send(new Subscribe(1, List.of(new Subscription(deep, 0), new Subscription(longest, 0)),
                MqttProperties.EMPTY));
        assertThat(expect(c, SubAck.class).reasonCodes())
                .containsExactly(ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.TOPIC_FILTER_INVALID);

        for (String topic : List.of(deep, longest)) {
            RawMqttClient p = connectedV5("deep-" + topic.length());
            // CPU time of this JVM (the broker's threads and the test's), not the wall clock: on a busy
            // machine the refusal can wait seconds for a CPU, while quadratic work on the levels would cost
            // seconds of CPU.
            long cpuStart = processCpuNanos();
            p.send(new Publish(topic, 0, false, false, 0, new byte[] {1}, MqttProperties.EMPTY));
            assertThat(expect(p, Disconnect.class).reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
            assertThat(Duration.ofNanos(processCpuNanos() - cpuStart)).as("CPU time to refuse it")
                    .isLessThan(Duration.ofSeconds(1));
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private RawMqttClient connectedV5(String clientId) throws IOException {
        RawMqttClient c = RawClients.open(broker, MqttVersion.V5);
        attackers.add(c);
        c.send(connectPacket(MqttVersion.V5, clientId, true, 60));
        assertThat(expect(c, ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        return c;
    }
}
