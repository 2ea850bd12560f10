package io.ratatoskr.mqtt.server;

import io.netty.channel.ChannelHandlerContext;
import io.ratatoskr.mqtt.codec.MqttPacket;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The acknowledgements of one connection's inbound PUBLISH and PUBREL packets — PUBACK, PUBREC,
 * PUBCOMP — that wait for writes (the session journal, retained messages, durable topics:
 * Principle 1), sent in the order the packets arrived ([MQTT-4.6.0-2], [MQTT-4.6.0-3]) even when
 * later writes finish first. An acknowledgement with nothing to wait for, behind none that waits,
 * is written at once: connections whose publishes touch no store pay nothing.
 *
 * <p>Threading: confined to the channel's event loop, but for the flag by which writes that complete
 * on storage threads ask the loop, once, to send what is ready.
 */
final class AckQueue {
    /** Past this many waiting acknowledgements the connection stops reading until they drain to half. */
    static final int MAX_PENDING = 4096;

    private final ChannelHandlerContext ctx;
    private final Runnable resumeReading;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Runnable drain = this::drain;
    /** A drain is queued on the loop: writes that complete together wake the loop once. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /**
     * @param resumeReading called on the loop when the queue has drained below half after being full
     */
    AckQueue(ChannelHandlerContext ctx, Runnable resumeReading) {
        this.ctx = ctx;
        this.resumeReading = resumeReading;
    }

    /**
     * Sends {@code ack} once {@code write} (null: nothing) completes and every earlier
     * acknowledgement has gone; if the write fails, sends what {@code onFailure} makes of the
     * failure instead (null: nothing — the caller has closed the connection).
     */
    void send(MqttPacket ack, CompletableFuture<?> write, Function<Throwable, MqttPacket> onFailure) {
        if (pending.isEmpty() && (write == null || write.isDone() && !write.isCompletedExceptionally())) {
            ctx.write(ack);
            return;
        }
        Pending p = new Pending(ack, write, onFailure);
        pending.add(p);
        if (write != null && !write.isDone()) {
            write.whenComplete((r, e) -> scheduleDrain());
        } else {
            scheduleDrain();
        }
    }

    /** Whether the connection should stop reading until acknowledgements drain. */
    boolean isFull() {
        return pending.size() >= MAX_PENDING;
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(drain);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        boolean wasFull = isFull();
        boolean wrote = false;
        Pending p;
        while ((p = pending.peek()) != null && (p.write == null || p.write.isDone())) {
            pending.poll();
            MqttPacket out = p.ack;
            if (p.write != null && p.write.isCompletedExceptionally()) {
                out = p.onFailure.apply(failure(p.write));
            }
            if (out != null && ctx.channel().isActive()) {
                ctx.write(out);
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (wasFull && pending.size() <= MAX_PENDING / 2) {
            resumeReading.run();
        }
    }

    private static Throwable failure(CompletableFuture<?> write) {
        try {
            write.join();
            throw new IllegalStateException("not failed");
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    private record Pending(MqttPacket ack, CompletableFuture<?> write, Function<Throwable, MqttPacket> onFailure) {
    }
}
