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

import java.util.List;

/**
 * A subscriber, or a member of a consumer group: subscribes to its filters, acknowledges QoS 1 messages with
 * PUBACK and QoS 2 ones with PUBREC, answering the broker's PUBREL with PUBCOMP (§4.3.3; the acknowledgements
 * of one read are written as one buffer and flushed once), and for each message it reads the send time,
 * publisher and sequence number from the payload header ({@link PayloadHeader}) to record end-to-end latency
 * and count what is new, what is a repeat, and what it should not have received at all.
 *
 * <p>Whether a message is new is for its {@link Receipts} to say: in order for a plain subscriber (MQTT keeps
 * one publisher's messages on one topic in order, §4.6, so a lower number can only be a repeat), by a set of
 * sequence numbers for a group member (which gets some messages, from several partitions). What never arrived
 * is what the publishers sent minus what arrived new, worked out by the run once the publishers have stopped.
 * A PUBLISH with the DUP flag (§3.3.1.1), or, for a group member, with an {@code attempt} user property above 1
 * ({@link DeliveryAttempt}), counts as a redelivery, whether or not it repeats a message this receiver has
 * seen.
 *
 * <p>Confined to its event loop; {@link #uniqueSoFar()} and {@link #lastNewNanos()} may be read from any
 * thread.
 */
final class SubscriberConnection extends ClientConnection {
    private final List<String> filters;
    private final int qos;
    private final Tally tally;
    /** Whether to look for Ratatoskr's {@code attempt} user property (consumer-group deliveries, MQTT 5). */
    private final boolean readAttempts;
    private ByteBuf acks;
    private volatile long uniqueSoFar;
    private volatile long lastNewNanos;

    /**
     * @param receipts           tells new messages from repeats; owned by this connection from now on
     * @param expectedPublishers per publisher, whether this subscriber should receive its messages
     * @param persistentSession  connect with a session the broker keeps after the connection ends
     */
    SubscriberConnection(MqttVersion version, String clientId, int keepAliveSeconds, List<String> filters, int qos,
                         Receipts receipts, boolean[] expectedPublishers, boolean persistentSession) {
        super(version, clientId, keepAliveSeconds, persistentSession);
        this.filters = List.copyOf(filters);
        this.qos = qos;
        this.tally = new Tally(receipts, expectedPublishers);
        this.readAttempts = version.isV5() && filters.stream().anyMatch(f -> f.startsWith("$queue/"));
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

    /**
     * Sets the measurement window: on the event loop before any publisher starts, or before the connection
     * is registered with its event loop.
     */
    void timeline(Timeline t) {
        tally.timeline(t);
    }

    /** New messages received so far, as of the end of the last read. Any thread. */
    long uniqueSoFar() {
        return uniqueSoFar;
    }

    /** {@link System#nanoTime()} when the last new message arrived, as of the end of the last read. Any thread. */
    long lastNewNanos() {
        return lastNewNanos;
    }

    @Override
    protected void onPublish(ByteBuf in, int firstByte, int body, int remainingLength) {
        int messageQos = (firstByte >> 1) & 0x03;
        boolean dup = (firstByte & 0x08) != 0;
        int index = body;
        index += 2 + in.getUnsignedShort(index);
        if (messageQos > 0) {
            queueAck(messageQos == 2 ? 0x50 : 0x40, in.getUnsignedShort(index));
            index += 2;
        }
        if (version.isV5()) {
            int propertiesLength = variableByteInteger(in, index);
            index += variableByteIntegerBytes(propertiesLength);
            if (readAttempts && !dup) {
                dup = DeliveryAttempt.of(in, index, propertiesLength) > 1;
            }
            index += propertiesLength;
        }
        if (dup) {
            tally.redelivery();
        }
        if (body + remainingLength - index < PublishTemplate.HEADER_BYTES) {
            tally.garbled();
            return;
        }
        tally.message(PublishTemplate.publisher(in, index), PublishTemplate.sequence(in, index),
                PublishTemplate.sentNanos(in, index), System.nanoTime());
    }

    /**
     * QoS 2 (method B on the broker's side, §4.3.3): the message counted when its PUBLISH arrived; the PUBREL
     * only completes the exchange. A PUBLISH sent again before the PUBREL carries DUP and counts as a repeat.
     */
    @Override
    protected void onPubRel(int packetId) {
        queueAck(0x70, packetId);
    }

    /** Queues a PUBACK (0x40), PUBREC (0x50) or PUBCOMP (0x70) for the end of this read. */
    private void queueAck(int firstByte, int packetId) {
        if (acks == null) {
            acks = ctx.alloc().ioBuffer(1024);
        }
        writeAck(acks, firstByte, packetId);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (acks != null) {
            ctx.writeAndFlush(acks, ctx.voidPromise());
            acks = null;
        }
        uniqueSoFar = tally.unique();
        lastNewNanos = tally.lastNewNanos();
        super.channelReadComplete(ctx);
    }

    @Override
    public void handlerRemoved0(ChannelHandlerContext ctx) {
        if (acks != null) {
            acks.release();
            acks = null;
        }
    }

    /**
     * What this subscriber saw; call on the event loop once no more messages are expected. The receipts are
     * handed over, not copied: the caller may merge them.
     */
    ReceiverStats stats() {
        return tally.stats(failure());
    }
}
