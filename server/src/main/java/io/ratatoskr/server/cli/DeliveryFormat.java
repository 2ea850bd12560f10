package io.ratatoskr.server.cli;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ratatoskr.http.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How {@code sub} and {@code consume} print a message ({@code --format}):
 * <ul>
 *   <li>{@code raw}: the payload as text, one message a line;</li>
 *   <li>{@code json}: one JSON object a line: {@code topic}, {@code payload}, {@code payloadEncoding}
 *       ({@code utf-8}, or {@code base64} when the payload is not valid UTF-8), {@code qos}, {@code retain},
 *       {@code properties}, and when present {@code key}, {@code contentType}, {@code messageId},
 *       {@code durableTopic}, {@code partition}, {@code offset}, {@code attempt};</li>
 *   <li>{@code verbose}: the topic, the delivery's details in brackets, then the payload.</li>
 * </ul>
 *
 * <p>Thread-safety: stateless.
 */
enum DeliveryFormat {
    RAW, JSON, VERBOSE;

    private static final ObjectWriter LINE = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

    /** {@code d} as one line of text (without the line break). */
    String format(Delivery d) {
        return switch (this) {
            case RAW -> new String(d.payload(), StandardCharsets.UTF_8);
            case JSON -> json(d);
            case VERBOSE -> verbose(d);
        };
    }

    private static String json(Delivery d) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("topic", d.topic());
        String text = utf8(d.payload());
        o.put("payload", text != null ? text : Base64.getEncoder().encodeToString(d.payload()));
        o.put("payloadEncoding", text != null ? "utf-8" : "base64");
        o.put("qos", d.qos());
        o.put("retain", d.retain());
        o.put("properties", d.properties());
        o.put("key", d.key());
        o.put("contentType", d.contentType());
        o.put("messageId", d.messageId());
        o.put("durableTopic", d.durableTopic());
        o.put("partition", d.partition());
        o.put("offset", d.offset());
        o.put("attempt", d.attempt());
        o.values().removeIf(v -> v == null);
        try {
            return LINE.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a message as JSON", e);
        }
    }

    private static String verbose(Delivery d) {
        StringJoiner details = new StringJoiner(", ", " [", "] ");
        if (d.qos() != null) {
            details.add("qos " + d.qos());
        }
        if (d.retain()) {
            details.add("retained");
        }
        if (d.durableTopic() != null) {
            details.add(d.durableTopic() + "/" + d.partition() + "@" + d.offset());
        }
        if (d.attempt() != null) {
            details.add("attempt " + d.attempt());
        }
        if (d.messageId() != null) {
            details.add("id " + d.messageId());
        }
        if (d.key() != null) {
            details.add("key " + d.key());
        }
        if (d.contentType() != null) {
            details.add("content-type " + d.contentType());
        }
        d.properties().forEach((k, v) -> details.add(k + "=" + v));
        details.setEmptyValue(" ");
        String text = utf8(d.payload());
        return d.topic() + details + (text != null ? text : "base64:" + Base64.getEncoder().encodeToString(d.payload()));
    }

    /** The payload as text, or null when it is not valid UTF-8. */
    static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
