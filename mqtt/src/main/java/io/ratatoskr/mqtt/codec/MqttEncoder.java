package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;

import java.util.Objects;

/**
 * Writes {@link MqttPacket}s in the connection's version ({@link PacketWriter}), packing the packets written
 * with a void promise between two flushes — the deliveries a session writes and the PUBACKs/PUBRECs of a read
 * burst, which nobody waits on — into as few buffers as it can: a flush then hands the transport one buffer (one {@code ChannelOutboundBuffer}
 * entry, one {@code writev} vector) for a whole mailbox drain instead of one per packet. A lone packet
 * still goes out in a buffer of exactly its size; a second one moves it into a batch buffer of
 * {@link #BATCH_BYTES}, and a batch that fills up is passed on at once, so that at most that many bytes
 * wait here, outside the channel's writability accounting. Packets larger than a batch, packets whose
 * promise someone may wait on (the connection's other answers: CONNACK, PINGRESP, ...), and anything that
 * is not a packet go out in buffers of their own, after the batch, in order — so that the answers to a
 * client that does not read them still count one transport entry each towards the write-buffer bound that
 * stops reading it. The version is {@link MqttVersion#V3_1_1} until the connection sets it after CONNECT; a
 * CONNECT itself is always written in the version it names.
 *
 * <p>A packet that cannot be encoded (see {@link PacketWriter}) fails its promise with an
 * {@link EncoderException} (a void promise: the pipeline's {@code exceptionCaught}); nothing of it is
 * written and the packets around it are unaffected.
 *
 * <p>Not thread-safe and not {@code @Sharable}: it holds the version, a reusable size layout and the pending
 * batch. One instance per channel, used and reconfigured only on its event loop.
 */
public final class MqttEncoder extends ChannelOutboundHandlerAdapter {
    /** Bytes of a batch buffer: 16 PUBLISHes of 1 KiB, or some 170 of 64 B, per transport write. */
    static final int BATCH_BYTES = 16 * 1024;

    private final PacketWriter.Layout layout = new PacketWriter.Layout();
    private MqttVersion version;
    /** What was written since the last pass-on: null, one exactly sized packet, or a batch buffer. */
    private ByteBuf pending;
    private boolean pendingIsBatch;

    public MqttEncoder() {
        this(MqttVersion.V3_1_1);
    }

    public MqttEncoder(MqttVersion version) {
        this.version = Objects.requireNonNull(version, "version");
    }

    public MqttVersion version() {
        return version;
    }

    /** Sets the version for packets written from now on; call on the channel's event loop. */
    public void version(MqttVersion version) {
        this.version = Objects.requireNonNull(version, "version");
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof MqttPacket packet)) {
            passOn(ctx);
            ctx.write(msg, promise);
            return;
        }
        int size;
        try {
            size = PacketWriter.measure(packet, version, layout);
        } catch (RuntimeException e) {
            promise.setFailure(new EncoderException(e));
            return;
        }
        if (size > BATCH_BYTES || !promise.isVoid()) {
            passOn(ctx);
            ByteBuf buf = ctx.alloc().ioBuffer(size, size);
            if (encode(packet, buf, promise)) {
                ctx.write(buf, promise);
            } else {
                buf.release();
            }
            return;
        }
        if (pending == null) {
            pending = ctx.alloc().ioBuffer(size, size);
            pendingIsBatch = false;
        } else if (!pendingIsBatch) {
            ByteBuf batch = ctx.alloc().ioBuffer(Math.max(BATCH_BYTES, pending.readableBytes() + size));
            batch.writeBytes(pending);
            pending.release();
            pending = batch;
            pendingIsBatch = true;
        } else if (pending.writableBytes() < size) {
            passOn(ctx);
            pending = ctx.alloc().ioBuffer(BATCH_BYTES);
            pendingIsBatch = true;
        }
        encode(packet, pending, promise);
        if (!pendingIsBatch && pending.readableBytes() == 0) {
            pending.release();
            pending = null;
        }
    }

    /** Appends {@code packet} to {@code out}; on failure fails the promise and leaves {@code out} as it was. */
    private boolean encode(MqttPacket packet, ByteBuf out, ChannelPromise promise) {
        int start = out.writerIndex();
        try {
            PacketWriter.write(packet, version, layout, out);
            return true;
        } catch (RuntimeException e) {
            out.writerIndex(start);
            promise.setFailure(new EncoderException(e));
            return false;
        }
    }

    /** Passes what is pending on to the transport. */
    private void passOn(ChannelHandlerContext ctx) {
        ByteBuf buf = pending;
        if (buf != null) {
            pending = null;
            ctx.write(buf, ctx.voidPromise());
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        passOn(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        passOn(ctx); // released by the transport with its other unflushed writes
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
