package io.ratatoskr.core.persist;

import io.ratatoskr.core.durable.MessageEnvelope;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.session.OutboundState;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.core.session.SessionOwner;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The records of the session journal, a compacted {@link io.ratatoskr.log.Log} in
 * {@code <data>/sessions}: the latest record per key is the state; a tombstone (null value) deletes
 * it. Version 1. All integers are big-endian; strings are UTF-8.
 *
 * <p>Every key starts with a kind byte; {@code id} is a client identifier as a 2-byte length and
 * its bytes (MQTT limits it to 65,535 bytes):
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>kind</th><th>key</th><th>value</th></tr>
 * <tr><td>1 session</td><td>{@code 01 | client id bytes}</td><td>session (below)</td></tr>
 * <tr><td>2 will</td><td>{@code 02 | client id bytes}</td><td>a {@link MessageEnvelope} (user
 *     properties in the record headers, the will's receive time as the record timestamp)</td></tr>
 * <tr><td>3 subscription</td><td>{@code 03 | id | filter bytes}</td><td>subscription (below)</td></tr>
 * <tr><td>4 message</td><td>{@code 04 | message id (8)}</td><td>a {@link MessageEnvelope} whose id
 *     is {@code (0, message id)}; stored once however many sessions hold it</td></tr>
 * <tr><td>5 entry</td><td>{@code 05 | id | message id (8)}</td><td>entry (below): the message queued
 *     or in flight to that session</td></tr>
 * <tr><td>6 inbound</td><td>{@code 06 | id | packet id (2)}</td><td>{@code 01} (version): an inbound
 *     QoS 2 packet identifier received and not yet released</td></tr>
 * </table>
 *
 * <table>
 * <caption>Session value (version 2; version 1 is the first 18 bytes, without an owner)</caption>
 * <tr><th>offset</th><th>size</th><th>field</th></tr>
 * <tr><td>0</td><td>1</td><td>version (2; 1 is still read)</td></tr>
 * <tr><td>1</td><td>1</td><td>flags: bit 0 connected when written</td></tr>
 * <tr><td>2</td><td>4</td><td>session expiry interval, seconds (unsigned; 0xFFFFFFFF never)</td></tr>
 * <tr><td>6</td><td>8</td><td>when the connection ended (ms since the epoch); -1 while connected</td></tr>
 * <tr><td>14</td><td>4</td><td>will delay interval, seconds (unsigned), if a will record exists</td></tr>
 * <tr><td>18</td><td>1</td><td>owner kind (version 2): 0 not known (restored from version 1 and not
 *     resumed since), 1 anonymous, 2 a user</td></tr>
 * <tr><td>19</td><td>2</td><td>n: length of the owner's user name (0 unless kind 2)</td></tr>
 * <tr><td>21</td><td>n</td><td>the owner's user name, UTF-8</td></tr>
 * </table>
 * A version 1 session value (written before owners were recorded) restores a session whose owner is
 * not known: the next connection that resumes it adopts it.
 *
 * <table>
 * <caption>Subscription value</caption>
 * <tr><th>offset</th><th>size</th><th>field</th></tr>
 * <tr><td>0</td><td>1</td><td>version (1)</td></tr>
 * <tr><td>1</td><td>1</td><td>bits 0-1 maximum QoS, bit 2 No Local, bit 3 Retain As Published,
 *     bits 4-5 Retain Handling</td></tr>
 * <tr><td>2</td><td>4</td><td>subscription identifier (0 none)</td></tr>
 * </table>
 *
 * <table>
 * <caption>Entry value</caption>
 * <tr><th>offset</th><th>size</th><th>field</th></tr>
 * <tr><td>0</td><td>1</td><td>version (1)</td></tr>
 * <tr><td>1</td><td>1</td><td>state: 0 queued, 1 awaiting PUBACK, 2 awaiting PUBREC, 3 awaiting PUBCOMP</td></tr>
 * <tr><td>2</td><td>1</td><td>bits 0-1 QoS delivered at, bit 2 retain flag to send</td></tr>
 * <tr><td>3</td><td>2</td><td>packet identifier (0 when queued)</td></tr>
 * <tr><td>5</td><td>2</td><td>n: subscription identifiers</td></tr>
 * <tr><td>7</td><td>4 × n</td><td>subscription identifiers</td></tr>
 * </table>
 *
 * <p>A torn or corrupt tail is the log's business (each batch carries a CRC32C and recovery cuts a
 * torn batch whole). A record whose version or kind this broker does not know, or that does not
 * decode, makes {@link #decode} throw {@link IllegalArgumentException}; the loader logs it and
 * skips it.
 *
 * <p>Thread-safety: stateless.
 */
final class SessionRecords {
    static final int VERSION = 1;
    /** The version of session values (the other records are still at {@link #VERSION}). */
    static final int SESSION_VERSION = 2;
    private static final byte OWNER_UNKNOWN = 0;
    private static final byte OWNER_ANONYMOUS = 1;
    private static final byte OWNER_USER = 2;
    static final byte SESSION = 1;
    static final byte WILL = 2;
    static final byte SUBSCRIPTION = 3;
    static final byte MESSAGE = 4;
    static final byte ENTRY = 5;
    static final byte INBOUND = 6;

    private static final String LOG_NAME = "sessions";
    private static final byte[] INBOUND_VALUE = {VERSION};

    private SessionRecords() {}

    // ---------------------------------------------------------------------------------------
    // Keys

    static byte[] sessionKey(String clientId) {
        return prefixed(SESSION, utf8(clientId));
    }

    static byte[] willKey(String clientId) {
        return prefixed(WILL, utf8(clientId));
    }

    static byte[] subscriptionKey(String clientId, String filter) {
        byte[] id = utf8(clientId);
        byte[] f = utf8(filter);
        return ByteBuffer.allocate(3 + id.length + f.length).put(SUBSCRIPTION).putShort((short) id.length).put(id)
                .put(f).array();
    }

    static byte[] messageKey(long messageId) {
        return ByteBuffer.allocate(9).put(MESSAGE).putLong(messageId).array();
    }

    static byte[] entryKey(String clientId, long messageId) {
        byte[] id = utf8(clientId);
        return ByteBuffer.allocate(11 + id.length).put(ENTRY).putShort((short) id.length).put(id).putLong(messageId)
                .array();
    }

    static byte[] inboundKey(String clientId, int packetId) {
        byte[] id = utf8(clientId);
        return ByteBuffer.allocate(5 + id.length).put(INBOUND).putShort((short) id.length).put(id)
                .putShort((short) packetId).array();
    }

    // ---------------------------------------------------------------------------------------
    // Records

    /** A session value; {@code owner} null when not known. */
    static Record session(String clientId, long expirySeconds, long disconnectedAtMillis, long willDelaySeconds,
                          SessionOwner owner) {
        byte[] user = owner == null || owner.isAnonymous() ? new byte[0] : utf8(owner.username());
        byte kind = owner == null ? OWNER_UNKNOWN : owner.isAnonymous() ? OWNER_ANONYMOUS : OWNER_USER;
        ByteBuffer b = ByteBuffer.allocate(21 + user.length).put((byte) SESSION_VERSION)
                .put((byte) (disconnectedAtMillis < 0 ? 1 : 0)).putInt((int) expirySeconds)
                .putLong(disconnectedAtMillis).putInt((int) willDelaySeconds)
                .put(kind).putShort((short) user.length).put(user);
        return Record.of(sessionKey(clientId), b.array());
    }

    static Record will(String clientId, Message will) {
        return MessageEnvelope.toRecord(will, new UUID(0, 0), willKey(clientId), null);
    }

    static Record subscription(String clientId, String filter, SubscriptionOptions o) {
        int bits = o.qos() | (o.noLocal() ? 1 << 2 : 0) | (o.retainAsPublished() ? 1 << 3 : 0)
                | o.retainHandling() << 4;
        ByteBuffer b = ByteBuffer.allocate(6).put((byte) VERSION).put((byte) bits).putInt(o.subscriptionId());
        return Record.of(subscriptionKey(clientId, filter), b.array());
    }

    static Record message(long messageId, Message message) {
        return MessageEnvelope.toRecord(message, new UUID(0, messageId), messageKey(messageId), null);
    }

    static Record entry(String clientId, long messageId, OutboundState state, int qos, boolean retain, int packetId,
                        int[] subscriptionIds) {
        ByteBuffer b = ByteBuffer.allocate(7 + 4 * subscriptionIds.length).put((byte) VERSION)
                .put((byte) state.ordinal()).put((byte) (qos | (retain ? 1 << 2 : 0))).putShort((short) packetId)
                .putShort((short) subscriptionIds.length);
        for (int id : subscriptionIds) {
            b.putInt(id);
        }
        return Record.of(entryKey(clientId, messageId), b.array());
    }

    static Record inbound(String clientId, int packetId) {
        return Record.of(inboundKey(clientId, packetId), INBOUND_VALUE);
    }

    static Record tombstone(byte[] key) {
        return Record.of(key, null);
    }

    // ---------------------------------------------------------------------------------------
    // Decoding

    /** A decoded record: what it is about and its value (null for a tombstone). */
    sealed interface Decoded {
        String clientId();
    }

    /** {@code owner} null: not recorded (a version 1 value) or recorded as not known. */
    record SessionValue(String clientId, boolean connected, long expirySeconds, long atMillis, long willDelaySeconds,
                        SessionOwner owner) implements Decoded {
    }

    record WillValue(String clientId, Message message) implements Decoded {
    }

    record SubscriptionValue(String clientId, String filter, SubscriptionOptions options) implements Decoded {
    }

    record MessageValue(long messageId, Message message) implements Decoded {
        @Override
        public String clientId() {
            return null;
        }
    }

    record EntryValue(String clientId, long messageId, OutboundState state, int qos, boolean retain, int packetId,
                      int[] subscriptionIds) implements Decoded {
    }

    record InboundValue(String clientId, int packetId) implements Decoded {
    }

    /**
     * Decodes a stored record that is not a tombstone.
     *
     * @throws IllegalArgumentException if the record is not one this broker can read
     */
    static Decoded decode(StoredRecord r) {
        try {
            return decodeUnchecked(r);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("undecodable session journal record at offset " + r.offset() + ": " + e,
                    e);
        }
    }

    private static Decoded decodeUnchecked(StoredRecord r) {
        byte[] key = r.key();
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("session journal record without a key at offset " + r.offset());
        }
        ByteBuffer k = ByteBuffer.wrap(key, 1, key.length - 1);
        return switch (key[0]) {
            case SESSION -> {
                byte[] raw = r.value();
                boolean v2 = raw.length > 0 && raw[0] == SESSION_VERSION;
                ByteBuffer v = v2 ? ByteBuffer.wrap(checkLength(r, 21), 1, raw.length - 1) : value(r, 18);
                int flags = v.get();
                long expiry = Integer.toUnsignedLong(v.getInt());
                long at = v.getLong();
                long willDelay = Integer.toUnsignedLong(v.getInt());
                SessionOwner owner = v2 ? owner(v) : null;
                yield new SessionValue(rest(k), (flags & 1) != 0, Math.min(expiry, SessionConfig.NEVER_EXPIRES), at,
                        willDelay, owner);
            }
            case WILL -> new WillValue(rest(k), MessageEnvelope.fromRecord(LOG_NAME, 0, r).message());
            case SUBSCRIPTION -> {
                String clientId = string(k);
                ByteBuffer v = value(r, 6);
                int bits = v.get();
                SubscriptionOptions o = new SubscriptionOptions(bits & 3, (bits & 1 << 2) != 0, (bits & 1 << 3) != 0,
                        (bits >> 4) & 3, v.getInt());
                yield new SubscriptionValue(clientId, rest(k), o);
            }
            case MESSAGE -> {
                long id = k.getLong();
                yield new MessageValue(id, MessageEnvelope.fromRecord(LOG_NAME, 0, r).message());
            }
            case ENTRY -> {
                String clientId = string(k);
                long id = k.getLong();
                ByteBuffer v = value(r, 7);
                int stateCode = v.get();
                if (stateCode < 0 || stateCode >= OutboundState.values().length) {
                    throw new IllegalArgumentException("unknown outbound state " + stateCode);
                }
                int bits = v.get();
                int packetId = Short.toUnsignedInt(v.getShort());
                int[] ids = new int[Short.toUnsignedInt(v.getShort())];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = v.getInt();
                }
                int qos = bits & 3;
                if (qos == 0 || qos == 3) {
                    throw new IllegalArgumentException("stored delivery with QoS " + qos);
                }
                yield new EntryValue(clientId, id, OutboundState.values()[stateCode], qos, (bits & 1 << 2) != 0,
                        packetId, ids);
            }
            case INBOUND -> {
                String clientId = string(k);
                value(r, 1);
                yield new InboundValue(clientId, Short.toUnsignedInt(k.getShort()));
            }
            default -> throw new IllegalArgumentException("unknown session journal record kind " + key[0]
                    + " at offset " + r.offset());
        };
    }

    /** The value, checked for version 1 and at least {@code minBytes}, positioned after the version. */
    private static ByteBuffer value(StoredRecord r, int minBytes) {
        byte[] v = r.value();
        if (v.length < minBytes) {
            throw new IllegalArgumentException("session journal value of " + v.length + " bytes at offset "
                    + r.offset() + " is too short");
        }
        if (v[0] != VERSION) {
            throw new IllegalArgumentException("session journal record version " + v[0] + " at offset " + r.offset()
                    + " is not supported (this broker reads " + VERSION + ")");
        }
        return ByteBuffer.wrap(v, 1, v.length - 1);
    }

    private static byte[] checkLength(StoredRecord r, int minBytes) {
        if (r.value().length < minBytes) {
            throw new IllegalArgumentException("session journal value of " + r.value().length + " bytes at offset "
                    + r.offset() + " is too short");
        }
        return r.value();
    }

    private static SessionOwner owner(ByteBuffer v) {
        byte kind = v.get();
        String user = string(v);
        return switch (kind) {
            case OWNER_UNKNOWN -> null;
            case OWNER_ANONYMOUS -> SessionOwner.ANONYMOUS;
            case OWNER_USER -> SessionOwner.of(user);
            default -> throw new IllegalArgumentException("unknown session owner kind " + kind);
        };
    }

    /** The kind byte of a key, or -1. */
    static int kind(byte[] key) {
        return key == null || key.length == 0 ? -1 : key[0];
    }

    /** The client identifier a key belongs to, or null (message keys, unreadable keys). */
    static String clientIdOf(byte[] key) {
        try {
            return switch (key[0]) {
                case SESSION, WILL -> new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
                case SUBSCRIPTION, ENTRY, INBOUND -> string(ByteBuffer.wrap(key, 1, key.length - 1));
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String string(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    private static String rest(ByteBuffer b) {
        return new String(b.array(), b.position(), b.remaining(), StandardCharsets.UTF_8);
    }

    private static byte[] prefixed(byte kind, byte[] bytes) {
        byte[] out = new byte[bytes.length + 1];
        out[0] = kind;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** All the records a list of keys turns into tombstones. */
    static List<Record> tombstones(List<byte[]> keys) {
        return keys.stream().map(SessionRecords::tombstone).toList();
    }
}
