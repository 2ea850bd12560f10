package io.ratatoskr.mqtt.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.ratatoskr.core.broker.AckBarrier;
import io.ratatoskr.core.broker.BackPressure;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.client.ClientInfo;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.PeerCertificates;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.session.ConnectRequest;
import io.ratatoskr.core.session.ConnectResult;
import io.ratatoskr.core.session.SessionOwner;
import io.ratatoskr.core.session.Delivery;
import io.ratatoskr.core.session.DisconnectKind;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.core.session.SessionLink;
import io.ratatoskr.core.session.Will;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.core.topic.Topics;
import io.ratatoskr.core.trace.PublishTrace;
import io.ratatoskr.mqtt.codec.DecodeFailure;
import io.ratatoskr.mqtt.codec.MqttDecoder;
import io.ratatoskr.mqtt.codec.MqttEncoder;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.Auth;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.PingResp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.UnsubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Unsubscribe;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketWriter;
import io.ratatoskr.mqtt.codec.ReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.net.SocketException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One MQTT network connection: the protocol state machine between the wire (decoded
 * {@link MqttPacket}s) and the broker core (a {@link Session}). It owns what lives and dies with
 * the connection — the negotiated version, keep-alive, topic aliases in both directions, the
 * client's Maximum Packet Size — and hands everything that outlives it to the session.
 *
 * <p>Threading: confined to the channel's event loop, which is also the attached session's owner
 * loop, so calls into the session are direct. {@link #takenOver} may come from elsewhere and hops.
 *
 * <p>Writes are not flushed one by one: the connection flushes when a read burst ends
 * ({@link #channelReadComplete}) and the session when its mailbox drain ends.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter implements SessionLink, PendingAcks.Sender {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);
    private static final int MAX_PENDING_WHILE_CONNECTING = 1024;
    /** Consumer-group subscriptions live under this prefix: no client publishes there. */
    private static final String QUEUE_TOPIC = "$queue";
    /** Packets one connection handles per turn of its event loop ({@link #yieldIfTurnUsedUp}). */
    static final int MAX_PACKETS_PER_TURN = 512;
    private static final long NOTHING_UNFLUSHED = Long.MAX_VALUE;

    private enum Phase { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSING }

    private final MqttServerContext server;
    private final MqttEncoder encoder;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private Phase phase = Phase.AWAIT_CONNECT;
    private MqttVersion version;
    private String clientId;
    private Session session;
    private ScheduledFuture<?> connectTimeout;
    private List<MqttPacket> pendingWhileConnecting;

    private long clientMaxPacketSize = MqttConfig.PROTOCOL_MAX_PACKET_SIZE;
    private int clientTopicAliasMaximum;
    private String[] inboundAliases;
    private Map<String, Integer> outboundAliases;
    private int nextOutboundAlias = 1;
    private boolean requestProblemInformation = true;
    private long connectExpirySeconds;
    private DisconnectKind disconnectKind = DisconnectKind.ABNORMAL;
    private long disconnectExpirySeconds = -1;
    private final BackPressure backPressure = this::congested;
    /** Stops reading while a subscriber our messages went to is congested; set once the channel is active. */
    private PublisherPause publisherPause;
    private final PendingAcks acks;
    private boolean pausedForAcks;
    /** Over its publish rate ({@link MqttLimits}): not read until the budget refills; null when unlimited. */
    private PublishBudget publishBudget;
    private boolean pausedForRate;
    /** Reading stopped while the channel is not writable: its unread answers are bounded. */
    private boolean pausedForWrites;
    /**
     * Receipt time (broker clock) of the oldest timed delivery written since the last flush, or
     * {@link #NOTHING_UNFLUSHED}: the sample the next flush records as the batch's delivery latency.
     */
    private long oldestUnflushedMillis = NOTHING_UNFLUSHED;
    /** The topic name this connection last validated, by identity ({@link #checkTopicName}). */
    private String lastValidTopic;
    /** Packets handled since this connection's last read completed ({@link #MAX_PACKETS_PER_TURN}). */
    private int packetsThisTurn;
    /** Decoding stopped for the other connections of the event loop to have their turn. */
    private boolean pausedForTurn;
    /** Counted among the sockets in CONNECT ({@link MqttServerContext#pendingConnections}). */
    private boolean pending;
    private long lastThrottleLogMillis = Long.MIN_VALUE;
    private int clientReceiveMaximum;
    private QueueSubscriptions queues;
    /** This connection in the listener's client list, from CONNACK to the close; null otherwise. */
    private MqttClientEntry listed;
    /**
     * Who the client is once CONNECT is accepted (authorization decides on it); anonymous until an
     * authenticator says otherwise.
     */
    private Principal principal;
    /** ACL refusals on this connection, to rate-limit their log lines. */
    private long aclDenials;
    private boolean cleanStart;
    private int refusedSubscriptions;
    /** MQTT 5 enhanced authentication, when CONNECT named an Authentication Method; else null. */
    private EnhancedAuth enhancedAuth;

    MqttConnection(MqttServerContext server, MqttEncoder encoder) {
        this.server = server;
        this.encoder = encoder;
        this.acks = new PendingAcks(this, server.metrics());
    }

    // ---------------------------------------------------------------------------------------
    // Channel lifecycle

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.publisherPause = new PublisherPause(ctx.executor(), server.clock(), server.metrics(),
                this::stopForBackPressure, this::resumeDecodingIfUnpaused);
        server.metrics().connectionOpened();
        server.addressConnections().opened(channel.remoteAddress());
        server.channels().add(channel);
        if (!admitPending()) {
            return;
        }
        connectTimeout = ctx.executor().schedule(() -> {
            if (phase == Phase.AWAIT_CONNECT || phase == Phase.CONNECTING) {
                server.metrics().protocolError("connect_timeout");
                log.info("mqtt {}: CONNECT not completed within {} s; closing", describe(), // incl. an AUTH exchange
                        server.config().connectTimeoutSeconds());
                close();
            }
        }, server.config().connectTimeoutSeconds(), TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    /**
     * Counts this socket among those still in CONNECT of its source and overall
     * ({@link MqttLimits#maxPendingConnectionsPerAddress}); over either cap it is closed at once
     * (counted, logged at most once per source every 10 s) and false returned.
     */
    private boolean admitPending() {
        SocketAddress remote = channel.remoteAddress();
        pending = true;
        MqttLimits limits = server.config().limits();
        int fromSource = server.pendingConnections().opened(remote);
        String refusal = fromSource > limits.maxPendingConnectionsPerAddress() ? "max_pending_connections_per_address"
                : server.pendingConnections().total() > limits.maxPendingConnections() ? "max_pending_connections"
                : null;
        if (refusal == null) {
            return true;
        }
        server.metrics().connectionRefused(refusal);
        long suppressed = server.refusalLog().admit(remote);
        if (suppressed >= 0) {
            log.atInfo().addKeyValue("event", "connection_refused").addKeyValue("reason", refusal)
                    .addKeyValue("remote", remote).addKeyValue("suppressed", suppressed)
                    .log("mqtt {}: socket closed at once: too many sockets without CONNECT ({}; {} more not logged)",
                            remote, refusal, suppressed);
        }
        phase = Phase.CLOSING;
        channel.close();
        return false;
    }

    /** This socket no longer counts as one in CONNECT (connected, or closed). */
    private void leavePending() {
        if (pending) {
            pending = false;
            server.pendingConnections().closed(channel.remoteAddress());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.metrics().connectionClosed();
        server.addressConnections().closed(channel.remoteAddress());
        leavePending();
        if (listed != null) {
            server.clients().remove(listed);
            listed = null;
        }
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        publisherPause.close();
        if (session != null) {
            if (queues != null) {
                queues.closing();
            }
            session.detach(this, disconnectKind, disconnectExpirySeconds);
            if (queues != null) {
                session.tell(queues::leaveAll); // after the detach has handed group deliveries back
            }
            session = null;
        } else if (queues != null) {
            queues.leaveAll(); // taken over: the new connection's session handed them back already
        }
        phase = Phase.CLOSING;
        acks.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        packetsThisTurn = 0;
        flushWrites();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!channel.isWritable()) {
            // A client that does not read what it asks for (PINGRESP, PUBACK, WebSocket pongs...) must
            // not make the broker buffer answers without end: stop reading it until it has read them,
            // and stop decoding what one read brought too (64 KiB of PINGREQs are 32,768 answers, each
            // an outbound buffer entry: the event loop's time and the heap, not the bystanders').
            if (phase == Phase.CONNECTED && !pausedForWrites) {
                pausedForWrites = true;
                channel.config().setAutoRead(false);
                MqttDecoder decoder = decoder();
                if (decoder != null) {
                    decoder.hold();
                }
            }
        } else if (pausedForWrites) {
            pausedForWrites = false;
            // In a task of its own: this may run inside a flush, itself inside the decoder's read.
            ctx.executor().execute(this::resumeDecodingIfUnpaused);
        }
        if (channel.isWritable() && attached()) {
            session.onWritable();
            flushWrites();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // [MQTT-3.1.2-24]: nothing received for 1.5 times the keep-alive.
            server.metrics().protocolError("keep_alive_timeout");
            log.info("mqtt {}: keep-alive timeout; closing", describe());
            disconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, null);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SocketException || cause instanceof java.io.IOException) {
            log.debug("mqtt {}: connection error: {}", describe(), cause.toString());
        } else {
            log.warn("mqtt {}: unexpected error; closing", describe(), cause);
        }
        close();
    }

    // ---------------------------------------------------------------------------------------
    // Inbound packets

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DecodeFailure failure) {
            onDecodeFailure(failure);
            return;
        }
        MqttPacket packet = (MqttPacket) msg;
        switch (phase) {
            case AWAIT_CONNECT -> {
                if (packet instanceof Connect connect) {
                    onConnect(connect);
                } else {
                    // The decoder refuses anything else first; kept as a guard [MQTT-3.1.0-1].
                    protocolViolation(ReasonCode.PROTOCOL_ERROR, "first packet must be CONNECT [MQTT-3.1.0-1]");
                }
            }
            case CONNECTING -> {
                if (enhancedAuth != null && enhancedAuth.beforeConnAck(packet)) {
                    return;
                }
                if (pendingWhileConnecting == null) {
                    pendingWhileConnecting = new ArrayList<>();
                }
                if (pendingWhileConnecting.size() >= MAX_PENDING_WHILE_CONNECTING) {
                    protocolViolation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "too many packets before CONNACK");
                    return;
                }
                pendingWhileConnecting.add(packet);
            }
            case CONNECTED -> {
                dispatch(packet);
                yieldIfTurnUsedUp();
            }
            case CLOSING -> {
                // Closing: ignore the rest.
            }
        }
    }

    private boolean attached() {
        return session != null && session.isAttached(this);
    }

    private void dispatch(MqttPacket packet) {
        if (!attached()) {
            return; // taken over; this connection is closing
        }
        switch (packet) {
            case Publish p -> onPublish(p);
            case PubAck a -> session.onPubAck(a.packetId(), a.reasonCode(), a.properties().reasonString(),
                    QueueSubscriptions.headers(a.properties()));
            case PubRec r -> {
                if (!session.onPubRec(r.packetId(), r.reasonCode())) {
                    ctx.write(new PubRel(r.packetId(), v5() ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : 0,
                            MqttProperties.EMPTY));
                }
            }
            case PubRel r -> {
                boolean known = session.inboundPubRel(r.packetId());
                // Once the release is stored: a crash must not leave the identifier, which the client
                // may now reuse, looking unreleased.
                acks.pubComp(r.packetId(), known ? 0 : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND,
                        known ? session.inboundWrite() : null, ctx.executor());
                pauseIfAcksBehind();
            }
            case PubComp c -> session.onPubComp(c.packetId());
            case Subscribe s -> onSubscribe(s);
            case Unsubscribe u -> onUnsubscribe(u);
            case PingReq ignored -> ctx.write(PingResp.INSTANCE);
            case Disconnect d -> onDisconnect(d);
            case Auth a -> {
                if (enhancedAuth != null) {
                    enhancedAuth.afterConnAck(a); // re-authentication (§4.12.1)
                } else {
                    protocolViolation(ReasonCode.PROTOCOL_ERROR,
                            "AUTH received but CONNECT named no authentication method [MQTT-4.12.0-7]");
                }
            }
            case Connect ignored -> protocolViolation(ReasonCode.PROTOCOL_ERROR, "second CONNECT [MQTT-3.1.0-2]");
            case MqttPacket.ConnAck ignored -> serverOnly(packet);
            case SubAck ignored -> serverOnly(packet);
            case UnsubAck ignored -> serverOnly(packet);
            case PingResp ignored -> serverOnly(packet);
        }
    }

    private void serverOnly(MqttPacket packet) {
        protocolViolation(ReasonCode.PROTOCOL_ERROR, packet.type() + " is sent only by servers");
    }

    private boolean v5() {
        return version == MqttVersion.V5;
    }

    // ---------------------------------------------------------------------------------------
    // CONNECT (§3.1.4)

    private void onConnect(Connect c) {
        version = c.version();
        encoder.version(version);
        MqttConfig config = server.config();
        MqttProperties props = c.properties();
        if (props.maximumPacketSize() > 0) {
            clientMaxPacketSize = props.maximumPacketSize();
        }

        String id = c.clientId();
        boolean assigned = false;
        if (id.isEmpty()) {
            if (!v5() && !c.cleanStart()) {
                refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "client_id_rejected",
                        "an empty client identifier needs clean session 1 [MQTT-3.1.3-8]");
                return;
            }
            id = server.assignClientId();
            assigned = true;
        } else if (id.length() > config.maxClientIdLength()) {
            refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "client_id_rejected",
                    "client identifier longer than " + config.maxClientIdLength() + " characters");
            return;
        }
        clientId = id;
        principal = Principal.anonymous(id);
        cleanStart = c.cleanStart();
        if (props.authenticationMethod() != null) {
            enhancedAuth = EnhancedAuth.start(new AuthLink(), server.authenticator(), new Credentials("mqtt", id,
                    null, null, peerCertificates(), channel.remoteAddress()), props.authenticationMethod(),
                    config.connectTimeoutSeconds());
            if (enhancedAuth == null) { // [MQTT-4.12.0-1]
                refuse(ReasonCode.BAD_AUTHENTICATION_METHOD, "bad_authentication_method",
                        "authentication method " + props.authenticationMethod() + " is not supported");
                return;
            }
        }
        if (server.metrics().connectionsActive() > config.maxConnections()) {
            refuse(ReasonCode.QUOTA_EXCEEDED, "max_connections",
                    "the broker has reached its maximum of " + config.maxConnections() + " connections");
            return;
        }
        // Counted from accept, so sockets of the same address still in CONNECT count too; refused
        // here rather than at accept so the client learns why (v5 0x97; 3.1.1 0x03 Server unavailable).
        int perAddress = config.limits().maxConnectionsPerAddress();
        if (server.addressConnections().count(channel.remoteAddress()) > perAddress) {
            refuse(ReasonCode.QUOTA_EXCEEDED, "max_connections_per_address",
                    "this address has reached its maximum of " + perAddress + " connections");
            return;
        }
        Will will = null;
        if (c.will() != null) {
            MqttPacket.Will w = c.will();
            String problem = checkTopicName(w.topic());
            if (problem != null) {
                refuse(ReasonCode.TOPIC_NAME_INVALID, "will_topic_invalid", "will topic: " + problem);
                return;
            }
            if (w.topic().startsWith(Topics.SYS_PREFIX) || isQueueTopic(w.topic())) {
                refuse(ReasonCode.NOT_AUTHORIZED, "will_topic_not_authorized",
                        "clients may not publish to $SYS or $queue topics");
                return;
            }
            long delay = Math.max(0, w.properties().willDelayInterval());
            Message message = new Message(w.topic(), w.payload(), w.qos(), w.retain(),
                    PublishProperties.toCore(w.properties()), id, server.clock().millis());
            will = new Will(message, delay);
        }

        int keepAlive = c.keepAliveSeconds();
        int serverKeepAlive = -1;
        if (keepAlive > config.maxKeepAliveSeconds() || (keepAlive == 0 && !config.allowZeroKeepAlive())) {
            if (v5()) {
                serverKeepAlive = config.maxKeepAliveSeconds();
                keepAlive = serverKeepAlive;
            } else {
                // 3.1.1 cannot tell the client another keep-alive: refuse, as Mosquitto does.
                refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "keep_alive_too_long",
                        "keep alive " + keepAlive + " s exceeds the maximum of " + config.maxKeepAliveSeconds() + " s");
                return;
            }
        }

        SessionConfig sessionConfig = server.broker().config().session();
        long requestedExpiry;
        if (v5()) {
            requestedExpiry = Math.max(0, props.sessionExpiryInterval());
        } else {
            requestedExpiry = c.cleanStart() ? 0 : SessionConfig.NEVER_EXPIRES;
        }
        long expiry = Math.min(requestedExpiry, sessionConfig.maxSessionExpirySeconds());
        connectExpirySeconds = expiry;
        int receiveMaximum = props.receiveMaximum() < 0 ? 65_535 : props.receiveMaximum();
        clientReceiveMaximum = receiveMaximum;
        clientTopicAliasMaximum = Math.max(0, props.topicAliasMaximum());
        requestProblemInformation = props.requestProblemInformation() != 0;

        phase = Phase.CONNECTING;
        channel.config().setAutoRead(false);
        ConnectRequest request = new ConnectRequest(id, c.cleanStart(), expiry, will, receiveMaximum);
        boolean assignedId = assigned;
        int finalKeepAlive = keepAlive;
        int finalServerKeepAlive = serverKeepAlive;
        boolean expiryChanged = v5() && expiry != requestedExpiry;
        String willTopic = will == null ? null : will.message().topic();
        authenticate(c, () -> {
            // The ACL decides the will as a publish by the authenticated principal, at CONNECT time (later,
            // when it is published, nobody could be told): CONNACK 0x87 Not authorized (MQTT 5.0 §3.2.2.2)
            // / 0x05 (3.1.1 §3.2.2.3).
            if (willTopic != null && !server.authorizer().mayPublish(principal, willTopic)) {
                aclDenied("publish", willTopic);
                refuse(ReasonCode.NOT_AUTHORIZED, "will_not_authorized",
                        "not authorized to publish the will to '" + willTopic + "'");
                return;
            }
            // The session belongs to the authenticated user name (anonymous: null); see SessionOwner.
            server.broker().connect(request.withOwner(SessionOwner.of(principal.username())), this,
                    server.loops().of(channel.eventLoop()),
                    result -> onConnected(result, assignedId, finalKeepAlive, finalServerKeepAlive, expiryChanged));
        });
    }

    /**
     * Asks the authenticator who the client is, after CONNECT's protocol checks. Reading stays off
     * meanwhile (the hashing runs on the authenticator's threads, never on this event loop); the answer
     * continues CONNECT here with {@code proceed}, or refuses it (MQTT 5.0 §3.2.2.2: 0x86, 0x87, 0x9F).
     */
    private void authenticate(Connect c, Runnable proceed) {
        if (enhancedAuth != null) {
            enhancedAuth.begin(c.properties().authenticationData(), proceed);
            return;
        }
        // The verified client certificate chain of a TLS listener with mqtt.tls.client-auth; none on plain TCP.
        Credentials credentials = new Credentials("mqtt", clientId, c.username(), c.password(), peerCertificates(),
                channel.remoteAddress());
        CompletableFuture<AuthResult> answer;
        try {
            answer = server.authenticator().authenticate(credentials);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, failure) -> {
            if (c.password() != null) {
                java.util.Arrays.fill(c.password(), (byte) 0);
            }
            if (ctx.executor().inEventLoop()) {
                onAuthenticated(result, failure, proceed);
            } else {
                ctx.executor().execute(() -> onAuthenticated(result, failure, proceed));
            }
        });
    }

    private void onAuthenticated(AuthResult result, Throwable failure, Runnable proceed) {
        if (!channel.isActive() || phase != Phase.CONNECTING) {
            return; // the client left (or timed out) while it was being authenticated: no session
        }
        if (failure != null) {
            log.warn("mqtt {}: authentication failed unexpectedly", describe(), failure);
            result = new AuthResult.Refused(AuthResult.Reason.UNAVAILABLE, "authentication is unavailable");
        }
        switch (result) {
            case AuthResult.Accepted accepted -> {
                principal = accepted.principal();
                proceed.run();
            }
            case AuthResult.Refused refused -> refuse(switch (refused.reason()) {
                case BAD_CREDENTIALS -> ReasonCode.BAD_USER_NAME_OR_PASSWORD;
                case NOT_AUTHORIZED -> ReasonCode.NOT_AUTHORIZED;
                case RATE_LIMITED -> ReasonCode.CONNECTION_RATE_EXCEEDED;
                case UNAVAILABLE -> ReasonCode.SERVER_UNAVAILABLE;
            }, "auth_" + refused.reason().name().toLowerCase(java.util.Locale.ROOT), refused.detail());
        }
    }

    private void onConnected(ConnectResult result, boolean assignedId, int keepAlive, int serverKeepAlive,
                             boolean expiryChanged) {
        if (result.notOwner()) {
            if (channel.isActive() && phase == Phase.CONNECTING) {
                // Another user's session (live or stored) under this client identifier: neither taken over
                // nor resumed nor discarded. CONNACK 0x87 Not authorized (MQTT 5.0 §3.2.2.2) / 0x05 (3.1.1).
                refuse(ReasonCode.NOT_AUTHORIZED, "client_id_owned", "client identifier '" + clientId
                        + "' is in use by a session of another user (connecting as "
                        + SessionOwner.of(principal.username()).describe() + ")");
            }
            return;
        }
        if (!channel.isActive() || phase != Phase.CONNECTING) {
            result.session().detach(this, DisconnectKind.ABNORMAL, -1);
            return;
        }
        session = result.session();
        phase = Phase.CONNECTED;
        leavePending();
        int window = Math.min(server.broker().config().session().maxInflight(), clientReceiveMaximum);
        queues = new QueueSubscriptions(server.groups(), clientId, session, window);
        if (PublishBudget.limits(server.config().limits())) {
            MqttLimits limits = server.config().limits();
            publishBudget = new PublishBudget(limits.maxPublishRate(), limits.maxPublishBytesRate(),
                    server.clock().millis());
        }
        connectTimeout.cancel(false);
        if (keepAlive > 0) {
            // [MQTT-3.1.2-24]: one and a half times the keep-alive.
            long readerIdleMillis = keepAlive * 1500L;
            channel.pipeline().addFirst("keepAlive",
                    new IdleStateHandler(readerIdleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        MqttProperties connAckProps = MqttProperties.EMPTY;
        if (v5()) {
            MqttConfig config = server.config();
            MqttProperties.Builder b = MqttProperties.builder()
                    .maximumPacketSize(config.maxPacketSize())
                    .retainAvailable(1)
                    .wildcardSubscriptionAvailable(1)
                    .subscriptionIdentifierAvailable(1)
                    .sharedSubscriptionAvailable(1);
            if (config.receiveMaximum() != 65_535) {
                b.receiveMaximum(config.receiveMaximum());
            }
            if (config.topicAliasMaximum() > 0) {
                b.topicAliasMaximum(config.topicAliasMaximum());
            }
            if (assignedId) {
                b.assignedClientIdentifier(clientId);
            }
            if (serverKeepAlive >= 0) {
                b.serverKeepAlive(serverKeepAlive);
            }
            if (expiryChanged) {
                b.sessionExpiryInterval(connectExpirySeconds);
            }
            if (enhancedAuth != null) {
                enhancedAuth.addConnAckProperties(b);
                enhancedAuth.connected();
            }
            connAckProps = b.build();
        }
        ctx.write(new ConnAck(result.sessionPresent(), ReasonCode.SUCCESS, connAckProps));
        server.metrics().connectionAccepted();
        listed = new MqttClientEntry(new ClientInfo(clientId, "mqtt", versionName(), remoteAddress(),
                principal.username(), // the authenticated name: an anonymous client's claimed one is not shown
                server.clock().millis(), keepAlive, cleanStart), this, session);
        server.clients().add(listed);
        log.debug("mqtt {}: connected ({}, session present {})", describe(), version, result.sessionPresent());
        if (result.sessionPresent()) {
            // A resumed session's subscriptions were granted to an earlier connection of its owner (the same
            // user, or anonymous), perhaps with other groups or rules: they are decided again for this one.
            dropUnauthorizedSubscriptions();
            queues.rejoin();
        }
        List<MqttPacket> pending = pendingWhileConnecting;
        pendingWhileConnecting = null;
        if (pending != null) {
            for (MqttPacket p : pending) {
                if (phase != Phase.CONNECTED) {
                    break;
                }
                dispatch(p);
            }
        }
        flushWrites();
        readAgainIfUnpaused();
    }

    /** Answers a CONNECT with an error CONNACK and closes [MQTT-3.2.2-7]. */
    private void refuse(int v5ReasonCode, String metricTag, String reason) {
        server.metrics().connectionRefused(metricTag);
        long suppressed = server.refusalLog().admit(channel.remoteAddress());
        if (suppressed >= 0) { // a flood of refused CONNECTs writes one line per source every 10 s
            log.atInfo().addKeyValue("event", "connect_refused").addKeyValue("reason", metricTag)
                    .addKeyValue("suppressed", suppressed)
                    .log("mqtt {}: CONNECT refused: {}{}", describe(), reason,
                            suppressed == 0 ? "" : " (" + suppressed + " earlier refusals from this address not logged)");
        }
        if (!v5() && v5ReasonCode == ReasonCode.TOPIC_NAME_INVALID) {
            // 3.1.1 has no return code for a bad will topic (0x03 would say the server is unavailable):
            // it is a protocol violation, on which the server closes the connection (3.1.1 [MQTT-4.8.0-1]).
            close();
            return;
        }
        phase = Phase.CLOSING;
        MqttPacket connAck = v5()
                ? withReasonString(reason, true, props -> new ConnAck(false, v5ReasonCode, props))
                : new ConnAck(false, ReasonCode.toV3ConnAck(v5ReasonCode), MqttProperties.EMPTY);
        channel.writeAndFlush(connAck).addListener(ChannelFutureListener.CLOSE);
    }

    /** The connection's side of {@link EnhancedAuth}. */
    private final class AuthLink implements EnhancedAuth.Link {
        @Override
        public Channel channel() {
            return channel;
        }

        @Override
        public boolean open(boolean beforeConnAck) {
            return channel.isActive() && phase == (beforeConnAck ? Phase.CONNECTING : Phase.CONNECTED);
        }

        @Override
        public void connectAuthenticated(AuthResult result, Runnable proceed) {
            onAuthenticated(result, null, proceed);
        }

        @Override
        public void refuseConnect(int reasonCode, String metricTag, String reason) {
            refuse(reasonCode, metricTag, reason);
        }

        @Override
        public void reauthenticated(Principal p) {
            principal = p;
            log.debug("mqtt {}: re-authenticated as {}", describe(), p.username());
            dropUnauthorizedSubscriptions(); // the user's groups may have changed since CONNECT
        }

        @Override
        public void disconnect(int reasonCode, String reason) {
            protocolViolation(reasonCode, reason);
        }

        @Override
        public Principal principal() {
            return principal;
        }
    }

    // ---------------------------------------------------------------------------------------
    // PUBLISH (§3.3.4)

    private void onPublish(Publish p) {
        MqttProperties props = p.properties();
        String topic = p.topic();
        if (v5()) {
            if (props.subscriptionIdentifierCount() > 0) {
                protocolViolation(ReasonCode.PROTOCOL_ERROR,
                        "a PUBLISH from a client must not carry a subscription identifier [MQTT-3.3.4-6]");
                return;
            }
            int alias = props.topicAlias();
            if (alias != -1) {
                int max = server.config().topicAliasMaximum();
                if (alias == 0 || alias > max) {
                    protocolViolation(ReasonCode.TOPIC_ALIAS_INVALID,
                            "topic alias " + alias + " is outside 1.." + max + " [MQTT-3.3.2-9]");
                    return;
                }
                if (topic.isEmpty()) {
                    topic = inboundAliases == null ? null : inboundAliases[alias];
                    if (topic == null) {
                        protocolViolation(ReasonCode.PROTOCOL_ERROR, "topic alias " + alias + " is not mapped");
                        return;
                    }
                } else {
                    String problem = checkTopicName(topic);
                    if (problem != null) {
                        protocolViolation(ReasonCode.TOPIC_NAME_INVALID, problem);
                        return;
                    }
                    if (inboundAliases == null) {
                        inboundAliases = new String[max + 1];
                    }
                    inboundAliases[alias] = topic;
                }
            }
        }
        if (topic.isEmpty()) {
            protocolViolation(ReasonCode.PROTOCOL_ERROR, "PUBLISH without topic name or topic alias [MQTT-3.3.2-1]");
            return;
        }
        String problem = checkTopicName(topic);
        if (problem != null) {
            protocolViolation(ReasonCode.TOPIC_NAME_INVALID, problem);
            return;
        }
        String responseTopic = props.responseTopic();
        if (responseTopic != null && Topics.checkName(responseTopic, Integer.MAX_VALUE) != null) {
            protocolViolation(ReasonCode.PROTOCOL_ERROR,
                    "response topic '" + responseTopic + "' is not a valid topic name [MQTT-3.3.2-14]");
            return;
        }
        int qos = p.qos();
        // A PUBLISH re-sent (on reconnect [MQTT-4.4.0-1], or with DUP on the same connection) with the
        // identifier of one not yet released is already counted and must be acknowledged again
        // [MQTT-4.3.3-10]; only a new one can exceed the receive maximum.
        if (qos == 2 && !session.isInboundQos2Unreleased(p.packetId()) && !acks.isStoring(p.packetId())
                && session.inboundQos2Pending() + acks.pendingQos2() >= server.config().receiveMaximum()) {
            protocolViolation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + server.config().receiveMaximum() + " QoS 2 messages unreleased [MQTT-3.3.4-9]");
            return;
        }
        server.metrics().messageReceived(BrokerMetrics.Protocol.MQTT, qos, p.payload().length);
        if (publishBudget != null) {
            throttleIfOverRate(p.payload().length);
        }
        if (topic.startsWith(Topics.SYS_PREFIX)) {
            // The broker owns $SYS. v5 says so; 3.1.1 acknowledges and drops (§4.7.2, as for ACLs).
            server.metrics().publishRefused(BrokerMetrics.Protocol.MQTT, "sys_topic");
            acknowledge(p, ReasonCode.NOT_AUTHORIZED, "clients may not publish to $SYS topics");
            return;
        }
        if (isQueueTopic(topic)) {
            // $queue/... names consumer-group subscriptions, never a topic to publish to.
            server.metrics().publishRefused(BrokerMetrics.Protocol.MQTT, "queue_topic");
            acknowledge(p, ReasonCode.NOT_AUTHORIZED, "clients may not publish to $queue topics");
            return;
        }
        if (!server.authorizer().mayPublish(principal, topic)) {
            // v5: PUBACK/PUBREC 0x87 (§3.4.2.1); QoS 0 has no answer and is dropped. 3.1.1 has no way
            // to tell the client: the server "MUST either make a positive acknowledgement, according to
            // the normal QoS rules, or close the Network Connection" [MQTT-3.3.5-2]. Closing would make
            // the client send it again forever, so it is acknowledged and dropped (counted, logged).
            aclDenied("publish", topic);
            server.metrics().publishRefused(BrokerMetrics.Protocol.MQTT, "not_authorized");
            acknowledge(p, ReasonCode.NOT_AUTHORIZED, "not authorized to publish to '" + topic + "'");
            return;
        }
        if (qos == 2) {
            if (acks.repeatIfPending(p.packetId())) {
                return; // re-sent while its first sending's PUBREC is still owed: the same answer
            }
            if (session.isInboundQos2Unreleased(p.packetId())) {
                // A re-sent QoS 2 message already stored and not yet released: acknowledge again (once
                // its identifier is journaled), do not deliver twice [MQTT-4.3.3-10].
                acks.repeatWhenWritten(p.packetId(), session.inboundWrite(), ctx.executor());
                pauseIfAcksBehind();
                return;
            }
        }
        Message message = new Message(topic, p.payload(), qos, p.retain(), PublishProperties.toCore(props), clientId,
                server.clock().millis());
        AckBarrier barrier = new AckBarrier();
        // Durable appends of this read burst go as one per partition when the loop is done with it.
        if (session != null) {
            barrier.gatherOn(session.loop());
        }
        PublishTrace trace = server.broker().tracing().publish(message, "mqtt", clientId);
        if (trace != null) {
            message = trace.propagate(message);
            barrier.trace(trace);
        }
        int matched;
        try {
            matched = server.broker().publish(message, backPressure, barrier);
        } catch (RatatoskrException e) {
            if (trace != null) {
                trace.refused(e);
            }
            acks.refused(p.packetId(), qos, e); // refused before routing: nobody received it
            return;
        }
        if (trace != null) {
            trace.acknowledgedWhen(barrier);
        }
        int success = matched == 0 && barrier.isEmpty() ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS;
        if (barrier.isEmpty() && qos != 2) {
            acknowledge(p, success, null);
            return;
        }
        // Routed live already; the acknowledgement waits for the writes — a QoS 2 one also for the
        // journal write of its packet identifier, which a persistent session makes once stored.
        acks.whenStored(p.packetId(), qos, success, barrier.completion(), ctx.executor());
        pauseIfAcksBehind();
    }

    /**
     * Spends the publish-rate budget; when it is in debt, stops reading the socket (TCP then slows the
     * client) until the debt is repaid. Nothing is dropped: this PUBLISH and any already read go on.
     */
    private void throttleIfOverRate(int payloadBytes) {
        long now = server.clock().millis();
        PublishBudget.Pause pause = publishBudget.spend(payloadBytes, now);
        if (pause.millis() == 0 || pausedForRate) {
            return;
        }
        pausedForRate = true;
        channel.config().setAutoRead(false);
        // Also stop decoding what was already read: one read can hold thousands of small PUBLISHes.
        ChannelHandlerContext decoderCtx = ctx.pipeline().context(MqttDecoder.class);
        if (decoderCtx != null) {
            ((MqttDecoder) decoderCtx.handler()).hold();
        }
        server.metrics().publisherThrottled(pause.reason());
        if (now - lastThrottleLogMillis >= 60_000 || lastThrottleLogMillis == Long.MIN_VALUE) {
            lastThrottleLogMillis = now; // one line a minute per connection at most
            log.atInfo().addKeyValue("event", "publish_throttled").addKeyValue("reason", pause.reason())
                    .log("mqtt {}: over its publish rate; reading paused for {} ms", describe(), pause.millis());
        }
        ctx.executor().schedule(() -> {
            pausedForRate = false;
            if (!channel.isActive()) {
                return;
            }
            if (decoderCtx != null && !pausedForWrites && !pausedForTurn && !publisherPause.isPaused()) {
                ((MqttDecoder) decoderCtx.handler()).release(decoderCtx); // may pause again at once
            }
            readAgainIfUnpaused();
        }, pause.millis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Fairness between the connections of one event loop: after {@link #MAX_PACKETS_PER_TURN} packets
     * of one read (64 KiB holds 32,768 PINGREQs, each answered), this connection stops decoding and
     * reading, and goes on in a task scheduled behind the other connections' I/O, so a flood of tiny
     * packets delays its neighbours by one turn at most.
     */
    private void yieldIfTurnUsedUp() {
        if (++packetsThisTurn < MAX_PACKETS_PER_TURN || pausedForTurn || phase != Phase.CONNECTED) {
            return;
        }
        MqttDecoder decoder = decoder();
        if (decoder == null) {
            return;
        }
        pausedForTurn = true;
        channel.config().setAutoRead(false);
        decoder.hold();
        flushWrites();
        // Scheduled, not executed: tasks added while the loop runs tasks would run before its next I/O.
        ctx.executor().schedule(() -> {
            pausedForTurn = false;
            packetsThisTurn = 0;
            resumeDecodingIfUnpaused();
        }, 0, TimeUnit.NANOSECONDS);
    }

    private MqttDecoder decoder() {
        ChannelHandlerContext decoderCtx = ctx.pipeline().context(MqttDecoder.class);
        return decoderCtx == null ? null : (MqttDecoder) decoderCtx.handler();
    }

    /** After a pause for writes, a turn or back-pressure: decodes what was held (unless another pause holds it). */
    private void resumeDecodingIfUnpaused() {
        if (!channel.isActive() || pausedForWrites || pausedForTurn) {
            return;
        }
        ChannelHandlerContext decoderCtx = ctx.pipeline().context(MqttDecoder.class);
        if (decoderCtx != null && !pausedForRate && !publisherPause.isPaused()) {
            ((MqttDecoder) decoderCtx.handler()).release(decoderCtx); // may pause again at once
        }
        readAgainIfUnpaused();
    }

    /** Reads the socket again unless something still holds it paused (acks, a congested subscriber, the rate). */
    private void readAgainIfUnpaused() {
        if (phase == Phase.CONNECTED && !pausedForAcks && !publisherPause.isPaused() && !pausedForRate
                && !pausedForWrites && !pausedForTurn) {
            channel.config().setAutoRead(true);
        }
    }

    /** A topic name's problem (levels, length, wildcards), or null if valid. */
    private String checkTopicName(String topic) {
        // The decoder hands a connection that publishes to one topic again the same String (TopicNames):
        // that instance passed already, and the limits do not change.
        if (topic == lastValidTopic) {
            return null;
        }
        String problem = Topics.checkName(topic, server.broker().config().maxTopicLevels(),
                server.broker().config().maxTopicLength());
        if (problem == null) {
            lastValidTopic = topic;
        }
        return problem;
    }

    /** Bounded: too many acknowledgements wait for writes; stop reading until they catch up. */
    private void pauseIfAcksBehind() {
        if (acks.size() >= server.config().receiveMaximum() && !pausedForAcks) {
            pausedForAcks = true;
            channel.config().setAutoRead(false);
        }
    }

    private static boolean isQueueTopic(String topic) {
        return topic.startsWith(QUEUE_TOPIC) && (topic.length() == QUEUE_TOPIC.length()
                || topic.charAt(QUEUE_TOPIC.length()) == '/');
    }

    // PendingAcks.Sender: how the acknowledgement queue answers through this connection.

    @Override
    public void sendAck(int packetId, int qos, int v5ReasonCode, String reason) {
        int rc = v5() ? v5ReasonCode : ReasonCode.SUCCESS;
        // A void promise lets the encoder pack the acknowledgements of one read burst into one buffer (one
        // transport entry, one writev vector). Each answers a PUBLISH the client sent, so a client that
        // does not read them still pays more to send than they cost; the write-buffer bound still stops
        // reading it once they pile up (by bytes rather than by entries).
        if (qos == 1) {
            ctx.write(withReasonString(reason, false, props -> new PubAck(packetId, rc, props)), ctx.voidPromise());
        } else {
            ctx.write(withReasonString(reason, false, props -> new PubRec(packetId, rc, props)), ctx.voidPromise());
        }
    }

    @Override
    public void refuseWithoutAck(int packetId, RatatoskrException refusal) {
        log.info("mqtt {}: PUBLISH {} refused ({}); 3.1.1 has no negative PUBACK: closing without acknowledging, "
                + "the client will send it again", describe(), packetId, refusal.getMessage());
        close();
    }

    @Override
    public void sendPubComp(int packetId, int v5ReasonCode) {
        ctx.write(new PubComp(packetId, v5() ? v5ReasonCode : 0, MqttProperties.EMPTY));
    }

    @Override
    public CompletableFuture<?> storedQos2(int packetId) {
        if (!attached()) {
            return null;
        }
        session.inboundQos2Received(packetId);
        return session.inboundWrite();
    }

    @Override
    public void forgetQos2(int packetId) {
        if (attached()) {
            session.inboundPubRel(packetId);
        }
    }

    @Override
    public void releaseFailed(int packetId, RatatoskrException failure) {
        log.warn("mqtt {}: storing the release of QoS 2 packet {} failed; closing without PUBCOMP, the client "
                + "will send PUBREL again: {}", describe(), packetId, failure.getMessage());
        disconnect(ReasonCode.UNSPECIFIED_ERROR, "the broker could not store the release");
    }

    @Override
    public boolean isV5() {
        return v5();
    }

    @Override
    public boolean isOpen() {
        return phase != Phase.CLOSING;
    }

    @Override
    public void acksSent(int pending, boolean flush) {
        if (flush) {
            flushWrites();
        }
        if (pausedForAcks && pending <= server.config().receiveMaximum() / 2) {
            pausedForAcks = false;
            readAgainIfUnpaused();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Back-pressure: held back while a subscriber our messages went to is congested (PublisherPause)

    /**
     * A message of ours went to a congested session: pause for as long as it stays congested and its
     * client takes messages. Not for our own session: its acknowledgements come in on this socket.
     */
    private void congested(Session target) {
        if (phase != Phase.CONNECTED || target == session) {
            return;
        }
        publisherPause.congested(target);
    }

    /** Stops reading, and decoding what was read: at most the PUBLISH being routed gets past the mark. */
    private void stopForBackPressure() {
        channel.config().setAutoRead(false);
        MqttDecoder decoder = decoder();
        if (decoder != null) {
            decoder.hold();
        }
    }

    /**
     * Acknowledges {@code p} now — or, if earlier acknowledgements are still pending, right after
     * them. 3.1.1 acknowledges refusals as successes (it has no other answer) and drops the message.
     */
    private void acknowledge(Publish p, int v5ReasonCode, String reason) {
        acks.now(p.packetId(), p.qos(), v5ReasonCode, reason);
    }

    // ---------------------------------------------------------------------------------------
    // SUBSCRIBE / UNSUBSCRIBE (§3.8.4, §3.10.4)

    private void onSubscribe(Subscribe s) {
        int subscriptionId = 0;
        if (v5() && s.properties().subscriptionIdentifierCount() > 0) {
            subscriptionId = s.properties().subscriptionIdentifier(0);
        }
        int maxLevels = server.broker().config().maxTopicLevels();
        int maxLength = server.broker().config().maxTopicLength();
        int maxSubscriptions = server.config().limits().maxSubscriptionsPerClient();
        List<Integer> codes = new ArrayList<>(s.subscriptions().size());
        List<String> refusals = null;
        for (Subscription sub : s.subscriptions()) {
            if (isAclDenied(sub.filter())) {
                // v5 SUBACK 0x87 Not authorized (§3.9.3); 3.1.1 SUBACK 0x80 Failure (§3.9.3). Other
                // filters of the same SUBSCRIBE are decided on their own [MQTT-3.8.4-6].
                codes.add(v5() ? ReasonCode.NOT_AUTHORIZED : ReasonCode.V3_SUBACK_FAILURE);
                refusals = refusals == null ? new ArrayList<>(1) : refusals;
                refusals.add("not authorized to subscribe to '" + sub.filter() + "'");
                continue;
            }
            if (QueueSubscriptions.isQueueFilter(sub.filter())) {
                if (overSubscriptionQuota(sub.filter())) {
                    codes.add(v5() ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.V3_SUBACK_FAILURE);
                    refusals = refusals == null ? new ArrayList<>(1) : refusals;
                    refusals.add("at most " + maxSubscriptions + " subscriptions per client");
                    continue;
                }
                QueueSubscriptions.Outcome o = queues.subscribe(sub, subscriptionId, s.properties().userProperties());
                codes.add(v5() || o.reasonCode() < 0x80 ? o.reasonCode() : ReasonCode.V3_SUBACK_FAILURE);
                if (o.reason() != null) {
                    refusals = refusals == null ? new ArrayList<>(1) : refusals;
                    refusals.add(o.reason());
                }
                continue;
            }
            String problem = Topics.checkFilter(sub.filter(), maxLevels, maxLength);
            if (problem != null) {
                log.info("mqtt {}: SUBSCRIBE to '{}' refused: {}", describe(), abbreviated(sub.filter()), problem);
                codes.add(v5() ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.V3_SUBACK_FAILURE);
                continue;
            }
            if (overSubscriptionQuota(sub.filter())) {
                codes.add(v5() ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.V3_SUBACK_FAILURE);
                refusals = refusals == null ? new ArrayList<>(1) : refusals;
                refusals.add("at most " + maxSubscriptions + " subscriptions per client");
                continue;
            }
            if (v5() && sub.noLocal() && Topics.isShared(sub.filter())) {
                protocolViolation(ReasonCode.PROTOCOL_ERROR,
                        "No Local on a shared subscription is a protocol error [MQTT-3.8.3-4]");
                return;
            }
            SubscriptionOptions options = new SubscriptionOptions(sub.qos(), v5() && sub.noLocal(),
                    v5() && sub.retainAsPublished(), v5() ? sub.retainHandling() : SubscriptionOptions.SEND_RETAINED,
                    subscriptionId);
            server.broker().subscribe(session, sub.filter(), options);
            codes.add(sub.qos());
        }
        String reason = refusals == null || !v5() ? null : String.join("; ", refusals);
        ctx.write(withReasonString(reason, false, props -> new SubAck(s.packetId(), codes, props)));
    }

    /**
     * Whether a new filter would take the session over {@link MqttLimits#maxSubscriptionsPerClient}
     * (counted and logged once per connection when it would). Plain, shared and {@code $queue}
     * subscriptions all count (the session holds all three); replacing one it holds is always allowed.
     */
    private boolean overSubscriptionQuota(String filter) {
        int max = server.config().limits().maxSubscriptionsPerClient();
        if (max == 0 || session.subscriptionCount() < max || session.isSubscribed(filter)) {
            return false;
        }
        server.metrics().subscriptionRefused("max_subscriptions");
        if (refusedSubscriptions++ == 0) { // one line per connection
            log.atInfo().addKeyValue("event", "subscribe_refused").addKeyValue("reason", "max_subscriptions")
                    .log("mqtt {}: SUBSCRIBE refused: more than {} subscriptions", describe(), max);
        }
        return true;
    }

    /**
     * Whether the ACL refuses a SUBSCRIBE filter (counted and logged when it does). Invalid filters are
     * left to the validity checks that follow, so they keep their own reason codes.
     */
    private boolean isAclDenied(String filter) {
        boolean valid = QueueSubscriptions.isQueueFilter(filter)
                ? filter.indexOf('/', Topics.QUEUE_PREFIX.length()) > 0
                : Topics.checkFilter(filter, server.broker().config().maxTopicLevels()) == null;
        if (!valid || server.authorizer().maySubscribe(principal, filter)) {
            return false;
        }
        aclDenied("subscribe", filter);
        return true;
    }

    /** After an ACL reload: drops the subscriptions the rules no longer allow (see MqttServer). */
    void recheckSubscriptions() {
        channel.eventLoop().execute(() -> {
            if (session == null || phase != Phase.CONNECTED) {
                return;
            }
            dropUnauthorizedSubscriptions();
        });
    }

    /** Removes the session's subscriptions (plain, shared and $queue) that the ACL does not allow this principal. */
    private void dropUnauthorizedSubscriptions() {
        for (String filter : session.subscriptions().keySet()) {
            if (!server.authorizer().maySubscribe(principal, filter)) {
                if (QueueSubscriptions.isQueueFilter(filter)) {
                    queues.unsubscribe(filter); // leaves the consumer group too
                } else {
                    server.broker().unsubscribe(session, filter);
                }
                aclDenied("subscribe", filter);
                log.atInfo().addKeyValue("event", "acl_subscription_removed").addKeyValue("client_id", clientId)
                        .addKeyValue("filter", filter)
                        .log("mqtt {}: subscription '{}' removed: the ACL does not allow it to this client",
                                describe(), filter);
            }
        }
    }

    /** Counts an ACL refusal; logs the first and every 1000th of this connection (a client may loop). */
    private void aclDenied(String action, String topic) {
        server.metrics().aclDenied(BrokerMetrics.Protocol.MQTT, action);
        if (aclDenials++ % 1000 == 0) {
            log.atInfo().addKeyValue("event", "acl_denied").addKeyValue("action", action)
                    .addKeyValue("client_id", clientId).addKeyValue("topic", topic)
                    .addKeyValue("denials", aclDenials)
                    .log("mqtt {}: {} to '{}' not authorized ({} refusal(s) on this connection)",
                            describe(), action, topic, aclDenials);
        }
    }

    private void onUnsubscribe(Unsubscribe u) {
        int maxLevels = server.broker().config().maxTopicLevels();
        List<Integer> codes = new ArrayList<>(u.filters().size());
        for (String filter : u.filters()) {
            if (QueueSubscriptions.isQueueFilter(filter)) {
                codes.add(queues.unsubscribe(filter));
                continue;
            }
            String problem = Topics.checkFilter(filter, maxLevels, server.broker().config().maxTopicLength());
            if (problem != null) {
                codes.add(ReasonCode.TOPIC_FILTER_INVALID);
                continue;
            }
            boolean existed = server.broker().unsubscribe(session, filter);
            codes.add(existed ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED);
        }
        ctx.write(new UnsubAck(u.packetId(), v5() ? codes : List.of(), MqttProperties.EMPTY));
    }

    // ---------------------------------------------------------------------------------------
    // DISCONNECT (§3.14.4)

    private void onDisconnect(Disconnect d) {
        if (v5()) {
            long expiry = d.properties().sessionExpiryInterval();
            if (expiry >= 0) {
                if (connectExpirySeconds == 0 && expiry != 0) {
                    protocolViolation(ReasonCode.PROTOCOL_ERROR,
                            "session expiry set on DISCONNECT after 0 on CONNECT [MQTT-3.14.2-2]");
                    return;
                }
                disconnectExpirySeconds = expiry;
            }
            // Only reason 0x00 discards the will [MQTT-3.1.2-10]; 0x04 and error codes publish it.
            disconnectKind = d.reasonCode() == ReasonCode.NORMAL_DISCONNECTION
                    ? DisconnectKind.NORMAL : DisconnectKind.WITH_WILL;
        } else {
            disconnectKind = DisconnectKind.NORMAL;
        }
        log.debug("mqtt {}: DISCONNECT ({})", describe(), ReasonCode.name(d.reasonCode()));
        // Settle the will now: a CONNECT of the same client may already be queued for the session.
        queues.closing();
        session.detachAtOnce(this, disconnectKind, disconnectExpirySeconds);
        queues.leaveAll();
        session = null;
        close();
    }

    // ---------------------------------------------------------------------------------------
    // Errors

    private void onDecodeFailure(DecodeFailure f) {
        server.metrics().protocolError(metricTag(f.reasonCode()));
        log.info("mqtt {}: {} ({}); closing", describe(), f.reason(), ReasonCode.name(f.reasonCode()));
        if (phase == Phase.AWAIT_CONNECT) {
            phase = Phase.CLOSING;
            if (f.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
                // [MQTT-3.1.2-2]: answer in the 3.1.1 format, which every version can read.
                encoder.version(MqttVersion.V3_1_1);
                channel.writeAndFlush(new ConnAck(false, ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION,
                        MqttProperties.EMPTY)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (f.version() == MqttVersion.V5) {
                encoder.version(MqttVersion.V5);
                channel.writeAndFlush(new ConnAck(false, f.reasonCode(), reasonString(f.reason(), true)))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            close();
            return;
        }
        // 0x84 belongs to CONNACK only (§3.14.2.1); after CONNECT, a CONNECT naming a version we do not
        // speak is a second CONNECT: a Protocol Error [MQTT-3.1.0-2].
        int code = f.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION
                ? ReasonCode.PROTOCOL_ERROR : f.reasonCode();
        disconnect(code, f.reason());
    }

    private void protocolViolation(int v5ReasonCode, String reason) {
        server.metrics().protocolError(metricTag(v5ReasonCode));
        log.info("mqtt {}: {}; closing", describe(), reason);
        disconnect(v5ReasonCode, reason);
    }

    /**
     * Closes the connection, first telling a v5 client why with DISCONNECT — allowed only after a
     * successful CONNACK [MQTT-3.14.0-1]. The will is published (abnormal end).
     */
    private void disconnect(int v5ReasonCode, String reason) {
        if (phase == Phase.CLOSING) {
            return;
        }
        boolean tell = v5() && phase == Phase.CONNECTED;
        phase = Phase.CLOSING;
        if (tell) {
            channel.writeAndFlush(withReasonString(reason, true, props -> new Disconnect(v5ReasonCode, props)))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.flush();
            channel.close();
        }
    }

    private void close() {
        phase = Phase.CLOSING;
        channel.flush();
        channel.close();
    }

    /** A reason string, unless the client asked for none [MQTT-3.1.2-29] (CONNACK and DISCONNECT may always carry one). */
    private MqttProperties reasonString(String reason, boolean connAckOrDisconnect) {
        if (reason == null || (!requestProblemInformation && !connAckOrDisconnect)) {
            return MqttProperties.EMPTY;
        }
        return MqttProperties.builder().reasonString(reason).build();
    }

    /**
     * The packet {@code build} makes with a reason string, or without one when the string would make
     * it larger than the client's Maximum Packet Size ([MQTT-3.2.2-19], [MQTT-3.4.2-2],
     * [MQTT-3.5.2-2], [MQTT-3.14.2-3]).
     */
    private MqttPacket withReasonString(String reason, boolean connAckOrDisconnect,
                                        Function<MqttProperties, MqttPacket> build) {
        MqttProperties props = reasonString(reason, connAckOrDisconnect);
        MqttPacket packet = build.apply(props);
        return props.isEmpty() || !exceedsClientMaximum(packet) ? packet : build.apply(MqttProperties.EMPTY);
    }

    private boolean exceedsClientMaximum(MqttPacket packet) {
        return clientMaxPacketSize < MqttConfig.PROTOCOL_MAX_PACKET_SIZE
                && PacketWriter.encodedSize(packet, version) > clientMaxPacketSize;
    }

    /** A client-chosen string shortened for a log line (a filter may be 64 KiB). */
    private static String abbreviated(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }

    private static String metricTag(int reasonCode) {
        return ReasonCode.name(reasonCode).toLowerCase(java.util.Locale.ROOT).replace(' ', '_');
    }

    // ---------------------------------------------------------------------------------------
    // SessionLink: the session sends through us

    @Override
    public boolean sendPublish(Delivery d, int packetId, boolean dup, long expirySeconds) {
        Message m = d.message();
        String topic = m.topic();
        MqttProperties props = MqttProperties.EMPTY;
        boolean newAlias = false;
        if (v5()) {
            MessageProperties mp = m.properties();
            if (!mp.isEmpty() || expirySeconds >= 0 || d.subscriptionIds().length > 0 || clientTopicAliasMaximum > 0) {
                int topicAlias = -1;
                if (clientTopicAliasMaximum > 0) {
                    if (outboundAliases == null) {
                        outboundAliases = new HashMap<>();
                    }
                    Integer alias = outboundAliases.get(topic);
                    if (alias != null) {
                        topicAlias = alias;
                        topic = "";
                    } else if (nextOutboundAlias <= clientTopicAliasMaximum) {
                        // First use: send topic and alias; later PUBLISHes send only the alias.
                        topicAlias = nextOutboundAlias;
                        newAlias = true;
                    }
                }
                // Expiry, subscription identifiers and alias are this connection's (§3.3.2.3.3, .4, .8); the
                // rest of the block is the message's, encoded once per event loop.
                props = PublishProperties.forMessage(mp).withDeliveryValues(expirySeconds, d.subscriptionIds(),
                        topicAlias);
            }
        }
        Publish publish = new Publish(topic, d.qos(), d.retain(), dup, packetId, m.payload(), props);
        if (exceedsClientMaximum(publish)) {
            log.debug("mqtt {}: PUBLISH on {} exceeds the client's maximum packet size; discarded", describe(),
                    m.topic());
            return false;
        }
        if (newAlias) {
            outboundAliases.put(topic, nextOutboundAlias++);
        }
        ctx.write(publish, ctx.voidPromise()); // nobody waits on it: no promise per delivery
        // RETAIN 1 marks a retained message sent for a new subscription [MQTT-3.3.1-8] (or, rarely, a live
        // one under Retain As Published): its age since it was published is not a delivery latency.
        server.metrics().messageSent(BrokerMetrics.Protocol.MQTT, d.qos(), m.payload().length);
        if (!d.retain() && m.receivedAtMillis() < oldestUnflushedMillis) {
            oldestUnflushedMillis = m.receivedAtMillis();
        }
        return true;
    }

    @Override
    public void sendPubRel(int packetId) {
        ctx.write(new PubRel(packetId), ctx.voidPromise()); // batched with the deliveries (MqttEncoder)
    }

    @Override
    public void flush() {
        flushWrites();
    }

    /**
     * Flushes, and records the delivery latency of the deliveries written since the last flush as one
     * sample, the wait of the oldest (BrokerMetrics#deliveryWritten): one timer update per batch.
     */
    private void flushWrites() {
        if (oldestUnflushedMillis != NOTHING_UNFLUSHED) {
            long oldest = oldestUnflushedMillis;
            oldestUnflushedMillis = NOTHING_UNFLUSHED;
            server.metrics().deliveryWritten(BrokerMetrics.Protocol.MQTT, oldest);
        }
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void takenOver() {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(this::takenOver);
            return;
        }
        log.info("mqtt {}: session taken over by a new connection; closing", describe());
        if (queues != null) {
            queues.closing(); // deliveries still on their way must not reach the new connection
        }
        session = null;
        disconnect(ReasonCode.SESSION_TAKEN_OVER, "another connection with the same client identifier");
    }

    /**
     * The server is stopping: a v5 client that completed CONNECT gets DISCONNECT with 0x8B (Server
     * shutting down, MQTT 5.0 §3.14.2.1) before the close; a v3.1.1 client, or one still connecting,
     * just sees the close [MQTT-3.14.0-1]. Any thread; runs on the connection's event loop.
     */
    void serverShuttingDown() {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(this::serverShuttingDown);
            return;
        }
        disconnect(ReasonCode.SERVER_SHUTTING_DOWN, "the server is shutting down");
    }

    /**
     * An administrator closes the connection: a v5 client gets DISCONNECT 0x98 (Administrative
     * action, MQTT 5.0 §3.14.2.1) first, a v3.1.1 client just sees the close. The session stays, as
     * after any network failure (the will is published). Any thread; runs on the event loop.
     *
     * @return completes once the channel is closed
     */
    CompletableFuture<Void> administrativeDisconnect() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.closeFuture().addListener(f -> closed.complete(null));
        channel.eventLoop().execute(() -> {
            log.info("mqtt {}: disconnected by an administrator", describe());
            disconnect(ReasonCode.ADMINISTRATIVE_ACTION, "disconnected by an administrator");
        });
        return closed;
    }

    private String versionName() {
        return switch (version) {
            case V5 -> "5";
            case V3_1_1 -> "3.1.1";
            case V3_1 -> "3.1";
        };
    }

    /**
     * The client's certificate chain, leaf first, as verified by the TLS handshake of an mTLS listener;
     * empty on a plaintext connection or when the client sent none. Complete from CONNECT on (MQTT
     * bytes only arrive once the handshake is done); safe from any thread once the channel is active.
     */
    List<X509Certificate> peerCertificates() {
        SslHandler tls = channel == null ? null : channel.pipeline().get(SslHandler.class);
        return tls == null ? List.of() : PeerCertificates.of(tls.engine().getSession());
    }

    private String remoteAddress() {
        return channel.remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getHostString() + ":" + a.getPort() : String.valueOf(channel.remoteAddress());
    }

    @Override
    public String describe() {
        String remote = channel == null ? "?" : String.valueOf(channel.remoteAddress());
        return clientId == null ? remote : "'" + clientId + "' (" + remote + ")";
    }
}
