package io.ratatoskr.core.durable;

import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.RecordView;
import io.ratatoskr.log.StoredRecord;
import io.ratatoskr.log.format.Varints;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * How a message is stored in a durable topic's log record. Version 1.
 *
 * <p>The record's key is the message key (null when the publisher gave none); its timestamp is the
 * time the broker received the message; its headers are the MQTT 5 user properties, in order (a
 * header value is the property's UTF-8 value); its idempotency key is the publisher's, if any. The
 * record value is the envelope:
 *
 * <pre>
 * offset  size      field
 * 0       1         version (1)
 * 1       1         flags: bit 0 retain; bits 1-2 QoS; bit 3 payload format present;
 *                   bit 4 content type; bit 5 response topic; bit 6 correlation data;
 *                   bit 7 expiry interval
 * 2       16        message id (UUID, most significant half first)
 * 18      varint+n  MQTT topic name, UTF-8 (unsigned varint length)
 *         varint+n  publisher client id, UTF-8; length 0 means none
 *         [1]       payload format indicator                 (if bit 3)
 *         [varint+n] content type                            (if bit 4)
 *         [varint+n] response topic                          (if bit 5)
 *         [varint+n] correlation data                        (if bit 6)
 *         [varint]  expiry interval seconds (signed varint)  (if bit 7)
 *         rest      payload
 * </pre>
 *
 * <p><b>Tombstones</b> ({@link #toTombstone}): in a compacted topic a keyed message with an empty
 * payload deletes its key. The log's cleaner recognises a tombstone by a null record value, so the
 * envelope (with an empty payload) travels in a first header named {@value #TOMBSTONE_HEADER}
 * (it starts with U+0000, which no MQTT user property name may contain [MQTT-1.5.4-2], so it
 * never collides with one); the user properties follow it. Reading gives back the message with
 * an empty payload.
 *
 * <p>Integrity is the log's business (each batch carries a CRC32C). A value with another version is
 * refused with {@link IllegalArgumentException}, so a newer format is never misread.
 *
 * <p>Thread-safety: stateless.
 */
public final class MessageEnvelope {
    public static final int VERSION = 1;
    /** The header that carries a tombstone's envelope. */
    public static final String TOMBSTONE_HEADER = "\u0000envelope";

    private MessageEnvelope() {}

    /**
     * The record to append for {@code message}. Its value is given in two parts, the envelope's head as
     * the {@linkplain Record#valuePrefix() prefix} and the message's payload array itself, so that the
     * payload is copied once, into the batch.
     */
    public static Record toRecord(Message message, UUID id, byte[] key, byte[] idempotencyKey) {
        return new Record(key, message.payload(), userHeaders(message.properties(), null),
                message.receivedAtMillis(), idempotencyKey, head(message, id));
    }

    /**
     * The tombstone record for {@code message} (whose payload is ignored): deletes {@code key} from a
     * compacted topic.
     */
    public static Record toTombstone(Message message, UUID id, byte[] key, byte[] idempotencyKey) {
        if (key == null) {
            throw new IllegalArgumentException("a tombstone needs a key");
        }
        // the head of an envelope is the whole envelope of an empty payload
        io.ratatoskr.log.Header envelope = new io.ratatoskr.log.Header(TOMBSTONE_HEADER, head(message, id));
        return new Record(key, null, userHeaders(message.properties(), envelope), message.receivedAtMillis(),
                idempotencyKey);
    }

    /** The envelope without its payload: every field before it. */
    private static byte[] head(Message message, UUID id) {
        MessageProperties p = message.properties();
        byte[] topic = utf8(message.topic());
        byte[] publisher = message.publisherId() == null ? new byte[0] : utf8(message.publisherId());
        byte[] contentType = p.contentType() == null ? null : utf8(p.contentType());
        byte[] responseTopic = p.responseTopic() == null ? null : utf8(p.responseTopic());
        byte[] correlation = p.correlationData();
        int flags = (message.retain() ? 1 : 0) | message.qos() << 1;
        int size = 2 + 16 + sized(topic) + sized(publisher);
        if (p.payloadFormat() >= 0) {
            flags |= 1 << 3;
            size += 1;
        }
        if (contentType != null) {
            flags |= 1 << 4;
            size += sized(contentType);
        }
        if (responseTopic != null) {
            flags |= 1 << 5;
            size += sized(responseTopic);
        }
        if (correlation != null) {
            flags |= 1 << 6;
            size += sized(correlation);
        }
        if (p.expiryIntervalSeconds() >= 0) {
            flags |= 1 << 7;
            size += Varints.sizeOfSigned(p.expiryIntervalSeconds());
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) VERSION).put((byte) flags);
        b.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        put(b, topic);
        put(b, publisher);
        if (p.payloadFormat() >= 0) {
            b.put((byte) p.payloadFormat());
        }
        if (contentType != null) {
            put(b, contentType);
        }
        if (responseTopic != null) {
            put(b, responseTopic);
        }
        if (correlation != null) {
            put(b, correlation);
        }
        if (p.expiryIntervalSeconds() >= 0) {
            Varints.putSigned(b, p.expiryIntervalSeconds());
        }
        return b.array();
    }

    private static List<io.ratatoskr.log.Header> userHeaders(MessageProperties p, io.ratatoskr.log.Header first) {
        if (p.userProperties().isEmpty()) {
            return first == null ? List.of() : List.of(first);
        }
        List<io.ratatoskr.log.Header> headers = new ArrayList<>(p.userProperties().size() + 1);
        if (first != null) {
            headers.add(first);
        }
        for (Header h : p.userProperties()) {
            headers.add(new io.ratatoskr.log.Header(h.name(), utf8(h.value())));
        }
        return headers;
    }

    /** The message stored in {@code record} of partition {@code partition} of {@code topic}. */
    public static DurableMessage fromRecord(String topic, int partition, StoredRecord record) {
        return fromRecord(topic, partition, RecordView.of(record), null);
    }

    /**
     * The message stored in the record {@code view} shows (of partition {@code partition} of {@code
     * topic}): the payload and every other field are copied out of the view's buffers once, so the
     * message outlives the visit; the view's buffers are not moved. The topic name and client id come
     * from {@code strings} when it knows their bytes (null: decoded each time).
     */
    public static DurableMessage fromRecord(String topic, int partition, RecordView record, Utf8Strings strings) {
        List<io.ratatoskr.log.Header> stored = record.headers();
        ByteBuffer value = record.value();
        if (value == null) {
            if (stored.isEmpty() || !stored.get(0).key().equals(TOMBSTONE_HEADER)) {
                throw new IllegalArgumentException("tombstone at " + topic + "/" + partition + "@" + record.offset()
                        + " carries no message envelope");
            }
            value = ByteBuffer.wrap(stored.get(0).value());
            stored = stored.subList(1, stored.size());
        }
        ByteBuffer b = value.duplicate();
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new IllegalArgumentException("message envelope version " + version + " at " + topic + "/"
                    + partition + "@" + record.offset() + " is not supported (this broker reads " + VERSION + ")");
        }
        int flags = b.get() & 0xFF;
        UUID id = new UUID(b.getLong(), b.getLong());
        String mqttTopic = string(b, strings);
        String publisher = string(b, strings);
        int payloadFormat = (flags & 1 << 3) != 0 ? b.get() & 0xFF : -1;
        String contentType = (flags & 1 << 4) != 0 ? string(b) : null;
        String responseTopic = (flags & 1 << 5) != 0 ? string(b) : null;
        byte[] correlation = (flags & 1 << 6) != 0 ? bytes(b) : null;
        long expiry = (flags & 1 << 7) != 0 ? Varints.getSigned(b) : -1;
        byte[] payload = new byte[b.remaining()];
        b.get(payload);
        List<Header> user = List.of();
        if (!stored.isEmpty()) {
            user = new ArrayList<>(stored.size());
            for (io.ratatoskr.log.Header h : stored) {
                user.add(new Header(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            }
        }
        MessageProperties props = new MessageProperties(payloadFormat, expiry, contentType, responseTopic,
                correlation, user);
        Message m = new Message(mqttTopic, payload, (flags >> 1) & 3, (flags & 1) != 0, props,
                publisher.isEmpty() ? null : publisher, record.timestampMs());
        return new DurableMessage(id, topic, partition, record.offset(), record.timestampMs(),
                RecordView.copy(record.key()), m);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int sized(byte[] bytes) {
        return Varints.sizeOfUnsigned(bytes.length) + bytes.length;
    }

    private static void put(ByteBuffer b, byte[] bytes) {
        Varints.putUnsigned(b, bytes.length);
        b.put(bytes);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[Varints.getUnsigned(b)];
        b.get(out);
        return out;
    }

    private static String string(ByteBuffer b) {
        return string(b, null);
    }

    private static String string(ByteBuffer b, Utf8Strings strings) {
        int n = Varints.getUnsigned(b);
        if (n == 0) {
            return "";
        }
        if (n > b.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes where " + b.remaining() + " are left");
        }
        if (strings != null) {
            return strings.decode(b, n);
        }
        String s;
        if (b.hasArray()) {
            s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
            b.position(b.position() + n);
        } else {
            byte[] utf8 = new byte[n];
            b.get(utf8);
            s = new String(utf8, StandardCharsets.UTF_8);
        }
        return s;
    }
}
