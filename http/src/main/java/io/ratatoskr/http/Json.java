package io.ratatoskr.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ratatoskr.core.error.ErrorCode;
import java.io.IOException;

/**
 * The JSON mapping of the admin API. Unknown fields in a request are refused (a misspelt setting
 * must not be silently ignored); absent fields are null and mean "the default" or "unchanged".
 *
 * <p>Thread-safety: the mapper is configured once and then thread-safe.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(SerializationFeature.INDENT_OUTPUT, true)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Json() {}

    /**
     * Reads a request body, never null; a malformed one (or JSON {@code null}) is the client's
     * mistake (400 invalid_argument).
     */
    public static <T> T read(byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            throw ErrorCode.INVALID_ARGUMENT.exception("a JSON body is required");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw ErrorCode.INVALID_ARGUMENT.exception("a JSON object is required, not null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ErrorCode.INVALID_ARGUMENT.exception("bad JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ErrorCode.INVALID_ARGUMENT.exception("bad JSON: " + e.getMessage());
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass().getName(), e);
        }
    }
}
