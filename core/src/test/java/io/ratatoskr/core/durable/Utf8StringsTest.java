package io.ratatoskr.core.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8StringsTest {

    private static ByteBuffer direct(String... parts) {
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        for (String p : parts) {
            b.put(p.getBytes(StandardCharsets.UTF_8));
        }
        return b.flip();
    }

    private static int len(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void repeatedBytesGiveTheSameStringAndOtherBytesTheirOwn() {
        Utf8Strings strings = new Utf8Strings();
        String topic = "sensors/hall/temp\u00e9";
        ByteBuffer b = direct(topic, topic, "sensors/hall/tempX", topic);
        String first = strings.decode(b, len(topic));
        String second = strings.decode(b, len(topic));
        String other = strings.decode(b, len("sensors/hall/tempX"));
        String fourth = strings.decode(b, len(topic));
        assertThat(first).isEqualTo(topic);
        assertThat(second).isSameAs(first);
        assertThat(other).isEqualTo("sensors/hall/tempX");
        assertThat(fourth).isSameAs(first);
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void heapBuffersAndLongStringsDecodeRight() {
        Utf8Strings strings = new Utf8Strings();
        String longOne = "x".repeat(Utf8Strings.MAX_BYTES + 1);
        ByteBuffer heap = ByteBuffer.wrap(("ab" + "ab" + longOne).getBytes(StandardCharsets.UTF_8));
        assertThat(strings.decode(heap, 2)).isEqualTo("ab");
        assertThat(strings.decode(heap, 2)).isEqualTo("ab");
        assertThat(strings.decode(heap, longOne.length())).isEqualTo(longOne);
        // more distinct strings than slots: each still decodes right
        for (int i = 0; i < 3 * Utf8Strings.SLOTS; i++) {
            String s = "c" + (i % (Utf8Strings.SLOTS + 1));
            assertThat(strings.decode(direct(s), len(s))).isEqualTo(s);
        }
    }
}
