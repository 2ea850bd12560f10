package io.ratatoskr.core.security;

/**
 * The outcome of an authentication: the principal the client acts as, or why it is refused.
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface AuthResult {

    /** Authenticated (or anonymous where allowed). */
    record Accepted(Principal principal) implements AuthResult {}

    /**
     * Refused. MQTT maps {@link Reason#BAD_CREDENTIALS} to CONNACK 0x86 (v5) / 0x04 (v3.1.1),
     * {@link Reason#NOT_AUTHORIZED} to 0x87 / 0x05, {@link Reason#RATE_LIMITED} to 0x9F (connection
     * rate exceeded) / 0x03, {@link Reason#UNAVAILABLE} to 0x88 / 0x03; gRPC to UNAUTHENTICATED,
     * PERMISSION_DENIED, RESOURCE_EXHAUSTED and UNAVAILABLE.
     *
     * @param detail what went wrong, for the log and the MQTT 5 reason string; never a secret
     */
    record Refused(Reason reason, String detail) implements AuthResult {}

    enum Reason { BAD_CREDENTIALS, NOT_AUTHORIZED, RATE_LIMITED, UNAVAILABLE }
}
