package io.ratatoskr.core.session;

/** How a connection ended, which decides the fate of the will message (MQTT 5.0 §3.1.2.5). */
public enum DisconnectKind {
    /** DISCONNECT with reason 0x00: the will is discarded [MQTT-3.1.2-10]. */
    NORMAL,
    /** DISCONNECT with reason 0x04: the client asks for its will to be published. */
    WITH_WILL,
    /** No DISCONNECT: network error, keep-alive timeout, protocol error, server shutdown. */
    ABNORMAL
}
