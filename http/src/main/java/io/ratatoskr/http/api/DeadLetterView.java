package io.ratatoskr.http.api;

import io.ratatoskr.core.durable.DeadLetters;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.message.Header;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dead letter as the admin API shows it: where it is stored, why and from where it was
 * dead-lettered (its parsed {@code dlq-*} headers; numbers unknown are -1), all its user
 * properties, and its payload — as text when it is valid UTF-8 ({@code payloadEncoding} "utf-8"),
 * else base64 ({@code "base64"}).
 *
 * <p>Thread-safety: immutable.
 */
public record DeadLetterView(int partition, long offset, String id, long timestampMs, String mqttTopic, String key,
                             String reason, int attempts, String sourceTopic, int sourcePartition, long sourceOffset,
                             long firstFailureMs, String group, boolean replayed, Map<String, String> headers,
                             String payloadEncoding, String payload) {

    /** A page of dead letters of one partition; {@code nextOffset} continues after it. */
    public record Page(String topic, int partition, long nextOffset, List<DeadLetterView> deadLetters) {}

    /** A dead-letter topic: messages kept, and those not yet replayed. */
    public record TopicDepth(String name, long depth, long messages) {}

    public static DeadLetterView of(DeadLetters.DeadLetter d) {
        DurableMessage m = d.message();
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : m.message().properties().userProperties()) {
            headers.putIfAbsent(h.name(), h.value());
        }
        String text = utf8(m.message().payload());
        String key = m.key() == null ? null : new String(m.key(), StandardCharsets.UTF_8);
        return new DeadLetterView(m.partition(), m.offset(), m.id().toString(), m.timestampMs(), m.message().topic(),
                key, d.reason(), d.attempts(), d.sourceTopic(), d.sourcePartition(), d.sourceOffset(),
                d.firstFailureMs(), d.group(), d.replayed(), headers, text != null ? "utf-8" : "base64",
                text != null ? text : Base64.getEncoder().encodeToString(m.message().payload()));
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
