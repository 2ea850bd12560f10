package io.ratatoskr.log;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record header: a non-null string key and a nullable byte value.
 *
 * <p>Thread-safety: immutable as long as nobody changes the value array after handing it over; the
 * log never changes it and arrays it returns are its own copies.
 *
 * @param key the header name, never null
 * @param value the header value, or null
 */
public record Header(String key, byte[] value) {

    public Header {
        Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Header[" + key + "=" + (value == null ? "null" : value.length + "B") + "]";
    }
}
