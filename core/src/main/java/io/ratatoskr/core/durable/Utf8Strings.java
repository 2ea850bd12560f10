package io.ratatoskr.core.durable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes short UTF-8 strings that repeat from one stored message to the next (the MQTT topic name, the
 * publisher's client id) once, and hands the same {@link String} back while the bytes stay the same: a
 * reader decoding a run of messages from one publisher to one topic builds no string per message. It
 * remembers the last {@value #SLOTS} distinct strings of at most {@value #MAX_BYTES} bytes, replacing them
 * in turn; longer ones are decoded each time.
 *
 * <p>Thread-safety: not thread-safe; confine each instance to one thread (a consumer group's).
 */
public final class Utf8Strings {
    static final int SLOTS = 4;
    static final int MAX_BYTES = 256;

    private final byte[][] bytes = new byte[SLOTS][];
    private final String[] strings = new String[SLOTS];
    private int next;

    /** The string of the {@code n} bytes at {@code b}'s position, which moves past them. */
    String decode(ByteBuffer b, int n) {
        int at = b.position();
        if (n > MAX_BYTES) {
            byte[] utf8 = new byte[n];
            b.get(utf8);
            return new String(utf8, StandardCharsets.UTF_8);
        }
        for (int i = 0; i < SLOTS; i++) {
            byte[] known = bytes[i];
            if (known != null && known.length == n && same(b, at, known)) {
                b.position(at + n);
                return strings[i];
            }
        }
        byte[] utf8 = new byte[n];
        b.get(utf8);
        String s = new String(utf8, StandardCharsets.UTF_8);
        bytes[next] = utf8;
        strings[next] = s;
        next = (next + 1) % SLOTS;
        return s;
    }

    private static boolean same(ByteBuffer b, int at, byte[] known) {
        if (b.hasArray()) {
            int from = b.arrayOffset() + at;
            return Arrays.equals(known, 0, known.length, b.array(), from, from + known.length);
        }
        for (int i = 0; i < known.length; i++) {
            if (b.get(at + i) != known[i]) {
                return false;
            }
        }
        return true;
    }
}
