package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Topic names decoded once per run of equal names, and still checked like any string. */
class TopicNamesTest {

    private static ByteBuf string(byte[] utf8) {
        return Unpooled.buffer().writeShort(utf8.length).writeBytes(utf8);
    }

    @Test
    void repeatedTopicBytesGiveTheSameStringAndDifferentOnesANewOne() {
        TopicNames names = new TopicNames();
        String first = names.read(string("a/b/c".getBytes()), "topic");
        String again = names.read(string("a/b/c".getBytes()), "topic");
        String sameLength = names.read(string("a/b/d".getBytes()), "topic");
        String back = names.read(string("a/b/c".getBytes()), "topic");

        assertThat(again).isEqualTo("a/b/c").isSameAs(first);
        assertThat(sameLength).isEqualTo("a/b/d");
        assertThat(back).isEqualTo("a/b/c");
    }

    @Test
    void aTruncatedOrIllFormedNameFailsEvenAfterAGoodOne() {
        TopicNames names = new TopicNames();
        names.read(string("ok".getBytes()), "topic");
        ByteBuf truncated = Unpooled.buffer().writeShort(2).writeByte('o');
        assertThatThrownBy(() -> names.read(truncated, "topic")).isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> names.read(string(new byte[] {'o', 0}), "topic"))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void aPublisherRepeatingATopicDecodesEveryPacketCorrectly() {
        EmbeddedChannel server = new EmbeddedChannel(MqttDecoder.forServer(1 << 16));
        try {
            List<MqttPacket> sent = new ArrayList<>();
            sent.add(new MqttPacket.Connect(MqttVersion.V3_1_1, "c", true, 60, null, null, null,
                    MqttProperties.EMPTY));
            String[] topics = {"s/1", "s/1", "s/2", "s/1", "s/1"};
            for (int i = 0; i < topics.length; i++) {
                sent.add(new Publish(topics[i], 1, false, false, i + 1, new byte[] {(byte) i}, MqttProperties.EMPTY));
            }
            for (MqttPacket p : sent) {
                server.writeInbound(Unpooled.wrappedBuffer(Frames.encode(p, MqttVersion.V3_1_1)));
            }
            List<Object> got = Frames.drain(server);
            assertThat(got).containsExactlyElementsOf(sent);
            assertThat(((Publish) got.get(2)).topic()).isSameAs(((Publish) got.get(1)).topic());
        } finally {
            server.finishAndReleaseAll();
        }
    }
}
