package io.ratatoskr.bench.mqtt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The header every generated payload starts with, so that a receiver in the same process can measure
 * latency and account for every message, whatever carried it (an MQTT PUBLISH, a Kafka record value).
 *
 * <table>
 *   <caption>Payload header, big-endian</caption>
 *   <tr><th>offset</th><th>bytes</th><th>field</th></tr>
 *   <tr><td>0</td><td>8</td><td>send time, {@link System#nanoTime()} of the generating process: when the
 *       message was meant to be sent (fixed rate), or when it was written (flat out)</td></tr>
 *   <tr><td>8</td><td>4</td><td>publisher index, 0-based</td></tr>
 *   <tr><td>12</td><td>4</td><td>sequence number within the publisher, from 0</td></tr>
 * </table>
 * The rest of the payload is filler ({@link #filled}).
 *
 * <p>Stateless and thread-safe.
 */
public final class PayloadHeader {
    /** Bytes of the header; the smallest payload the generators make. */
    public static final int BYTES = 16;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private PayloadHeader() {
    }

    /**
     * A payload of {@code payloadBytes}: a zero header followed by filler.
     *
     * @throws IllegalArgumentException if it cannot hold the header
     */
    public static byte[] filled(int payloadBytes) {
        if (payloadBytes < BYTES) {
            throw new IllegalArgumentException("payload must be at least " + BYTES + " bytes (send time,"
                    + " publisher, sequence), got " + payloadBytes);
        }
        byte[] payload = new byte[payloadBytes];
        for (int i = BYTES; i < payloadBytes; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return payload;
    }

    public static void write(byte[] payload, long sentNanos, int publisher, int sequence) {
        LONG.set(payload, 0, sentNanos);
        INT.set(payload, 8, publisher);
        INT.set(payload, 12, sequence);
    }

    public static long sentNanos(byte[] payload) {
        return (long) LONG.get(payload, 0);
    }

    public static int publisher(byte[] payload) {
        return (int) INT.get(payload, 8);
    }

    public static int sequence(byte[] payload) {
        return (int) INT.get(payload, 12);
    }
}
