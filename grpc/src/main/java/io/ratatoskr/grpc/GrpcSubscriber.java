package io.ratatoskr.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.ratatoskr.api.v1.SubscribeResponse;
import io.ratatoskr.api.v1.Subscribed;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.client.ClientInfo;
import io.ratatoskr.core.client.ClientState;
import io.ratatoskr.core.client.ConnectedClient;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.session.ConnectRequest;
import io.ratatoskr.core.session.Delivery;
import io.ratatoskr.core.session.DisconnectKind;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.session.SessionLink;
import io.ratatoskr.core.session.SessionLoop;
import io.ratatoskr.core.topic.SubscriptionOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Subscribe stream as a broker {@link Session}: clean start, expiry 0 (the session ends with the
 * stream), subscribed at QoS 0 to each filter, so delivery is at most once. The stream is the
 * session's {@link SessionLink}: a delivery is one {@code onNext}, and the stream's readiness
 * (gRPC flow control: the client reads what it receives) is the link's writability. A subscriber that
 * reads too slowly therefore leaves messages in its session's queue, which is bounded; beyond it the
 * broker's overflow policy drops messages and counts them ({@code ratatoskr.session.messages.dropped}),
 * instead of memory growing.
 *
 * <p>The session's client identifier is {@code "\u0000grpc-sub-<n>"}: MQTT client identifiers cannot
 * contain U+0000 [MQTT-1.5.4-2], so no MQTT client can take a gRPC subscriber's session over. The
 * subscription id the client sees is the same without the U+0000.
 *
 * <p>Thread-safety: everything that touches the stream or the session runs on the session's loop
 * ({@code loop}), which never changes: the session cannot be taken over. Other threads post there.
 */
final class GrpcSubscriber implements SessionLink, ConnectedClient {
    private static final Logger log = LoggerFactory.getLogger(GrpcSubscriber.class);
    /** QoS 0 (at most once), no local echo to suppress, no retained messages (a live stream). */
    private static final SubscriptionOptions OPTIONS = new SubscriptionOptions(0, false, false,
            SubscriptionOptions.DO_NOT_SEND_RETAINED, 0);

    private final String id;
    private final String name;
    private final ServerCallStreamObserver<SubscribeResponse> call;
    private final SessionLoop loop;
    private final Broker broker;
    private final Runnable onEnd;
    private final ConnectedClients clients;
    private final ClientInfo info;
    // Confined to the loop, except that the admin API reads the session once it is set.
    private volatile Session session;
    private boolean closed;

    GrpcSubscriber(String id, String name, ServerCallStreamObserver<SubscribeResponse> call, SessionLoop loop,
                   Broker broker, Runnable onEnd, ConnectedClients clients) {
        this.clients = clients;
        this.info = new ClientInfo(id, "grpc", "v1", GrpcTraffic.PEER.get(), null, broker.clock().millis(), 0, true);
        this.id = id;
        this.name = name;
        this.call = call;
        this.loop = loop;
        this.broker = broker;
        this.onEnd = onEnd;
    }

    String id() {
        return id;
    }

    /** Connects the session and subscribes it; the first response is {@code subscribed}. */
    void start(List<String> filters) {
        call.setOnCancelHandler(() -> loop.execute(() -> end(null)));
        call.setOnReadyHandler(() -> loop.execute(() -> {
            if (!closed && session != null) {
                session.onWritable();
            }
        }));
        ConnectRequest request = new ConnectRequest("\u0000" + id, true, 0, null, 65_535);
        broker.connect(request, this, loop, result -> {
            session = result.session();
            if (closed) {
                session.detachAtOnce(this, DisconnectKind.NORMAL, 0);
                return;
            }
            for (String f : filters) {
                broker.subscribe(session, f, OPTIONS);
            }
            call.onNext(SubscribeResponse.newBuilder()
                    .setSubscribed(Subscribed.newBuilder().setSubscriptionId(id)).build());
            clients.add(this);
            log.debug("gRPC subscriber {} ({}) subscribed to {}", id, name, filters);
        });
    }

    /** Ends the stream from the server side: OK for Unsubscribe, UNAVAILABLE at shutdown. */
    void close(Status status) {
        loop.execute(() -> end(status));
    }

    /** On the loop: ends the session (its subscriptions go) and, unless cancelled, the stream. */
    private void end(Status status) {
        if (closed) {
            return;
        }
        closed = true;
        clients.remove(this);
        if (status != null && !call.isCancelled()) {
            try {
                if (status.isOk()) {
                    call.onCompleted();
                } else {
                    call.onError(status.asRuntimeException());
                }
            } catch (RuntimeException e) {
                log.debug("gRPC subscriber {}: ending the stream failed: {}", id, e.toString());
            }
        }
        if (session != null) {
            session.detachAtOnce(this, DisconnectKind.NORMAL, 0);
        }
        onEnd.run();
    }

    @Override
    public ClientInfo info() {
        return info;
    }

    @Override
    public CompletableFuture<ClientState> state() {
        Session s = session;
        if (s == null) {
            return CompletableFuture.completedFuture(new ClientState(Map.of(), 0, 0));
        }
        return s.snapshotLater().thenApply(ClientState::of);
    }

    /** The stream ends UNAVAILABLE (the client may subscribe again); its session, which ends with it, goes. */
    @Override
    public CompletableFuture<?> disconnect() {
        log.info("{}: disconnected by an administrator", describe());
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            end(Status.UNAVAILABLE.withDescription("disconnected by an administrator"));
            done.complete(null);
        });
        return done;
    }

    @Override
    public boolean sendPublish(Delivery delivery, int packetId, boolean dup, long expirySeconds) {
        if (!closed && !call.isCancelled()) {
            call.onNext(SubscribeResponse.newBuilder()
                    .setMessage(ProtoMessages.live(delivery.message()).setRetained(delivery.retain())).build());
        }
        return true;
    }

    @Override
    public void sendPubRel(int packetId) {
        // Subscriptions are QoS 0: there is never a QoS 2 exchange.
    }

    @Override
    public void flush() {
        // gRPC writes each message as it is sent.
    }

    @Override
    public boolean isWritable() {
        return call.isReady();
    }

    @Override
    public void takenOver() {
        // Cannot happen (see the class comment); end cleanly if it ever does.
        loop.execute(() -> end(Status.ABORTED.withDescription("subscription taken over")));
    }

    @Override
    public String describe() {
        return "gRPC subscriber " + id + (name.isEmpty() ? "" : " (" + name + ")");
    }
}
