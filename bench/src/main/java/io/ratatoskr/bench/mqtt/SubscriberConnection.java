package io.ratatoskr.bench.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.ReasonCode;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * A subscriber: subscribes to its filters, acknowledges QoS 1 messages (the PUBACKs of one read are written
 * as one buffer and flushed once), and for each message it reads the send time, publisher and sequence
 * number from the payload header ({@link PublishTemplate}) to record end-to-end latency and count what is
 * new, what is a repeat, and what it should not have received at all.
 *
 * <p>A message is new when its sequence number is above every earlier one from the same publisher, and a
 * duplicate otherwise: MQTT keeps one publisher's messages on one topic in order (§4.6), so a lower number
 * can only be a repeat. What never arrived is what the publisher sent minus what arrived new, worked out by
 * the run once the publishers have stopped.
 *
 * <p>Confined to its event loop; {@link #uniqueSoFar()} may be read from any thread.
 */
final class SubscriberConnection extends ClientConnection {
    private final List<String> filters;
    private final int qos;
    /** Per publisher: the next sequence number that would be new. */
    private final int[] nextSequence;
    /** Per publisher: new messages received. */
    private final long[] uniqueFrom;
    /** Per publisher: whether this subscriber should hear it at all. */
    private final boolean[] expected;
    private final Histogram latency = Histograms.create();
    private Timeline timeline;
    private ByteBuf acks;

    private long received;
    private long unique;
    private long receivedMeasured;
    private long duplicates;
    private long unexpected;
    private volatile long uniqueSoFar;

    SubscriberConnection(MqttVersion version, String clientId, int keepAliveSeconds, List<String> filters, int qos,
                         boolean[] expectedPublishers, boolean persistentSession) {
        super(version, clientId, keepAliveSeconds, persistentSession);
        this.filters = List.copyOf(filters);
        this.qos = qos;
        this.expected = expectedPublishers.clone();
        this.nextSequence = new int[expected.length];
        this.uniqueFrom = new long[expected.length];
    }

    @Override
    protected void onConnAck(ConnAck connAck) {
        List<Subscription> subscriptions = filters.stream().map(f -> new Subscription(f, qos)).toList();
        send(new Subscribe(1, subscriptions, MqttProperties.EMPTY));
        ctx.flush();
    }

    @Override
    protected void onSubAck(SubAck subAck) {
        for (int code : subAck.reasonCodes()) {
            if (code >= 0x80) {
                fail("SUBSCRIBE to " + filters + " refused: " + ReasonCode.name(code));
                return;
            }
            if (code != qos) {
                fail("SUBSCRIBE to " + filters + " granted QoS " + code + ", not " + qos);
                return;
            }
        }
        markReady();
    }

    /** Sets the measurement window; call on the event loop before any publisher starts. */
    void timeline(Timeline t) {
        this.timeline = t;
    }

    /** New messages received so far, as of the end of the last read. Any thread. */
    long uniqueSoFar() {
        return uniqueSoFar;
    }

    @Override
    protected void onPublish(ByteBuf in, int firstByte, int body, int remainingLength) {
        int messageQos = (firstByte >> 1) & 0x03;
        int index = body;
        index += 2 + in.getUnsignedShort(index);
        if (messageQos > 0) {
            queueAck(in.getUnsignedShort(index));
            index += 2;
        }
        if (version.isV5()) {
            int propertiesLength = variableByteInteger(in, index);
            index += variableByteIntegerBytes(propertiesLength) + propertiesLength;
        }
        received++;
        int payloadBytes = body + remainingLength - index;
        if (payloadBytes < PublishTemplate.HEADER_BYTES) {
            unexpected++;
            return;
        }
        int publisher = PublishTemplate.publisher(in, index);
        if (publisher < 0 || publisher >= expected.length || !expected[publisher]) {
            unexpected++;
            return;
        }
        long now = System.nanoTime();
        int sequence = PublishTemplate.sequence(in, index);
        if (sequence >= nextSequence[publisher]) {
            nextSequence[publisher] = sequence + 1;
            uniqueFrom[publisher]++;
            unique++;
        } else {
            duplicates++;
        }
        if (timeline != null) {
            if (timeline.measures(now)) {
                receivedMeasured++;
            }
            long sent = PublishTemplate.sentNanos(in, index);
            if (timeline.measures(sent)) {
                latency.recordValue(Histograms.clamp(now - sent));
            }
        }
    }

    private void queueAck(int packetId) {
        if (acks == null) {
            acks = ctx.alloc().ioBuffer(1024);
        }
        // PUBACK with reason Success and no properties: 4 bytes in every version (v5 §3.4.2.1).
        acks.writeByte(0x40).writeByte(2).writeShort(packetId);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (acks != null) {
            ctx.writeAndFlush(acks, ctx.voidPromise());
            acks = null;
        }
        uniqueSoFar = unique;
        super.channelReadComplete(ctx);
    }

    @Override
    public void handlerRemoved0(ChannelHandlerContext ctx) {
        if (acks != null) {
            acks.release();
            acks = null;
        }
    }

    /** What this subscriber saw; call on the event loop. */
    SubscriberStats stats() {
        return new SubscriberStats(received, unique, uniqueFrom.clone(), receivedMeasured, duplicates, unexpected,
                latency.copy(), failure());
    }

    /** A subscriber's counts; arrays and histogram are copies owned by the receiver. */
    record SubscriberStats(long received, long unique, long[] uniqueFrom, long receivedMeasured, long duplicates,
                           long unexpected, Histogram latency, String failure) {
    }
}
