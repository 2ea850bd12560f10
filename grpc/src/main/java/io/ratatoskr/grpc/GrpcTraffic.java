package io.ratatoskr.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.FetchResponse;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.SubscribeResponse;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * Totals of the gRPC listener's traffic since start, for the admin API's broker view, and each
 * call's peer address in its {@link Context} ({@link #PEER}).
 *
 * <ul>
 *   <li>messages in: messages published ({@code Publish}: one, {@code PublishBatch}: each of the batch);</li>
 *   <li>messages out: messages delivered ({@code Subscribe} and {@code Consume} deliveries, messages
 *       of {@code Fetch} answers);</li>
 *   <li>bytes in and out: the serialized size of every request and response message (gRPC framing
 *       and HTTP/2 headers left out).</li>
 * </ul>
 *
 * <p>Thread-safety: thread-safe (striped counters).
 */
final class GrpcTraffic implements ServerInterceptor {
    /** {@code host:port} of the calling peer, in the context of every streaming call (not of unary ones). */
    static final Context.Key<String> PEER = Context.key("ratatoskr-peer");

    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                countOut(message);
                super.sendMessage(message);
            }
        };
        ServerCall.Listener<Q> listener;
        if (call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY) {
            // Only streams (Subscribe, Consume) show their peer: a unary call skips the context switch on
            // each of its events.
            listener = next.startCall(counted, headers);
        } else {
            Context context = Context.current()
                    .withValue(PEER, peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
            listener = Contexts.interceptCall(context, counted, headers, next);
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                countIn(message);
                super.onMessage(message);
            }
        };
    }

    private static String peer(SocketAddress address) {
        return address instanceof InetSocketAddress a ? a.getHostString() + ":" + a.getPort() : String.valueOf(address);
    }

    private void countIn(Object message) {
        if (message instanceof MessageLite m) {
            bytesIn.add(m.getSerializedSize());
        }
        if (message instanceof PublishRequest) {
            messagesIn.increment();
        } else if (message instanceof PublishBatchRequest b) {
            messagesIn.add(b.getMessagesCount());
        }
    }

    private void countOut(Object message) {
        if (message instanceof MessageLite m) {
            bytesOut.add(m.getSerializedSize()); // memoized: serializing it reuses the size
        }
        switch (message) {
            case SubscribeResponse r when r.hasMessage() -> messagesOut.increment();
            case ConsumeResponse r when r.hasMessage() -> messagesOut.increment();
            case ConsumeResponse r when r.hasMessages() -> messagesOut.add(r.getMessages().getMessagesCount());
            case FetchResponse r -> messagesOut.add(r.getMessagesCount());
            default -> { }
        }
    }

    long messagesIn() {
        return messagesIn.sum();
    }

    long messagesOut() {
        return messagesOut.sum();
    }

    long bytesIn() {
        return bytesIn.sum();
    }

    long bytesOut() {
        return bytesOut.sum();
    }
}
