package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.Vectors.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;

import static io.ratatoskr.mqtt.codec.Frames.decodeAll;
import static io.ratatoskr.mqtt.codec.Frames.encode;
import static io.ratatoskr.mqtt.codec.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

class ByteVectorTest {

    static final List<Vector> vectors = Vectors.ALL;

    @ParameterizedTest(name = "{0}")
    @FieldSource("vectors")
    void vectorDecodesToItsPacket(Vector v) {
        assertThat(Frames.read(v.bytes(), v.version())).isEqualTo(v.packet());
        MqttDecoder decoder = v.packet() instanceof Connect
                ? MqttDecoder.forServer(1024)
                : MqttDecoder.forClient(v.version(), 1024);
        assertThat(decodeAll(decoder, v.bytes())).containsExactly(v.packet());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("vectors")
    void packetEncodesToItsVector(Vector v) {
        assertThat(encode(v.packet(), v.version())).isEqualTo(v.bytes());
        assertThat(PacketWriter.encodedSize(v.packet(), v.version())).isEqualTo(v.bytes().length);
    }

    /** The table of §2.2.3 (3.1.1) and §1.5.5 (5.0): boundaries of one to four bytes. */
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
        "0, 00",
        "127, 7F",
        "128, 80 01",
        "16383, FF 7F",
        "16384, 80 80 01",
        "2097151, FF FF 7F",
        "2097152, 80 80 80 01",
        "268435455, FF FF FF 7F",
    })
    void variableByteIntegersMatchTheSpecTable(int value, String encoded) {
        byte[] bytes = hex(encoded);
        ByteBuf buf = Unpooled.buffer();
        Wire.writeVariableByteInteger(buf, value);
        assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(bytes);
        assertThat(Wire.variableByteIntegerSize(value)).isEqualTo(bytes.length);
        assertThat(PacketReader.remainingLength(Unpooled.wrappedBuffer(bytes), 0)).isEqualTo(value);
        assertThat(PacketReader.remainingLength(Unpooled.wrappedBuffer(bytes, 0, bytes.length - 1), 0))
                .as("one byte short").isEqualTo(-1);
        buf.release();
    }

    @Test
    void headerOfTheLargestPacketIsFiveBytes() {
        assertThat(PacketReader.packetBytes(268_435_455)).isEqualTo(1 + 4 + 268_435_455);
    }
}
