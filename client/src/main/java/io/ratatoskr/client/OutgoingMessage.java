package io.ratatoskr.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A message to publish. Build it with {@link #builder(String)} (or {@link #builder()} for a batch
 * message, whose topic is the batch's).
 *
 * <pre>{@code
 * OutgoingMessage m = OutgoingMessage.builder("orders/eu")
 *         .payload("{\"id\": 42}").key("customer-7").contentType("application/json")
 *         .idempotencyKey("order-42").header("source", "web").build();
 * }</pre>
 *
 * <p>Thread-safety: immutable; the builder is not thread-safe.
 */
public final class OutgoingMessage {
    private final String topic;
    private final byte[] payload;
    private final Map<String, String> metadata;
    private final String key;
    private final String idempotencyKey;
    private final String contentType;
    private final Duration ttl;
    private final Integer qos;
    private final boolean retain;
    private final boolean liveOnly;

    private OutgoingMessage(Builder b) {
        this.topic = b.topic;
        this.payload = b.payload;
        this.metadata = Map.copyOf(b.metadata);
        this.key = b.key;
        this.idempotencyKey = b.idempotencyKey;
        this.contentType = b.contentType;
        this.ttl = b.ttl;
        this.qos = b.qos;
        this.retain = b.retain;
        this.liveOnly = b.liveOnly;
    }

    /** A message on MQTT topic name {@code topic}. */
    public static Builder builder(String topic) {
        return new Builder().topic(topic);
    }

    /** A message without a topic, for {@link RatatoskrClient#publishBatch}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A message with {@code payload} on {@code topic} and nothing else set. */
    public static OutgoingMessage of(String topic, byte[] payload) {
        return builder(topic).payload(payload).build();
    }

    /** The MQTT topic name, or null for a batch message. */
    public String topic() {
        return topic;
    }

    /** The payload (the array itself; do not modify it). */
    public byte[] payload() {
        return payload;
    }

    /** Application headers; never null. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The key (picks the partition; compaction keeps the latest per key), or null. */
    public String key() {
        return key;
    }

    /** The idempotency key (a republish within the topic's dedupe window is not stored again), or null. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The content type, or null. */
    public String contentType() {
        return contentType;
    }

    /** The time to live, or null for the topic's default. */
    public Duration ttl() {
        return ttl;
    }

    /** The QoS live MQTT subscribers receive it at (0..2), or null for the broker's default (1). */
    public Integer qos() {
        return qos;
    }

    /** Whether it is also kept as the topic's retained message. */
    public boolean retain() {
        return retain;
    }

    /** Whether it is routed to live subscribers without requiring a durable topic. */
    public boolean liveOnly() {
        return liveOnly;
    }

    /** Builds an {@link OutgoingMessage}. Not thread-safe. */
    public static final class Builder {
        private String topic;
        private byte[] payload = new byte[0];
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private String key;
        private String idempotencyKey;
        private String contentType;
        private Duration ttl;
        private Integer qos;
        private boolean retain;
        private boolean liveOnly;

        private Builder() {
        }

        /** The MQTT topic name to publish on. */
        public Builder topic(String t) {
            this.topic = Objects.requireNonNull(t, "topic");
            return this;
        }

        /** The payload bytes (not copied). */
        public Builder payload(byte[] p) {
            this.payload = Objects.requireNonNull(p, "payload");
            return this;
        }

        /** The payload as UTF-8. */
        public Builder payload(String p) {
            return payload(p.getBytes(StandardCharsets.UTF_8));
        }

        /** Adds application header {@code name} = {@code value}. */
        public Builder header(String name, String value) {
            metadata.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Adds every entry of {@code headers}. */
        public Builder metadata(Map<String, String> headers) {
            headers.forEach(this::header);
            return this;
        }

        /** The message key. */
        public Builder key(String k) {
            this.key = k;
            return this;
        }

        /** The idempotency key, at most 256 bytes. */
        public Builder idempotencyKey(String k) {
            this.idempotencyKey = k;
            return this;
        }

        /** The content type (MQTT 5 content type). */
        public Builder contentType(String c) {
            this.contentType = c;
            return this;
        }

        /** Not delivered after {@code t} (whole milliseconds, at least 1). */
        public Builder ttl(Duration t) {
            if (t != null && t.toMillis() < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 ms: " + t);
            }
            this.ttl = t;
            return this;
        }

        /** The QoS for live MQTT subscribers, 0..2. */
        public Builder qos(int q) {
            if (q < 0 || q > 2) {
                throw new IllegalArgumentException("qos must be 0, 1 or 2: " + q);
            }
            this.qos = q;
            return this;
        }

        /** Also keep it as the topic's retained message. */
        public Builder retain(boolean r) {
            this.retain = r;
            return this;
        }

        /** Route to live subscribers even when no durable topic captures it. */
        public Builder liveOnly(boolean l) {
            this.liveOnly = l;
            return this;
        }

        /** The message. */
        public OutgoingMessage build() {
            return new OutgoingMessage(this);
        }
    }
}
