package io.ratatoskr.core.broker;

import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.retain.RetainedStore;
import io.ratatoskr.core.session.ConnectRequest;
import io.ratatoskr.core.session.ConnectResult;
import io.ratatoskr.core.session.Delivery;
import io.ratatoskr.core.session.DropReason;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.core.session.SessionHost;
import io.ratatoskr.core.session.SessionLink;
import io.ratatoskr.core.session.SessionLoop;
import io.ratatoskr.core.session.Will;
import io.ratatoskr.core.topic.SharedGroup;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.core.topic.SubscriptionTable;
import io.ratatoskr.core.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The broker core for live publish/subscribe: sessions by client identifier, the subscription
 * table, the retained store, and routing of published messages to sessions. Protocol front ends
 * (MQTT, later gRPC) are thin adapters over this API.
 *
 * <p>Thread-safe. {@link #publish} may be called from any thread; it matches subscriptions
 * lock-free and hands each matching session a {@link Delivery} through its mailbox.
 * {@link #subscribe}/{@link #unsubscribe} must run on the session's loop (the connection's).
 */
public final class Broker implements SessionHost {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SubscriptionTable<Session> subscriptions = new SubscriptionTable<>();
    private final RetainedStore retained = new RetainedStore();
    private final ThreadLocal<Router> routers = ThreadLocal.withInitial(Router::new);
    private final long startedAtMillis;
    private final java.util.List<PublishStore> stores = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Broker(BrokerConfig config, Clock clock, BrokerMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.startedAtMillis = clock.millis();
        metrics.gauge("ratatoskr.broker.sessions", "Sessions, connected or not", sessions::size);
        metrics.gauge("ratatoskr.broker.subscriptions", "Subscriptions, shared memberships included",
                subscriptions::size);
        metrics.gauge("ratatoskr.broker.retained.messages", "Retained messages", retained::size);
        metrics.gauge("ratatoskr.broker.retained.payload.bytes", "Payload bytes of retained messages",
                retained::payloadBytes);
    }

    public BrokerConfig config() {
        return config;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    public RetainedStore retained() {
        return retained;
    }

    /** Registers a store that every published message is handed to before routing. */
    public void addStore(PublishStore store) {
        stores.add(store);
    }

    public long startedAtMillis() {
        return startedAtMillis;
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    /** The session of a client identifier, or null. */
    public Session session(String clientId) {
        return sessions.get(clientId);
    }

    // ---------------------------------------------------------------------------------------
    // Connect

    /**
     * Attaches a connection to the session of {@code request.clientId()}, creating it if needed
     * and taking it over from another connection if one is attached (MQTT 5.0 §3.1.4, step 3).
     * {@code callback} runs on {@code loop} once the session is attached, before anything is sent
     * to the client; it must send CONNACK.
     */
    public void connect(ConnectRequest request, SessionLink link, SessionLoop loop, Consumer<ConnectResult> callback) {
        while (true) {
            Session existing = sessions.get(request.clientId());
            if (existing == null) {
                Session created = new Session(request.clientId(), this, loop);
                if (sessions.putIfAbsent(request.clientId(), created) != null) {
                    continue;
                }
                existing = created;
            }
            Session target = existing;
            // Connects for one client identifier are serialized through its session's mailbox.
            target.tell(() -> target.connect(request, link, loop, callback));
            return;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Publish

    /**
     * Routes a message to every matching subscription, and stores or clears it as the retained
     * message of its topic when its retain flag is set (MQTT 5.0 §3.3.1.3).
     *
     * @return the number of sessions the message was handed to
     */
    public int publish(Message message) {
        return publish(message, null);
    }

    /**
     * As {@link #publish(Message)}, telling {@code backPressure} (if not null) about each congested
     * session the message went to, so the publisher can hold back instead of overrunning it.
     */
    public int publish(Message message, BackPressure backPressure) {
        return publish(message, backPressure, null);
    }

    /**
     * As {@link #publish(Message, BackPressure)}, first handing the message to every registered
     * {@link PublishStore}; the writes the publisher's acknowledgement must wait for are added to
     * {@code barrier} (if not null).
     *
     * <p>A store's refusal is thrown before anything is routed. A write that fails later (through
     * the barrier) does not undo the routing: live subscribers may have the message although its
     * publisher is refused. A message a store recognises as a repeat (idempotent publish) is
     * neither retained nor routed again.
     *
     * @return the number of sessions the message was handed to
     * @throws io.ratatoskr.core.error.RatatoskrException when a store refuses the message; it is
     *         then not routed either
     */
    public int publish(Message message, BackPressure backPressure, AckBarrier barrier) {
        boolean route = true;
        for (PublishStore store : stores) {
            route &= store.store(message, barrier);
        }
        if (!route) {
            return 0;
        }
        if (message.retain()) {
            retained.retain(message);
        }
        Router router = routers.get();
        if (router.busy) {
            router = new Router();
        }
        int n = router.route(message, backPressure);
        metrics.routed(n > 0);
        return n;
    }

    /**
     * Collects the matches of one message, merging a session's overlapping subscriptions into one
     * delivery at the highest QoS with all their identifiers (MQTT 5.0 §3.3.4: the single-copy
     * option, [MQTT-3.3.4-2], [MQTT-3.3.4-3]). One per thread, reused.
     */
    private final class Router implements SubscriptionTable.Visitor<Session> {
        private final Map<Session, Match> matches = new java.util.IdentityHashMap<>();
        private final java.util.ArrayList<SharedGroup<Session>> groups = new java.util.ArrayList<>();
        private Message message;
        boolean busy;

        int route(Message m, BackPressure backPressure) {
            busy = true;
            try {
                message = m;
                subscriptions.match(m.topic(), this);
                int n = 0;
                for (Map.Entry<Session, Match> e : matches.entrySet()) {
                    Match match = e.getValue();
                    int qos = Math.min(m.qos(), match.qos);
                    boolean retain = match.retainAsPublished && m.retain();
                    Session target = e.getKey();
                    if (target.offer(new Delivery(m, qos, retain, match.ids(), null)) && backPressure != null) {
                        backPressure.congested(target);
                    }
                    n++;
                }
                for (SharedGroup<Session> group : groups) {
                    SharedGroup.Member<Session> member = group.pick(Session::isConnected);
                    if (member != null) {
                        SubscriptionOptions o = member.options();
                        if (member.key().offer(new Delivery(m, Math.min(m.qos(), o.qos()),
                                o.retainAsPublished() && m.retain(), ids(o), group)) && backPressure != null) {
                            backPressure.congested(member.key());
                        }
                        n++;
                    }
                }
                return n;
            } finally {
                matches.clear();
                groups.clear();
                message = null;
                busy = false;
            }
        }

        @Override
        public void subscription(Session session, String filter, SubscriptionOptions options) {
            // [MQTT-3.8.3-3]: No Local keeps a client's own messages from coming back to it.
            if (options.noLocal() && session.clientId().equals(message.publisherId())) {
                return;
            }
            Match match = matches.get(session);
            if (match == null) {
                matches.put(session, new Match(options));
            } else {
                match.add(options);
            }
        }

        @Override
        public void sharedGroup(SharedGroup<Session> group) {
            groups.add(group);
        }
    }

    /** The merged subscriptions of one session matching one message. */
    private static final class Match {
        int qos;
        boolean retainAsPublished;
        int[] ids;
        int idCount;

        Match(SubscriptionOptions o) {
            qos = o.qos();
            retainAsPublished = o.retainAsPublished();
            addId(o.subscriptionId());
        }

        void add(SubscriptionOptions o) {
            qos = Math.max(qos, o.qos());
            retainAsPublished |= o.retainAsPublished();
            addId(o.subscriptionId());
        }

        private void addId(int id) {
            if (id == 0) {
                return;
            }
            if (ids == null) {
                ids = new int[2];
            } else if (idCount == ids.length) {
                ids = java.util.Arrays.copyOf(ids, idCount * 2);
            }
            ids[idCount++] = id;
        }

        int[] ids() {
            return ids == null ? null : java.util.Arrays.copyOf(ids, idCount);
        }
    }

    private static int[] ids(SubscriptionOptions o) {
        return o.subscriptionId() == 0 ? null : new int[] {o.subscriptionId()};
    }

    // ---------------------------------------------------------------------------------------
    // Subscribe

    /**
     * On the session's loop. Adds or replaces a subscription and hands the session the retained
     * messages its Retain Handling asks for; they reach the client after the SUBACK the caller
     * sends in the same task (§3.8.4). Shared subscriptions get no retained messages (§4.8.2).
     *
     * @param filter a filter that passed {@link Topics#checkFilter}
     * @return true if the session already had a subscription on this filter
     */
    public boolean subscribe(Session session, String filter, SubscriptionOptions options) {
        boolean existed = subscriptions.subscribe(session, filter, options);
        session.putSubscription(filter, options);
        int rh = options.retainHandling();
        boolean sendRetained = rh == SubscriptionOptions.SEND_RETAINED
                || (rh == SubscriptionOptions.SEND_RETAINED_IF_NEW && !existed);
        if (sendRetained && !Topics.isShared(filter)) {
            int[] ids = ids(options);
            retained.match(filter, clock.millis(), m -> {
                if (options.noLocal() && session.clientId().equals(m.publisherId())) {
                    return;
                }
                // Retained messages are sent with the retain flag set [MQTT-3.3.1-8].
                session.offer(new Delivery(m, Math.min(m.qos(), options.qos()), true, ids, null));
            });
        }
        return existed;
    }

    /** On the session's loop. @return true if the subscription existed */
    public boolean unsubscribe(Session session, String filter) {
        boolean existed = session.removeSubscription(filter);
        subscriptions.unsubscribe(session, filter);
        return existed;
    }

    // ---------------------------------------------------------------------------------------
    // SessionHost

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public SessionConfig sessionConfig() {
        return config.session();
    }

    @Override
    public void publishWill(Session session, Will will) {
        Message m = will.message();
        // The will's expiry interval counts from when it is published, not from CONNECT.
        Message now = new Message(m.topic(), m.payload(), m.qos(), m.retain(), m.properties(), m.publisherId(),
                clock.millis());
        log.debug("session {}: publishing will on {}", session.clientId(), m.topic());
        try {
            publish(now);
        } catch (RatatoskrException e) {
            // Counted by the store that refused it; nobody is waiting for an acknowledgement.
            log.info("session {}: will on {} refused: {}", session.clientId(), m.topic(), e.getMessage());
        }
    }

    @Override
    public boolean redistribute(Session from, Delivery delivery) {
        SharedGroup<Session> group = delivery.group();
        SharedGroup.Member<Session> member = group.pick(Session::isConnected, from);
        if (member == null || !member.key().isConnected()) {
            return false;
        }
        SubscriptionOptions o = member.options();
        Message m = delivery.message();
        member.key().offer(new Delivery(m, Math.min(m.qos(), o.qos()), o.retainAsPublished() && m.retain(),
                ids(o), group));
        return true;
    }

    @Override
    public void removeSubscriptions(Session session, Collection<String> filters) {
        for (String filter : filters) {
            subscriptions.unsubscribe(session, filter);
        }
    }

    @Override
    public void sessionEnded(Session session) {
        sessions.remove(session.clientId(), session);
        log.debug("session {}: ended", session.clientId());
    }

    @Override
    public void reconnect(ConnectRequest request, SessionLink link, SessionLoop loop,
                          Consumer<ConnectResult> callback) {
        connect(request, link, loop, callback);
    }

    @Override
    public void dropped(DropReason reason) {
        metrics.dropped(reason);
    }
}
