package io.ratatoskr.mqtt.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the seed corpora of {@link MqttDecoderFuzzTest} from the spec {@link Vectors}; the files are
 * committed, so this runs only on demand:
 * {@code ./mvnw -pl mqtt -am test -Dtest=MqttFuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false
 * -Dratatoskr.fuzz.seeds=write}.
 *
 * <p>Jazzer's {@code FuzzedDataProvider} takes its small values from the end of the input and the remaining
 * bytes from the front, so each seed is a byte stream followed by the choices, last-consumed first.
 */
class MqttFuzzSeeds {
    private static final Path ROOT = Path.of("src/test/resources/io/ratatoskr/mqtt/codec/MqttDecoderFuzzTestInputs");

    @Test
    @EnabledIfSystemProperty(named = "ratatoskr.fuzz.seeds", matches = "write")
    void writeSeeds() throws IOException {
        for (MqttVersion version : MqttVersion.values()) {
            byte[] connect = null;
            byte[] rest = new byte[0];
            for (Vectors.Vector v : Vectors.ALL) {
                if (v.version() != version) {
                    continue;
                }
                if (v.packet() instanceof MqttPacket.Connect && connect == null) {
                    connect = v.bytes();
                } else if (!(v.packet() instanceof MqttPacket.Connect)) {
                    rest = Frames.concat(rest, v.bytes());
                }
                // one packet per seed for the reader: its body, then the first byte, then the version
                byte[] body = Arrays.copyOfRange(v.bytes(), headerBytes(v.bytes()), v.bytes().length);
                write("packetReaderThrowsOnlyItsOwnException", v.name(),
                        Frames.concat(body, new byte[] {v.bytes()[0], (byte) version.ordinal()}));
            }
            // server: CONNECT then everything else of the version, no cuts
            if (connect != null) {
                write("serverDecoderHandlesAnyStream", version.name(), Frames.concat(connect, rest, new byte[] {0}));
            }
            // client: the version's packets, one cut, then the version
            write("clientDecoderHandlesAnyStream", version.name(),
                    Frames.concat(rest, new byte[] {0x10, 0x00, 1, (byte) version.ordinal()}));
        }
    }

    /** Seeds of {@code io.ratatoskr.mqtt.server.ConnectFlowFuzzTest}: a login, then the version's packets. */
    @Test
    @EnabledIfSystemProperty(named = "ratatoskr.fuzz.seeds", matches = "write")
    void writeConnectFlowSeeds() throws IOException {
        Path dir = Path.of("src/test/resources/io/ratatoskr/mqtt/server/ConnectFlowFuzzTestInputs"
                + "/anyBytesThroughTheConnectFlowKeepTheContract");
        Files.createDirectories(dir);
        for (MqttVersion version : MqttVersion.values()) {
            for (String password : new String[] {"secret", "wrong"}) {
                byte[] stream = Frames.encode(new MqttPacket.Connect(version, "c-" + version.ordinal(), true, 30,
                        "user", password.getBytes(java.nio.charset.StandardCharsets.UTF_8), null,
                        MqttProperties.EMPTY), version);
                for (Vectors.Vector v : Vectors.ALL) {
                    if (v.version() == version && isClientPacket(v.packet())) {
                        stream = Frames.concat(stream, v.bytes());
                    }
                }
                // one chunk: the count of chunks is the last byte
                Files.write(dir.resolve("seed-" + version.name() + "-" + password),
                        Frames.concat(stream, new byte[] {0}));
            }
        }
        // MQTT 5 enhanced authentication (§4.12): CONNECT with the method, AUTH 0x18 with the answer, a
        // re-authentication (AUTH 0x19, AUTH 0x18), then the version's packets.
        for (String password : new String[] {"secret", "wrong"}) {
            MqttVersion v5 = MqttVersion.V5;
            byte[] answer = password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] stream = Frames.concat(
                    Frames.encode(new MqttPacket.Connect(v5, "c-auth", true, 30, null, null, null,
                            authProperties(new byte[] {'h', 'i'})), v5),
                    Frames.encode(new MqttPacket.Auth(ReasonCode.CONTINUE_AUTHENTICATION, authProperties(answer)), v5),
                    Frames.encode(new MqttPacket.Auth(ReasonCode.RE_AUTHENTICATE, authProperties(null)), v5),
                    Frames.encode(new MqttPacket.Auth(ReasonCode.CONTINUE_AUTHENTICATION, authProperties(answer)), v5));
            for (Vectors.Vector v : Vectors.ALL) {
                if (v.version() == v5 && isClientPacket(v.packet())) {
                    stream = Frames.concat(stream, v.bytes());
                }
            }
            Files.write(dir.resolve("seed-V5-auth-" + password), Frames.concat(stream, new byte[] {0}));
        }
    }

    private static MqttProperties authProperties(byte[] data) {
        MqttProperties.Builder b = MqttProperties.builder().authenticationMethod("TEST-CHALLENGE");
        return (data == null ? b : b.authenticationData(data)).build();
    }

    private static boolean isClientPacket(MqttPacket p) {
        return p instanceof MqttPacket.Publish || p instanceof MqttPacket.Subscribe
                || p instanceof MqttPacket.Unsubscribe || p instanceof MqttPacket.PingReq;
    }

    private static int headerBytes(byte[] frame) {
        int remaining = PacketReader.remainingLength(io.netty.buffer.Unpooled.wrappedBuffer(frame), 1);
        return PacketReader.packetBytes(remaining) - remaining;
    }

    private static void write(String method, String name, byte[] bytes) throws IOException {
        Path dir = ROOT.resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve("seed-" + name.replaceAll("[^A-Za-z0-9.]+", "-").replaceAll("-+$", "")), bytes);
    }
}
