package io.ratatoskr.mqtt.server;

/**
 * The publish-rate budget of one connection: two token buckets, messages per second and payload
 * bytes per second, each holding at most one second's worth. A PUBLISH always spends (the bucket may
 * go into debt — nothing is dropped); the answer says how long the connection must then stop being
 * read for the debt to be repaid, so the average rate converges to the limit whatever the burst.
 *
 * <p>Not thread-safe: confined to its connection's event loop.
 */
final class PublishBudget {
    /** What {@link #spend} decided. */
    record Pause(long millis, String reason) {
        static final Pause NONE = new Pause(0, null);
    }

    private final int messagesPerSecond;
    private final long bytesPerSecond;
    private double messageTokens;
    private double byteTokens;
    private long lastMillis;

    /** @param messagesPerSecond 0: unlimited; @param bytesPerSecond 0: unlimited */
    PublishBudget(int messagesPerSecond, long bytesPerSecond, long nowMillis) {
        this.messagesPerSecond = messagesPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.messageTokens = messagesPerSecond;
        this.byteTokens = bytesPerSecond;
        this.lastMillis = nowMillis;
    }

    /** Whether any rate is limited at all (if not, callers may skip {@link #spend}). */
    static boolean limits(MqttLimits limits) {
        return limits.maxPublishRate() > 0 || limits.maxPublishBytesRate() > 0;
    }

    /** Spends one message of {@code payloadBytes}; the pause needed before reading on, or {@link Pause#NONE}. */
    Pause spend(int payloadBytes, long nowMillis) {
        long elapsed = Math.max(0, nowMillis - lastMillis);
        lastMillis = nowMillis;
        long messageWait = 0;
        long byteWait = 0;
        if (messagesPerSecond > 0) {
            messageTokens = Math.min(messagesPerSecond, messageTokens + elapsed * messagesPerSecond / 1000.0) - 1;
            messageWait = waitMillis(messageTokens, messagesPerSecond);
        }
        if (bytesPerSecond > 0) {
            byteTokens = Math.min(bytesPerSecond, byteTokens + elapsed * bytesPerSecond / 1000.0) - payloadBytes;
            byteWait = waitMillis(byteTokens, bytesPerSecond);
        }
        if (messageWait == 0 && byteWait == 0) {
            return Pause.NONE;
        }
        return messageWait >= byteWait ? new Pause(messageWait, "message_rate") : new Pause(byteWait, "byte_rate");
    }

    /** Until the bucket is back to zero, rounded up; 0 when it is not in debt. */
    private static long waitMillis(double tokens, double perSecond) {
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1000.0 / perSecond);
    }
}
