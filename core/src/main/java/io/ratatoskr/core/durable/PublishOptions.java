package io.ratatoskr.core.durable;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;

/**
 * How one message is appended to a durable topic: its partition/compaction key and its idempotency
 * key. Over MQTT 5 both come from user properties ({@link #MESSAGE_KEY}, {@link #IDEMPOTENCY_KEY});
 * the explicit API ({@link DurableTopics#publish}) takes them directly.
 *
 * <p>Thread-safety: immutable.
 *
 * @param key            the message key, or null: partition by its hash, keep the latest per key
 *                       in a compacted topic
 * @param idempotencyKey the publisher's idempotency key, or null: a second publish with the same
 *                       key within the topic's dedupe window is acknowledged with the first's
 *                       position and not stored again
 */
public record PublishOptions(String key, String idempotencyKey) {
    /** The user property that carries the message key. */
    public static final String MESSAGE_KEY = "message-key";
    /** The user property that carries the idempotency key. */
    public static final String IDEMPOTENCY_KEY = "idempotency-key";
    /**
     * The longest idempotency key, in UTF-8 bytes: every topic remembers the keys of its dedupe
     * window, so their length bounds that memory together with {@code dedupeMaxKeys}.
     */
    public static final int MAX_IDEMPOTENCY_KEY_BYTES = 256;
    /** No key, no idempotency key. */
    public static final PublishOptions NONE = new PublishOptions(null, null);

    /** The keys {@code message} carries in its user properties (the first of each name wins). */
    public static PublishOptions of(Message message) {
        String key = null;
        String idempotencyKey = null;
        for (Header h : message.properties().userProperties()) {
            if (key == null && h.name().equals(MESSAGE_KEY)) {
                key = h.value();
            } else if (idempotencyKey == null && h.name().equals(IDEMPOTENCY_KEY)) {
                idempotencyKey = h.value();
            }
        }
        return key == null && idempotencyKey == null ? NONE : new PublishOptions(key, idempotencyKey);
    }
}
