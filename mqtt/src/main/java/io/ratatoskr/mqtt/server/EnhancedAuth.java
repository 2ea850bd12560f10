package io.ratatoskr.mqtt.server;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.ratatoskr.core.security.AuthExchange;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.Auth;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.ReasonCode;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * MQTT 5 enhanced authentication (MQTT 5.0 §4.12) of one connection: the AUTH exchange a CONNECT with an
 * Authentication Method starts, and re-authentication (§4.12.1) after CONNACK. The method's messages are
 * the {@link AuthExchange} an {@link Authenticator} starts; this class carries them in AUTH packets and
 * enforces the protocol's rules:
 * <ul>
 *   <li>While the authenticator works, the connection does not read (like a password check at CONNECT);
 *       while it waits for the client's next AUTH, it reads. The CONNECT timeout keeps running until CONNACK,
 *       so a client that stalls mid-exchange is closed.</li>
 *   <li>Before CONNACK the client may send only AUTH, and only in answer to the server's AUTH, or
 *       DISCONNECT [MQTT-3.1.2-30] [MQTT-4.12.0-3]; every AUTH carries the CONNECT's method
 *       [MQTT-4.12.0-5]. Anything else is a Protocol Error: CONNACK 0x82 and close (a rejection "at any
 *       point in this process", [MQTT-4.12.0-4]).</li>
 *   <li>After CONNACK, AUTH 0x19 with the same method starts a re-authentication [MQTT-4.12.1-1]; other
 *       packets keep flowing under the previous authentication meanwhile. A success answers AUTH 0x00 and
 *       replaces the principal (same user name only: a re-authentication cannot change who the connection
 *       is); a failure, a stray AUTH or a re-authentication not finished within the CONNECT timeout ends in
 *       DISCONNECT and close [MQTT-4.12.1-2]. A client that did not use enhanced authentication at CONNECT
 *       may send no AUTH at all [MQTT-4.12.0-7]: the connection handles that (Protocol Error).</li>
 * </ul>
 *
 * <p>Thread-safety: confined to the connection's event loop; the authenticator's answers hop onto it.
 */
final class EnhancedAuth {
    /** What the exchange needs from its connection. All calls on the event loop. */
    interface Link {
        Channel channel();

        /** Whether the connection still expects this exchange's answers (not closing). */
        boolean open(boolean beforeConnAck);

        /** Continues CONNECT with the authenticator's verdict (the same path as a password check). */
        void connectAuthenticated(AuthResult result, Runnable proceed);

        /** Refuses the CONNECT with a CONNACK carrying {@code reasonCode}, then closes. */
        void refuseConnect(int reasonCode, String metricTag, String reason);

        /** A re-authentication succeeded: the connection now acts as {@code principal}. */
        void reauthenticated(Principal principal);

        /** After CONNACK: DISCONNECT with {@code reasonCode} and close, counted as a protocol error. */
        void disconnect(int reasonCode, String reason);

        Principal principal();
    }

    private enum State { IDLE, WORKING, AWAITING_CLIENT }

    private final Link link;
    private final Authenticator authenticator;
    private final Credentials credentials;
    private final String method;
    private final long timeoutSeconds;
    private AuthExchange exchange;
    private State state = State.IDLE;
    private boolean connected;
    /** The server's last message of the CONNECT exchange, for the CONNACK's Authentication Data. */
    private byte[] connAckData;
    private ScheduledFuture<?> reauthTimeout;
    /** What CONNECT does once authenticated. */
    private Runnable proceed;

    private EnhancedAuth(Link link, Authenticator authenticator, Credentials credentials, String method,
                         AuthExchange exchange, long timeoutSeconds) {
        this.link = link;
        this.authenticator = authenticator;
        this.credentials = credentials;
        this.method = method;
        this.exchange = exchange;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * The exchange for a CONNECT naming {@code method}, or null when the authenticator does not offer it
     * (the caller then answers CONNACK 0x8C Bad authentication method [MQTT-4.12.0-1]).
     */
    static EnhancedAuth start(Link link, Authenticator authenticator, Credentials credentials, String method,
                              long timeoutSeconds) {
        AuthExchange exchange;
        try {
            exchange = authenticator.exchange(method, credentials);
        } catch (RuntimeException e) {
            exchange = null;
        }
        return exchange == null ? null
                : new EnhancedAuth(link, authenticator, credentials, method, exchange, timeoutSeconds);
    }

    /**
     * Runs the first step with the CONNECT's Authentication Data (reading is off until the answer); once
     * accepted, CONNECT continues with {@code proceed}.
     */
    void begin(byte[] connectData, Runnable proceed) {
        this.proceed = proceed;
        step(connectData, true);
    }

    /**
     * A packet received between CONNECT and CONNACK while the exchange runs. Returns false when the exchange
     * is over (the CONNECT is being completed) and the caller should queue the packet as usual.
     */
    boolean beforeConnAck(MqttPacket packet) {
        if (connected || state == State.IDLE) {
            return false;
        }
        if (packet instanceof Disconnect) {
            link.channel().close(); // the client gave up: no CONNACK, no session
            return true;
        }
        if (!(packet instanceof Auth auth)) {
            link.refuseConnect(ReasonCode.PROTOCOL_ERROR, "auth_protocol_error", packet.type()
                    + " before CONNACK of an enhanced authentication: only AUTH or DISCONNECT [MQTT-3.1.2-30]");
        } else if (state != State.AWAITING_CLIENT || auth.reasonCode() != ReasonCode.CONTINUE_AUTHENTICATION) {
            link.refuseConnect(ReasonCode.PROTOCOL_ERROR, "auth_protocol_error", "AUTH "
                    + ReasonCode.name(auth.reasonCode()) + " out of turn: the client answers the server's AUTH "
                    + "with 0x18 [MQTT-4.12.0-3]");
        } else if (!method.equals(auth.properties().authenticationMethod())) {
            link.refuseConnect(ReasonCode.PROTOCOL_ERROR, "auth_protocol_error",
                    "AUTH with another authentication method than CONNECT's [MQTT-4.12.0-5]");
        } else {
            step(auth.properties().authenticationData(), true);
        }
        return true;
    }

    /** An AUTH after CONNACK: the start or a continuation of a re-authentication (§4.12.1). */
    void afterConnAck(Auth auth) {
        if (!method.equals(auth.properties().authenticationMethod())) {
            link.disconnect(ReasonCode.PROTOCOL_ERROR,
                    "re-authentication with another authentication method [MQTT-4.12.1-1]");
            return;
        }
        boolean starts = state == State.IDLE && auth.reasonCode() == ReasonCode.RE_AUTHENTICATE;
        boolean continues = state == State.AWAITING_CLIENT
                && auth.reasonCode() == ReasonCode.CONTINUE_AUTHENTICATION;
        if (!starts && !continues) {
            link.disconnect(ReasonCode.PROTOCOL_ERROR, "AUTH " + ReasonCode.name(auth.reasonCode())
                    + " out of turn (a re-authentication starts with 0x19, then answers the server's AUTH with 0x18)");
            return;
        }
        if (starts) {
            try {
                exchange = authenticator.exchange(method, credentials);
            } catch (RuntimeException e) {
                exchange = null;
            }
            if (exchange == null) { // the method was switched off since CONNECT, or the authenticator failed
                link.disconnect(ReasonCode.NOT_AUTHORIZED, "re-authentication with " + method + " is not available");
                return;
            }
            EventExecutor loop = link.channel().eventLoop();
            reauthTimeout = loop.schedule(() -> {
                if (state != State.IDLE && link.open(false)) {
                    link.disconnect(ReasonCode.NOT_AUTHORIZED, "re-authentication not completed within "
                            + timeoutSeconds + " s [MQTT-4.12.1-2]");
                }
            }, timeoutSeconds, TimeUnit.SECONDS);
        }
        step(auth.properties().authenticationData(), false);
    }

    /** CONNACK of a successful enhanced authentication names the method and carries the server's last data. */
    void addConnAckProperties(MqttProperties.Builder b) {
        b.authenticationMethod(method); // [MQTT-4.12.0-5]
        if (connAckData != null) {
            b.authenticationData(connAckData);
        }
    }

    /** Marks CONNACK sent: AUTH packets from now on are re-authentications. */
    void connected() {
        connected = true;
        connAckData = null;
    }

    private void step(byte[] clientData, boolean beforeConnAck) {
        state = State.WORKING;
        if (beforeConnAck) {
            link.channel().config().setAutoRead(false);
        }
        CompletableFuture<AuthExchange.Step> answer;
        try {
            answer = exchange.respond(clientData);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        EventExecutor loop = link.channel().eventLoop();
        answer.whenComplete((step, failure) -> {
            if (loop.inEventLoop()) {
                onStep(step, failure, beforeConnAck);
            } else {
                loop.execute(() -> onStep(step, failure, beforeConnAck));
            }
        });
    }

    private void onStep(AuthExchange.Step step, Throwable failure, boolean beforeConnAck) {
        if (!link.open(beforeConnAck)) {
            return; // closed (or timed out) meanwhile
        }
        if (failure != null) {
            step = new AuthExchange.Step.Finished(new AuthResult.Refused(AuthResult.Reason.UNAVAILABLE,
                    "authentication is unavailable"), null);
        }
        switch (Objects.requireNonNull(step, "step")) {
            case AuthExchange.Step.Challenge c -> {
                state = State.AWAITING_CLIENT;
                link.channel().writeAndFlush(auth(ReasonCode.CONTINUE_AUTHENTICATION, c.data()));
                if (beforeConnAck) {
                    link.channel().config().setAutoRead(true);
                }
            }
            case AuthExchange.Step.Finished f -> {
                state = State.IDLE;
                exchange = null;
                if (beforeConnAck) {
                    if (f.result() instanceof AuthResult.Accepted) {
                        connAckData = f.data();
                    }
                    link.connectAuthenticated(f.result(), proceed); // CONNACK, success or refusal [MQTT-4.12.0-4]
                } else {
                    reauthenticated(f);
                }
            }
        }
    }

    private void reauthenticated(AuthExchange.Step.Finished f) {
        if (reauthTimeout != null) {
            reauthTimeout.cancel(false);
            reauthTimeout = null;
        }
        switch (f.result()) {
            case AuthResult.Accepted a when Objects.equals(a.principal().username(), link.principal().username()) -> {
                link.reauthenticated(a.principal());
                link.channel().writeAndFlush(auth(ReasonCode.SUCCESS, f.data()));
            }
            case AuthResult.Accepted a -> link.disconnect(ReasonCode.NOT_AUTHORIZED,
                    "re-authentication as another user (" + a.principal().username() + ")");
            // DISCONNECT has no 0x86 or 0x88 (§3.14.2.1): Not authorized, Connection rate exceeded, Server busy.
            case AuthResult.Refused r -> link.disconnect(switch (r.reason()) {
                case BAD_CREDENTIALS, NOT_AUTHORIZED -> ReasonCode.NOT_AUTHORIZED;
                case RATE_LIMITED -> ReasonCode.CONNECTION_RATE_EXCEEDED;
                case UNAVAILABLE -> ReasonCode.SERVER_BUSY;
            }, "re-authentication failed: " + r.detail());
        }
    }

    /** AUTH always names the method [MQTT-4.12.0-5]. */
    private Auth auth(int reasonCode, byte[] data) {
        MqttProperties.Builder b = MqttProperties.builder().authenticationMethod(method);
        if (data != null) {
            b.authenticationData(data);
        }
        return new Auth(reasonCode, b.build());
    }
}
