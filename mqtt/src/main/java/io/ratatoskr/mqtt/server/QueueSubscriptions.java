package io.ratatoskr.mqtt.server;

import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.StartPosition;
import io.ratatoskr.core.durable.group.ConsumerGroups;
import io.ratatoskr.core.durable.group.GroupDelivery;
import io.ratatoskr.core.durable.group.GroupMember;
import io.ratatoskr.core.durable.group.GroupSink;
import io.ratatoskr.core.durable.group.MemberOptions;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.session.Delivery;
import io.ratatoskr.core.session.DeliveryAck;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.core.topic.Topics;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.codec.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The consumer-group subscriptions of one MQTT connection: {@code $queue/<group>/<durable topic>}.
 * Each is a member of a core consumer group ({@link ConsumerGroups}); the group's deliveries go to
 * the session as QoS 1 (or QoS 0) PUBLISH packets on the message's own MQTT topic, and the client's
 * PUBACK answers them (see docs/mqtt.md, "Consumer groups over MQTT"):
 *
 * <ul>
 *   <li>reason code below 0x80 (every 3.1.1 PUBACK) — ack;</li>
 *   <li>0x99 Payload format invalid, or any reason code of 0x80 or more with the user property
 *       {@code reject=true} — reject: the message goes to the dead-letter topic at once, with the
 *       PUBACK's reason string as {@code dlq-reason};</li>
 *   <li>any other reason code of 0x80 or more — nack: redelivered after the user property
 *       {@code delay-ms}, or after the group's backoff.</li>
 * </ul>
 *
 * <p>A member leaves when the client unsubscribes (its unanswered deliveries go back uncounted) or
 * the connection goes (deliveries the client may have seen count as failed attempts, the rest go
 * back uncounted). A session that is resumed rejoins its groups.
 *
 * <p>Threading: confined to the connection's event loop, which owns the session while attached.
 * Deliveries arrive on the group's thread and enter the session's mailbox; the session answers on
 * its loop through each delivery's {@link DeliveryAck}, which calls the thread-safe
 * {@link GroupMember}. {@link #leaveAll} may run on the session's next owner loop after a takeover,
 * when this connection is gone (the mailbox hand-off orders it).
 */
final class QueueSubscriptions {
    private static final Logger log = LoggerFactory.getLogger(QueueSubscriptions.class);

    static final String PREFIX = Topics.QUEUE_PREFIX;
    /** SUBSCRIBE user property: where a new group starts (earliest, latest, offset:N, time:T). */
    static final String START = "start";
    /** SUBSCRIBE user property: move the whole group there first (replay or skip). */
    static final String SEEK = "seek";
    /** SUBSCRIBE user property: the member's max unacknowledged deliveries. */
    static final String PREFETCH = "prefetch";
    /** PUBACK user property: how long to wait before redelivering a nacked message. */
    static final String DELAY_MS = "delay-ms";
    /** PUBACK user property: {@code true} with an error reason code rejects instead of nacking. */
    static final String REJECT = "reject";

    /** The SUBACK reason code for one filter, and why it failed (null on success). */
    record Outcome(int reasonCode, String reason) {
    }

    private record Target(String group, String topic) {
    }

    private final ConsumerGroups groups;
    private final String clientId;
    private final Session session;
    private final int window;
    private final Map<String, QueueMember> members = new HashMap<>(2);

    /**
     * @param groups   the broker's consumer groups, or null when there are none
     * @param window   the session's in-flight window (the client's Receive Maximum, capped by ours):
     *                 no member's prefetch exceeds it, so a delivery never waits in the session queue
     *                 while its ack timeout runs
     */
    QueueSubscriptions(ConsumerGroups groups, String clientId, Session session, int window) {
        this.groups = groups;
        this.clientId = clientId;
        this.session = session;
        this.window = window;
    }

    static boolean isQueueFilter(String filter) {
        return Topics.isQueue(filter);
    }

    /**
     * SUBSCRIBE to a {@code $queue} filter: joins the group (replacing an earlier subscription to
     * it). Deliveries carry {@code subscriptionId} (0: none) [MQTT-3.3.4-3].
     */
    Outcome subscribe(Subscription sub, int subscriptionId, List<UserProperty> properties) {
        if (groups == null) {
            return new Outcome(ErrorCode.UNAVAILABLE.mqttReasonCode(), "consumer groups are not enabled on this broker");
        }
        Target target = parse(sub.filter());
        if (target == null) {
            return refused(sub.filter(), ErrorCode.INVALID_QUEUE_FILTER.exception(sub.filter()));
        }
        int prefetch = 0;
        StartPosition start = StartPosition.EARLIEST;
        StartPosition seek = null;
        try {
            for (UserProperty p : properties) {
                switch (p.name()) {
                    case PREFETCH -> prefetch = parsePrefetch(p.value());
                    case START -> start = StartPosition.parse(p.value());
                    case SEEK -> seek = StartPosition.parse(p.value());
                    default -> {
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return refused(sub.filter(), ErrorCode.INVALID_ARGUMENT.exception(e.getMessage()));
        }
        // Granted QoS 1 whatever was asked above 0: group deliveries need PUBACK; QoS 0 acks on sending.
        int granted = Math.min(sub.qos(), 1);
        QueueMember old = members.remove(sub.filter());
        if (old != null) {
            old.leaveGracefully();
        }
        QueueMember m = new QueueMember(sub.filter(), granted, subscriptionId);
        try {
            if (seek != null) {
                ignoreFailure(groups.seek(target.topic(), target.group(), seek), "seek");
            }
            m.member = groups.join(target.topic(), target.group(),
                    new MemberOptions(clientId, prefetch, window, start), m);
        } catch (RatatoskrException e) {
            session.removeSubscription(sub.filter());
            return refused(sub.filter(), e);
        }
        members.put(sub.filter(), m);
        session.putSubscription(sub.filter(), new SubscriptionOptions(granted, false, false,
                SubscriptionOptions.SEND_RETAINED, subscriptionId));
        log.debug("mqtt '{}': joined group {} of {} (QoS {})", clientId, target.group(), target.topic(), granted);
        return new Outcome(granted, null);
    }

    /** UNSUBSCRIBE from a {@code $queue} filter: leaves the group; unanswered deliveries go back uncounted. */
    int unsubscribe(String filter) {
        QueueMember m = members.remove(filter);
        boolean existed = session.removeSubscription(filter);
        if (m != null) {
            m.leaveGracefully();
        }
        return existed || m != null ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED;
    }

    /** A resumed session: rejoin the groups it subscribed to (with the group's prefetch). */
    void rejoin() {
        for (Map.Entry<String, SubscriptionOptions> e : session.subscriptions().entrySet()) {
            String filter = e.getKey();
            Target target = isQueueFilter(filter) ? parse(filter) : null;
            if (target == null || groups == null) {
                continue;
            }
            QueueMember m = new QueueMember(filter, Math.min(1, e.getValue().qos()), e.getValue().subscriptionId());
            try {
                m.member = groups.join(target.topic(), target.group(),
                        new MemberOptions(clientId, 0, window, StartPosition.EARLIEST), m);
                members.put(filter, m);
            } catch (RatatoskrException ex) {
                log.info("mqtt '{}': cannot rejoin {}: {}; the subscription is dropped", clientId, filter,
                        ex.getMessage());
                session.removeSubscription(filter);
            }
        }
    }

    /**
     * The connection is going: from now on deliveries the session hands back are remembered (if the
     * client may have seen them) rather than released, for {@link #leaveAll}.
     */
    void closing() {
        for (QueueMember m : members.values()) {
            m.closing = true;
        }
    }

    /** Every member leaves; deliveries the client may have seen count as failed attempts. */
    void leaveAll() {
        for (QueueMember m : members.values()) {
            m.closing = true;
            m.flushAcks();
            ignoreFailure(m.member.leave(m.attempted), "leave");
        }
        members.clear();
    }

    /** The user properties of a PUBACK, as the session passes them on. */
    static List<Header> headers(MqttProperties props) {
        int n = props.userPropertyCount();
        if (n == 0) {
            return List.of();
        }
        List<Header> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Header(props.userPropertyName(i), props.userPropertyValue(i)));
        }
        return out;
    }

    private static Target parse(String filter) {
        if (!filter.startsWith(PREFIX)) {
            return null;
        }
        String rest = filter.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String group = rest.substring(0, slash);
        String topic = rest.substring(slash + 1);
        if (ConsumerGroups.checkName(group) != null || ConsumerGroups.checkName(topic) != null) {
            return null;
        }
        return new Target(group, topic);
    }

    private static int parsePrefetch(String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 65_535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("prefetch must be a number in 1..65535, was '" + value + "'");
    }

    private Outcome refused(String filter, RatatoskrException e) {
        log.info("mqtt '{}': SUBSCRIBE to '{}' refused: {}", clientId, filter, e.getMessage());
        return new Outcome(e.code().mqttReasonCode(), e.getMessage());
    }

    private void ignoreFailure(CompletableFuture<?> f, String what) {
        f.whenComplete((r, e) -> {
            if (e != null) {
                log.debug("mqtt '{}': group {} failed: {}", clientId, what, e.toString());
            }
        });
    }

    /** Partitions and attempts below this get a shared {@link Header} each. */
    private static final int SHARED_HEADERS = 64;
    private static final Header[] PARTITION_HEADERS = numbered("partition");
    private static final Header[] ATTEMPT_HEADERS = numbered("attempt");

    private static Header[] numbered(String name) {
        Header[] out = new Header[SHARED_HEADERS];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Header(name, Integer.toString(i));
        }
        return out;
    }

    private static Header numbered(Header[] shared, String name, int n) {
        return n >= 0 && n < shared.length ? shared[n] : new Header(name, Integer.toString(n));
    }

    /**
     * The message as a group member receives it: its own properties plus where it stands. What repeats from
     * delivery to delivery (the topic, small partition numbers and attempt counts) is shared, not made anew.
     */
    private static Message withGroupProperties(GroupDelivery d, Header topicHeader) {
        DurableMessage dm = d.message();
        Message m = dm.message();
        MessageProperties p = m.properties();
        // An immutable list built once: MessageProperties keeps it as it is instead of copying it.
        List<Header> user = p.userProperties();
        Header[] headers = new Header[user.size() + 5];
        int n = 0;
        for (Header h : user) {
            headers[n++] = h;
        }
        headers[n++] = new Header("message-id", dm.id().toString());
        headers[n++] = topicHeader.value().equals(dm.topic()) ? topicHeader : new Header("durable-topic", dm.topic());
        headers[n++] = numbered(PARTITION_HEADERS, "partition", dm.partition());
        headers[n++] = new Header("offset", Long.toString(dm.offset()));
        headers[n] = numbered(ATTEMPT_HEADERS, "attempt", d.attempt());
        MessageProperties props = new MessageProperties(p.payloadFormat(), p.expiryIntervalSeconds(), p.contentType(),
                p.responseTopic(), p.correlationData(), List.of(headers));
        return new Message(m.topic(), m.payload(), m.qos(), false, props, m.publisherId(), m.receivedAtMillis());
    }

    private static boolean isTrue(List<Header> props, String name) {
        for (Header h : props) {
            if (h.name().equals(name) && h.value().trim().equalsIgnoreCase("true")) {
                return true;
            }
        }
        return false;
    }

    private static long delayMs(List<Header> props) {
        for (Header h : props) {
            if (h.name().equals(DELAY_MS)) {
                try {
                    return Math.max(0, Long.parseLong(h.value().trim()));
                } catch (NumberFormatException e) {
                    return -1; // not a number: the group's backoff
                }
            }
        }
        return -1;
    }

    /** One {@code $queue} subscription: a group member whose deliveries go to the session. */
    private final class QueueMember implements GroupSink {
        final String filter;
        final int qos;
        final int[] subscriptionIds;
        /** Set on the loop right after joining, before any answer can come (answers come on the loop). */
        GroupMember member;
        /** Set on the connection's loop; read on the session's loop, which may be another after a takeover. */
        volatile boolean closing;
        /** Deliveries handed back by the session after the client may have seen them. */
        final List<Long> attempted = new ArrayList<>(0);
        /**
         * Acknowledgements gathered while the session's loop works through one read burst, sent to the group
         * as one step ({@link GroupMember#ackAll}) when the loop is done with it. Guarded by {@code ackLock}:
         * the session's loop may change (takeover) while a flush is pending.
         * Every other call to the member first sends these, so the group sees one member's answers in order.
         */
        private final Object ackLock = new Object();
        private long[] acks = new long[16];
        private int ackCount;
        private boolean ackFlushScheduled;
        private final Runnable flushTask = this::flushAcks;

        /** The {@code durable-topic} property of this member's deliveries. */
        final Header topicHeader;

        QueueMember(String filter, int qos, int subscriptionId) {
            this.filter = filter;
            Target target = parse(filter);
            this.topicHeader = new Header("durable-topic", target == null ? "" : target.topic());
            this.qos = qos;
            this.subscriptionIds = subscriptionId == 0 ? null : new int[] {subscriptionId};
        }

        /** On the group's thread. */
        @Override
        public void deliver(GroupDelivery d) {
            session.offer(new Delivery(withGroupProperties(d, topicHeader), qos, false, subscriptionIds, null,
                    new Answer(this, d.deliveryId())));
        }

        /** On the group's thread. */
        @Override
        public void ended(ErrorCode code, String reason) {
            log.info("mqtt '{}': consumer group of {} ended: {}", clientId, filter, reason);
            session.tell(() -> members.remove(filter, this));
        }

        void leaveGracefully() {
            closing = true;
            flushAcks();
            ignoreFailure(member.leave(List.of()), "leave");
        }

        /** On the session's loop: acknowledges {@code deliveryId} with the others of this burst. */
        void ack(long deliveryId) {
            boolean schedule;
            synchronized (ackLock) {
                if (ackCount == acks.length) {
                    acks = Arrays.copyOf(acks, ackCount * 2); // at most the member's prefetch outstanding
                }
                acks[ackCount++] = deliveryId;
                schedule = !ackFlushScheduled;
                ackFlushScheduled = true;
            }
            if (schedule) {
                try {
                    session.loop().execute(flushTask);
                } catch (RejectedExecutionException e) {
                    flushAcks();
                }
            }
        }

        /** Sends the gathered acknowledgements to the group now (any thread). */
        void flushAcks() {
            synchronized (ackLock) {
                ackFlushScheduled = false;
                if (ackCount == 0) {
                    return;
                }
                long[] ids = Arrays.copyOf(acks, ackCount);
                ackCount = 0;
                // Posted under the lock: a later call to the member (after its own flush) queues behind it.
                ignoreFailure(member.ackAll(ids), "ack");
            }
        }
    }

    /** How the session tells one delivery's outcome; runs on the session's loop. */
    private final class Answer implements DeliveryAck {
        private final QueueMember m;
        private final long deliveryId;

        Answer(QueueMember m, long deliveryId) {
            this.m = m;
            this.deliveryId = deliveryId;
        }

        @Override
        public void acknowledged(int reasonCode, String reasonString, List<Header> userProperties) {
            if (reasonCode < 0x80) {
                m.ack(deliveryId);
                return;
            }
            m.flushAcks();
            if (reasonCode == ReasonCode.PAYLOAD_FORMAT_INVALID || isTrue(userProperties, REJECT)) {
                String why = reasonString != null ? reasonString
                        : "rejected by the client (PUBACK " + ReasonCode.name(reasonCode) + ")";
                ignoreFailure(m.member.reject(deliveryId, why), "reject");
            } else {
                ignoreFailure(m.member.nack(deliveryId, delayMs(userProperties)), "nack");
            }
        }

        @Override
        public void released(boolean sent) {
            if (sent) {
                m.attempted.add(deliveryId);
            } else if (!m.closing) {
                m.flushAcks();
                ignoreFailure(m.member.release(deliveryId), "release");
            }
        }

        @Override
        public void undeliverable(String reason) {
            m.flushAcks();
            ignoreFailure(m.member.reject(deliveryId, reason), "reject");
        }

        /** A delivery to a member whose connection is closing must not reach the session's next connection. */
        @Override
        public boolean isWanted() {
            return !m.closing;
        }
    }
}
