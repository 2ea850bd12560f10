package io.ratatoskr.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ratatoskr.core.message.Message;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A retained message: in a list ({@code GET /api/v1/retained}) with a short preview of its payload,
 * alone ({@code GET /api/v1/retained/message?topic=...}) with all of it. A payload that is valid
 * UTF-8 is shown as text ({@code encoding: "utf8"}), any other as base64.
 *
 * <p>Thread-safety: immutable.
 *
 * @param payloadBytes the payload's full size
 * @param storedAt     when the broker received the message
 * @param payload      the first {@value #PREVIEW_BYTES} bytes in a list, all of it alone
 * @param truncated    whether {@code payload} is cut short
 */
public record RetainedView(String topic, int payloadBytes, int qos,
                           @JsonInclude(JsonInclude.Include.ALWAYS) String contentType, String storedAt,
                           String encoding, String payload, boolean truncated) {
    /** Payload bytes in a list entry's preview. */
    public static final int PREVIEW_BYTES = 64;

    public static RetainedView preview(Message m) {
        return of(m, PREVIEW_BYTES);
    }

    public static RetainedView full(Message m) {
        return of(m, Integer.MAX_VALUE);
    }

    private static RetainedView of(Message m, int maxBytes) {
        byte[] p = m.payload();
        boolean cut = p.length > maxBytes;
        byte[] shown = cut ? Arrays.copyOf(p, maxBytes) : p;
        String text = utf8(shown, cut);
        String encoding = text == null ? "base64" : "utf8";
        String payload = text == null ? Base64.getEncoder().encodeToString(shown) : text;
        return new RetainedView(m.topic(), p.length, m.qos(), m.properties().contentType(),
                Instant.ofEpochMilli(m.receivedAtMillis()).toString(), encoding, payload, cut);
    }

    /** The bytes as text if they are UTF-8 (a cut may split the last character: it is dropped); else null. */
    private static String utf8(byte[] bytes, boolean cut) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int end = bytes.length;
        for (int drop = 0; drop <= (cut ? 3 : 0) && end - drop >= 0; drop++) {
            try {
                return decoder.reset().decode(ByteBuffer.wrap(bytes, 0, end - drop)).toString();
            } catch (CharacterCodingException e) {
                // try one byte shorter: the cut may have split a character
            }
        }
        return null;
    }

    /** A page of retained messages sorted by topic; {@code next} is the topic to pass as {@code after}. */
    public record Page(List<RetainedView> messages, @JsonInclude(JsonInclude.Include.ALWAYS) String next) {}
}
