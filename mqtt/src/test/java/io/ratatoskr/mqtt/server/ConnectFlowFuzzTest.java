package io.ratatoskr.mqtt.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerConfig;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.security.AuthExchange;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.mqtt.codec.DecodeFailure;
import io.ratatoskr.mqtt.codec.MqttDecoder;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the CONNECT and authentication flow (Jazzer): fuzzed bytes, cut at fuzzed
 * points, go through the real server pipeline ({@link MqttServer#addMqttHandlers}: traffic counter,
 * decoder, encoder, {@link MqttConnection}) on an {@link EmbeddedChannel}, against a broker with password
 * authentication. Without {@code JAZZER_FUZZ=1} only the inputs under
 * {@code src/test/resources/io/ratatoskr/mqtt/server/ConnectFlowFuzzTestInputs/} run.
 *
 * <p>The authenticator also offers an MQTT 5 enhanced-authentication method ({@value #METHOD}: a challenge,
 * then the password in an AUTH 0x18), so the AUTH exchange and re-authentication (§4.12) are fuzzed too.
 *
 * <p>Contracts: no input reaches the connection's "unexpected error" path or the decoder's bug path
 * (both log a warning with the exception); everything the server writes is a well-formed packet of the
 * connection's version, starting with CONNACK or, in an enhanced authentication, AUTH; every AUTH the server
 * sends names the CONNECT's method, and none is sent without one; only the right password (in CONNECT, or
 * in the AUTH answering the challenge) gets a successful CONNACK; and once the channel closes the client is
 * no longer listed.
 */
class ConnectFlowFuzzTest {
    private static final byte[] PASSWORD = "secret".getBytes(StandardCharsets.UTF_8);
    /** The enhanced-authentication method the test authenticator offers (MQTT 5.0 §4.12). */
    static final String METHOD = "TEST-CHALLENGE";
    static final byte[] SERVER_FINAL = "ok".getBytes(StandardCharsets.UTF_8);
    private static final Authenticator AUTHENTICATOR = new Authenticator() {
        @Override
        public CompletableFuture<AuthResult> authenticate(Credentials c) {
            return CompletableFuture.completedFuture("user".equals(c.username()) && Arrays.equals(PASSWORD, c.password())
                    ? new AuthResult.Accepted(new Principal("user", c.clientId(), Set.of(), "password"))
                    : new AuthResult.Refused(AuthResult.Reason.BAD_CREDENTIALS, "bad user name or password"));
        }

        /** Two steps: any first message gets a challenge; the second must be the password. */
        @Override
        public AuthExchange exchange(String method, Credentials c) {
            if (!METHOD.equals(method)) {
                return null;
            }
            int[] steps = {0};
            return data -> CompletableFuture.completedFuture(steps[0]++ == 0
                    ? new AuthExchange.Step.Challenge("challenge".getBytes(StandardCharsets.UTF_8))
                    : new AuthExchange.Step.Finished(Arrays.equals(PASSWORD, data)
                            ? new AuthResult.Accepted(new Principal("user", c.clientId(), Set.of(), "test"))
                            : new AuthResult.Refused(AuthResult.Reason.BAD_CREDENTIALS, "wrong"), SERVER_FINAL));
        }
    };
    private static final ListAppender<ILoggingEvent> WARNINGS = warnings();

    @FuzzTest
    void anyBytesThroughTheConnectFlowKeepTheContract(FuzzedDataProvider data) {
        Broker broker = new Broker(BrokerConfig.DEFAULTS.withSysIntervalSeconds(0), Clock.systemUTC(),
                new BrokerMetrics(new SimpleMeterRegistry()));
        MqttServer server = new MqttServer(MqttConfig.DEFAULTS, broker, new SplittableRandom(42))
                .security(AUTHENTICATOR, Authorizer.ALLOW_ALL);
        int chunks = data.consumeInt(1, 8);
        int[] sizes = new int[chunks - 1];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = data.consumeInt(1, 512);
        }
        byte[] stream = data.consumeRemainingAsBytes();
        WARNINGS.list.clear();
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                server.addMqttHandlers(ch.pipeline());
            }
        });
        MqttDecoder decoder = channel.pipeline().get(MqttDecoder.class);
        List<Object> written = new ArrayList<>();
        try {
            int at = 0;
            for (int i = 0; i <= sizes.length && channel.isOpen(); i++) {
                int n = i < sizes.length ? Math.min(sizes[i], stream.length - at) : stream.length - at;
                // A copy: the buffer is the pipeline's from now on, and the decoder may write into it.
                channel.writeInbound(Unpooled.copiedBuffer(stream, at, n));
                channel.runPendingTasks();
                at += n;
            }
            drainOutbound(channel, written);
            channel.close();
            channel.runPendingTasks();
            drainOutbound(channel, written);
        } finally {
            channel.finishAndReleaseAll();
        }
        assertThat(WARNINGS.list).as("unexpected errors").isEmpty();
        assertThat(server.clients().size()).as("clients listed after close").isZero();
        if (!written.isEmpty()) {
            // A CONNECT naming no version we speak is answered in the 3.1.1 format [MQTT-3.1.2-2].
            MqttVersion version = decoder.version() == null ? MqttVersion.V3_1_1 : decoder.version();
            List<Object> packets = decode(written, version);
            assertThat(packets).noneMatch(p -> p instanceof DecodeFailure);
            // Every AUTH the server sends names the CONNECT's method [MQTT-4.12.0-5]; none without one [MQTT-4.12.0-6].
            List<Object> auths = packets.stream().filter(p -> p instanceof MqttPacket.Auth).toList();
            if (!auths.isEmpty()) {
                assertThat(firstConnect(stream).properties().authenticationMethod()).isEqualTo(METHOD);
                assertThat(auths).allSatisfy(a -> assertThat(((MqttPacket.Auth) a).properties()
                        .authenticationMethod()).isEqualTo(METHOD));
            }
            List<Object> beforeAuth = packets.stream().filter(p -> !(p instanceof MqttPacket.Auth)).toList();
            if (beforeAuth.isEmpty()) {
                return; // only the server's challenge, then the client stopped or the channel closed
            }
            assertThat(beforeAuth.get(0)).isInstanceOf(MqttPacket.ConnAck.class);
            assertThat(packets.indexOf(beforeAuth.get(0))).as("AUTH before CONNACK only in an exchange")
                    .isLessThanOrEqualTo(auths.size());
            MqttPacket.ConnAck connAck = (MqttPacket.ConnAck) beforeAuth.get(0);
            if (decoder.version() == null) {
                assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION);
                assertThat(packets).hasSize(1);
            }
            if (connAck.reasonCode() == 0) {
                MqttPacket.Connect connect = firstConnect(stream);
                if (connect.properties().authenticationMethod() != null) {
                    // Accepted only after the client answered the challenge with the password, in an AUTH 0x18.
                    assertThat(connAck.properties().authenticationMethod()).isEqualTo(METHOD);
                    assertThat(connAck.properties().authenticationData()).isEqualTo(SERVER_FINAL);
                    assertThat(clientPackets(stream)).anySatisfy(p -> {
                        assertThat(p).isInstanceOf(MqttPacket.Auth.class);
                        assertThat(((MqttPacket.Auth) p).reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
                        assertThat(((MqttPacket.Auth) p).properties().authenticationData()).isEqualTo(PASSWORD);
                    });
                } else {
                    assertThat(connect.username()).isEqualTo("user");
                    assertThat(connect.password()).isEqualTo(PASSWORD);
                }
            }
        }
    }

    /** The client's packets as the server decodes them, up to the first that does not decode. */
    private static List<MqttPacket> clientPackets(byte[] stream) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttDecoder.forServer(MqttConfig.DEFAULTS.maxPacketSize()));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(stream));
            List<MqttPacket> out = new ArrayList<>();
            Object o;
            while ((o = ch.readInbound()) instanceof MqttPacket p) {
                out.add(p);
            }
            return out;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static void drainOutbound(EmbeddedChannel channel, List<Object> into) {
        Object o;
        while ((o = channel.readOutbound()) != null) {
            into.add(o);
        }
    }

    /** The server's output, read back by a client decoder of the connection's version. */
    private static List<Object> decode(List<Object> written, MqttVersion version) {
        EmbeddedChannel client = new EmbeddedChannel(MqttDecoder.forClient(version, 268_435_460));
        try {
            for (Object o : written) {
                client.writeInbound(o instanceof ByteBuf b ? b : Unpooled.EMPTY_BUFFER);
            }
            List<Object> out = new ArrayList<>();
            Object o;
            while ((o = client.readInbound()) != null) {
                out.add(o);
            }
            return out;
        } finally {
            client.finishAndReleaseAll();
        }
    }

    private static MqttPacket.Connect firstConnect(byte[] stream) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttDecoder.forServer(MqttConfig.DEFAULTS.maxPacketSize()));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(stream));
            Object first = ch.readInbound();
            assertThat(first).as("the stream's first packet").isInstanceOf(MqttPacket.Connect.class);
            return (MqttPacket.Connect) first;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static ListAppender<ILoggingEvent> warnings() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel().isGreaterOrEqual(Level.WARN) && e.getThrowableProxy() != null) {
                    super.append(e);
                }
            }
        };
        appender.start();
        for (Class<?> c : List.of(MqttConnection.class, MqttDecoder.class)) {
            ((Logger) LoggerFactory.getLogger(c)).addAppender(appender);
        }
        return appender;
    }
}
