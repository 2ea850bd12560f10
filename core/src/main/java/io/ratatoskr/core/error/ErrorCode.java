package io.ratatoskr.core.error;

/**
 * The catalogue of errors the broker reports to clients: a stable code, the MQTT 5 reason code, the
 * gRPC status code and the HTTP status each protocol answers with, and a message template
 * ({@link String#format} placeholders) that says what to do about it.
 *
 * <p>MQTT reason codes are chosen among those the packet that carries the answer may use: a PUBACK
 * or PUBREC only allows 0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97 and 0x99 (MQTT 5.0
 * §3.4.2.1), a SUBACK 0x00–0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1 and 0xA2
 * (§3.9.3). gRPC codes are the numeric values of {@code io.grpc.Status.Code}.
 *
 * <p>Thread-safety: immutable.
 */
public enum ErrorCode {
    TOPIC_NOT_FOUND("topic_not_found", 0x8F, 5, 404,
            "durable topic '%s' does not exist; create it first (ratatoskr topic create %1$s)"),
    TOPIC_EXISTS("topic_exists", 0x80, 6, 409, "durable topic '%s' already exists"),
    INVALID_TOPIC_NAME("invalid_topic_name", 0x90, 3, 400,
            "'%s' is not a valid durable topic name: use 1-200 characters from [A-Za-z0-9._-]"),
    INVALID_TOPIC_CONFIG("invalid_topic_config", 0x80, 3, 400, "invalid topic configuration: %s"),
    FILTER_CONFLICT("filter_conflict", 0x80, 9, 409, "%s"),
    TOPIC_LIMIT_REACHED("topic_limit_reached", 0x97, 8, 409,
            "the broker holds its maximum of %s; delete unused durable topics or raise the limit"),
    MESSAGE_KEY_REQUIRED("message_key_required", 0x83, 9, 400,
            "durable topic '%s' is compacted: every message needs a key (MQTT 5 user property message-key)"),
    IDEMPOTENCY_KEY_TOO_LONG("idempotency_key_too_long", 0x83, 3, 400,
            "idempotency key of %d bytes exceeds the maximum of %d bytes (UTF-8)"),
    MESSAGE_TOO_LARGE("message_too_large", 0x97, 8, 413,
            "message of %d bytes exceeds the max message size %d of durable topic '%s'"),
    PARTITION_OVERLOADED("partition_overloaded", 0x97, 8, 429,
            "partition %s is overloaded (write queue full); retry with backoff"),
    PARTITION_FAILED("partition_failed", 0x80, 14, 503,
            "partition %s cannot take writes: %s"),
    INVALID_QUEUE_FILTER("invalid_queue_filter", 0x8F, 3, 400,
            "'%s' is not a valid consumer-group subscription: use $queue/<group>/<durable topic>"),
    INVALID_GROUP_NAME("invalid_group_name", 0x8F, 3, 400,
            "'%s' is not a valid consumer group name: use 1-200 characters from [A-Za-z0-9._-]"),
    GROUP_NOT_FOUND("group_not_found", 0x80, 5, 404, "consumer group '%s' of topic '%s' does not exist"),
    DELIVERY_NOT_FOUND("delivery_not_found", 0x80, 5, 404,
            "no unacknowledged delivery %s: it was acknowledged already or timed out and was redelivered"),
    GROUP_LIMIT_REACHED("group_limit_reached", 0x97, 8, 429, "%s"),
    OFFSET_OUT_OF_RANGE("offset_out_of_range", 0x80, 11, 416,
            "offset %d is outside [%d, %d] of partition %s"),
    STATE_STORE_OVERLOADED("state_store_overloaded", 0x97, 8, 429,
            "the %s store is overloaded (write queue full); retry with backoff"),
    STATE_STORE_FAILED("state_store_failed", 0x80, 14, 503, "the %s store cannot take writes: %s"),
    CONSUMER_TOO_SLOW("consumer_too_slow", 0x97, 8, 429, "%s"),
    RETAINED_LIMIT_REACHED("retained_limit_reached", 0x97, 8, 429,
            "the broker holds its maximum of %s retained; clear unused retained messages or raise the limit"),
    MEMORY_HIGH_WATERMARK("memory_high_watermark", 0x97, 8, 503,
            "memory high watermark: the broker's heap is over %s full; publishes are refused until it drains"),
    CLIENT_NOT_FOUND("client_not_found", 0x80, 5, 404, "no client '%s' is connected"),
    SESSION_NOT_FOUND("session_not_found", 0x80, 5, 404, "there is no session of client '%s'"),
    RETAINED_NOT_FOUND("retained_not_found", 0x80, 5, 404, "there is no retained message on topic '%s'"),
    UNAUTHENTICATED("unauthenticated", 0x87, 16, 401, "%s"),
    LOGIN_RATE_LIMITED("login_rate_limited", 0x9F, 8, 429, "%s"),
    NOT_AUTHORIZED("not_authorized", 0x87, 7, 403, "%s"),
    INVALID_ARGUMENT("invalid_argument", 0x80, 3, 400, "%s"),
    UNAVAILABLE("unavailable", 0x80, 14, 503, "%s"),
    INTERNAL("internal", 0x80, 13, 500, "internal error: %s");

    private final String code;
    private final int mqttReasonCode;
    private final int grpcStatus;
    private final int httpStatus;
    private final String template;

    ErrorCode(String code, int mqttReasonCode, int grpcStatus, int httpStatus, String template) {
        this.code = code;
        this.mqttReasonCode = mqttReasonCode;
        this.grpcStatus = grpcStatus;
        this.httpStatus = httpStatus;
        this.template = template;
    }

    /** The stable, machine-readable code, e.g. {@code topic_not_found}. */
    public String code() {
        return code;
    }

    /** The MQTT 5 reason code an MQTT answer carries. */
    public int mqttReasonCode() {
        return mqttReasonCode;
    }

    /** The numeric gRPC status code. */
    public int grpcStatus() {
        return grpcStatus;
    }

    /** The HTTP status of an admin API answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The message template ({@link String#format} syntax). */
    public String template() {
        return template;
    }

    /** The message for this error: the template filled with {@code args}. */
    public String format(Object... args) {
        return String.format(template, args);
    }

    /** An exception carrying this code and the formatted message. */
    public RatatoskrException exception(Object... args) {
        return new RatatoskrException(this, format(args));
    }
}
