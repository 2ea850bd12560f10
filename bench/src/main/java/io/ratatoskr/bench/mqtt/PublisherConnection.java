package io.ratatoskr.bench.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttVersion;
import org.HdrHistogram.Histogram;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A publisher: sends its messages at a fixed rate or as fast as the connection takes them, keeps at most
 * {@code inflight} QoS 1 or 2 messages unacknowledged, and measures publish-to-PUBACK latency (QoS 2: publish to
 * PUBCOMP, after PUBREC and our PUBREL, §4.3.3; the PUBRELs of one read go out as one buffer).
 *
 * <p><b>Pacing.</b> At a fixed rate, message {@code k} is due at {@code first + k * interval}; whenever the
 * publisher runs it sends everything due, stamped with the time it was <em>due</em>, so that a broker that
 * stalls the publisher (a full window, a full socket) is charged for the wait instead of hiding it
 * (coordinated omission). Flat out, it sends while the channel is writable and the window has room, stamped
 * with the time of writing. Either way it writes batches of PUBLISH frames into one pooled buffer, flushes
 * once per batch group, and yields to I/O between groups by rescheduling itself (not by re-queuing a task,
 * which the event loop would run again before reading).
 *
 * <p>It stops when the measurement window ends, when it has sent its {@code limit} of messages (a preload),
 * or when told to; {@link #finished()} then gives the number of messages sent. Confined to its event loop; {@link #outstanding()} may be read from any thread.
 */
final class PublisherConnection extends ClientConnection {
    private static final int BATCH_BYTES = 16 * 1024;
    private static final int BATCHES_PER_RUN = 8;
    private static final int PACKET_IDS = 65_536;

    private final PublishTemplate template;
    private final int qos;
    private final int inflightLimit;
    /** Nanoseconds between two messages of this publisher; 0 means flat out. */
    private final double intervalNanos;
    /** Where, within one interval, this publisher's schedule starts, so that publishers do not all fire at once. */
    private final long phaseNanos;
    private final int batchMessages;
    /** Messages to send at most; {@link Integer#MAX_VALUE} for as many as the window takes. */
    private final int limit;

    private int window;
    private Timeline timeline;
    private long firstDueNanos;
    private int nextSequence;
    private boolean pumpScheduled;
    private boolean stopped;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();

    private final boolean[] busy;
    private final long[] sentAt;
    private int inflight;
    private int nextPacketId = 1;
    private boolean acksArrived;
    /** PUBRELs answering the PUBRECs of the current read, written at its end. */
    private ByteBuf releases;
    private volatile int outstanding;

    private long sentMeasured;
    private long acked;
    private long ackedMeasured;
    private long ackRefused;
    private long ackUnexpected;
    private final Histogram ackLatency = Histograms.create();

    /** @param limit messages to send at most, or 0 to send until the window ends */
    PublisherConnection(MqttVersion version, String clientId, int keepAliveSeconds, PublishTemplate template, int qos,
                        int inflightLimit, double ratePerSecond, double phase, int limit) {
        super(version, clientId, keepAliveSeconds);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        this.limit = limit == 0 ? Integer.MAX_VALUE : limit;
        this.template = template;
        this.qos = qos;
        this.inflightLimit = inflightLimit;
        this.intervalNanos = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        this.phaseNanos = (long) (intervalNanos * phase);
        this.batchMessages = Math.max(1, BATCH_BYTES / template.frameBytes());
        this.busy = qos > 0 ? new boolean[PACKET_IDS] : null;
        this.sentAt = qos > 0 ? new long[PACKET_IDS] : null;
    }

    @Override
    protected void onConnAck(ConnAck connAck) {
        int serverReceiveMaximum = connAck.properties().receiveMaximum();
        window = serverReceiveMaximum > 0 ? Math.min(inflightLimit, serverReceiveMaximum) : inflightLimit;
        markReady();
    }

    /** The effective QoS 1 window: ours, lowered to the broker's Receive Maximum. Call after ready. */
    int window() {
        return window;
    }

    /** Starts publishing at {@code timeline.startNanos()}. Call on the event loop. */
    void start(Timeline timeline) {
        this.timeline = timeline;
        this.firstDueNanos = timeline.startNanos() + phaseNanos;
        schedulePump(firstDueNanos - System.nanoTime());
    }

    /** Completes with the number of messages sent once this publisher has stopped. */
    CompletableFuture<Integer> finished() {
        return finished;
    }

    /** QoS 1 messages sent and not yet acknowledged, as of the last write, read or stop. Any thread. */
    int outstanding() {
        return outstanding;
    }

    /** Stops sending (at the end of the window, or when the run is cut short). Call on the event loop. */
    void stop() {
        if (!stopped) {
            stopped = true;
            ctx.flush();
            outstanding = inflight;
            finished.complete(nextSequence);
        }
    }

    private void schedulePump(long delayNanos) {
        if (!pumpScheduled && !stopped) {
            pumpScheduled = true;
            ctx.executor().schedule(this::pump, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void pump() {
        pumpScheduled = false;
        if (stopped || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (now - timeline.measureEndNanos() >= 0 || nextSequence >= limit) {
            stop();
            return;
        }
        boolean flatOut = intervalNanos == 0;
        int batches = 0;
        while (batches < BATCHES_PER_RUN && ctx.channel().isWritable()) {
            int n = Math.min(batchMessages, limit - nextSequence);
            if (qos > 0) {
                n = Math.min(n, window - inflight);
            }
            if (!flatOut) {
                n = (int) Math.min(n, dueBy(now) - nextSequence);
            }
            if (n <= 0) {
                break;
            }
            writeBatch(n, flatOut, now);
            batches++;
            now = System.nanoTime();
        }
        if (batches > 0) {
            ctx.flush();
            outstanding = inflight;
        }
        if (nextSequence >= limit) {
            stop();
            return;
        }
        if (!ctx.channel().isWritable() || (qos > 0 && inflight >= window)) {
            return; // channelWritabilityChanged or a PUBACK resumes
        }
        if (flatOut || dueBy(now) > nextSequence) {
            schedulePump(0);
        } else {
            schedulePump(dueNanos(nextSequence) - now);
        }
    }

    /** Messages due by {@code now}: those with sequence numbers below the result. */
    private long dueBy(long now) {
        long elapsed = now - firstDueNanos;
        return elapsed < 0 ? 0 : (long) (elapsed / intervalNanos) + 1;
    }

    private long dueNanos(int sequence) {
        return firstDueNanos + (long) (sequence * intervalNanos);
    }

    /** Writes {@code n} messages in one buffer, stamped with {@code now} when flat out, else each with its due time. */
    private void writeBatch(int n, boolean flatOut, long now) {
        ByteBuf buf = ctx.alloc().ioBuffer(n * template.frameBytes());
        for (int i = 0; i < n; i++) {
            int sequence = nextSequence++;
            long sent = flatOut ? now : dueNanos(sequence);
            int packetId = 0;
            if (qos > 0) {
                packetId = takePacketId();
                busy[packetId] = true;
                sentAt[packetId] = sent;
                inflight++;
            }
            template.writeTo(buf, packetId, sent, sequence);
            if (timeline.measures(sent)) {
                sentMeasured++;
            }
        }
        ctx.write(buf, ctx.voidPromise());
    }

    private int takePacketId() {
        while (busy[nextPacketId]) {
            nextPacketId = nextPacketId == PACKET_IDS - 1 ? 1 : nextPacketId + 1;
        }
        int id = nextPacketId;
        nextPacketId = nextPacketId == PACKET_IDS - 1 ? 1 : nextPacketId + 1;
        return id;
    }

    @Override
    protected void onPubAck(int packetId, int reasonCode) {
        if (qos != 1) {
            ackUnexpected++;
            return;
        }
        complete(packetId, reasonCode);
    }

    /** QoS 2: the broker has the message; release it (PUBREL) and wait for PUBCOMP. A refusal ends the exchange. */
    @Override
    protected void onPubRec(int packetId, int reasonCode) {
        if (qos != 2 || packetId == 0 || !busy[packetId]) {
            ackUnexpected++;
            return;
        }
        if (reasonCode >= 0x80) {
            complete(packetId, reasonCode); // §4.3.3: a PUBREC with a failure code ends the exchange
            return;
        }
        if (releases == null) {
            releases = ctx.alloc().ioBuffer(1024);
        }
        writeAck(releases, 0x62, packetId);
    }

    @Override
    protected void onPubComp(int packetId) {
        if (qos != 2) {
            ackUnexpected++;
            return;
        }
        complete(packetId, 0);
    }

    /** The end of a QoS 1 or 2 exchange: the packet identifier is free, the latency recorded. */
    private void complete(int packetId, int reasonCode) {
        if (busy == null || packetId == 0 || !busy[packetId]) {
            ackUnexpected++;
            return;
        }
        busy[packetId] = false;
        inflight--;
        acked++;
        acksArrived = true;
        if (reasonCode >= 0x80) {
            ackRefused++;
        }
        long now = System.nanoTime();
        long sent = sentAt[packetId];
        if (timeline.measures(sent)) {
            ackLatency.recordValue(Histograms.clamp(now - sent));
        }
        if (timeline.measures(now)) {
            ackedMeasured++;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (releases != null) {
            ctx.writeAndFlush(releases, ctx.voidPromise());
            releases = null;
        }
        if (acksArrived) {
            acksArrived = false;
            outstanding = inflight;
            if (!stopped && !pumpScheduled) {
                pump();
            }
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && timeline != null && !stopped && !pumpScheduled) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void handlerRemoved0(ChannelHandlerContext ctx) {
        if (releases != null) {
            releases.release();
            releases = null;
        }
    }

    /** What this publisher did; call on the event loop after it stopped. */
    SenderStats stats() {
        return new SenderStats(nextSequence, sentMeasured, acked, ackedMeasured, ackRefused, ackUnexpected,
                inflight, ackLatency.copy(), failure());
    }
}
