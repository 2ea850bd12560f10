package io.ratatoskr.core.broker;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.retain.RetainedStore;
import io.ratatoskr.core.session.ConnectRequest;
import io.ratatoskr.core.session.ConnectResult;
import io.ratatoskr.core.session.Delivery;
import io.ratatoskr.core.session.DropReason;
import io.ratatoskr.core.session.JournalEntry;
import io.ratatoskr.core.session.RestoredSession;
import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.session.SessionConfig;
import io.ratatoskr.core.session.SessionHost;
import io.ratatoskr.core.session.SessionJournal;
import io.ratatoskr.core.session.SessionLink;
import io.ratatoskr.core.session.SessionLoop;
import io.ratatoskr.core.session.StoredMessage;
import io.ratatoskr.core.session.Will;
import io.ratatoskr.core.topic.SharedGroup;
import io.ratatoskr.core.topic.SubscriptionOptions;
import io.ratatoskr.core.topic.SubscriptionTable;
import io.ratatoskr.core.topic.Topics;
import io.ratatoskr.core.trace.PublishTrace;
import io.ratatoskr.core.trace.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    private volatile SessionJournal journal = SessionJournal.NONE;
    /** Sessions whose client identifier holds U+0000: a front end's own (gRPC subscribers), not a client's. */
    private final java.util.concurrent.atomic.AtomicInteger internalSessions =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile Tracing tracing = Tracing.NOOP;
    private final MemoryWatermark memory;
    /** When a limit refusal was last logged: one line a second at most, whoever publishes. */
    private final java.util.concurrent.atomic.AtomicLong limitLoggedAtMillis = new java.util.concurrent.atomic.AtomicLong();

    public Broker(BrokerConfig config, Clock clock, BrokerMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.startedAtMillis = clock.millis();
        this.memory = new MemoryWatermark(config.memoryHighWatermark(), clock, metrics);
        metrics.gauge("ratatoskr.broker.sessions", "Sessions, connected or not", sessions::size);
        metrics.gauge("ratatoskr.broker.subscriptions", "Subscriptions, shared memberships included",
                subscriptions::size);
        metrics.gauge("ratatoskr.broker.retained.messages", "Retained messages", retained::size);
        metrics.gauge("ratatoskr.broker.retained.payload.bytes", "Payload bytes of retained messages",
                retained::payloadBytes);
        metrics.gauge("ratatoskr.session.queued.messages",
                "Messages queued in sessions beyond their in-flight windows, all sessions",
                () -> sumSessions(Session::queuedApprox));
        metrics.gauge("ratatoskr.session.inflight.messages",
                "Outbound QoS 1/2 messages sent and not yet acknowledged, all sessions",
                () -> sumSessions(Session::inflightApprox));
    }

    /** A total over every session, for a gauge: one pass when scraped, nothing on the message path. */
    private long sumSessions(java.util.function.ToIntFunction<Session> f) {
        long sum = 0;
        for (Session s : sessions.values()) {
            sum += f.applyAsInt(s);
        }
        return sum;
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

    /**
     * Keeps persistent sessions in {@code journal} from now on. Called by the wiring before any
     * client connects (and before {@link #restore}).
     */
    public void persistSessions(SessionJournal journal) {
        if (!sessions.isEmpty()) {
            throw new IllegalStateException("the session journal must be set before sessions exist");
        }
        this.journal = java.util.Objects.requireNonNull(journal, "journal");
    }

    /**
     * Recreates the sessions the journal kept, disconnected, on {@code loop} (where they stay until
     * their clients reconnect), with their subscriptions; then starts their expiry and will timers,
     * once all are back, so that a will published at once reaches restored subscribers. Called by
     * the wiring before any client connects.
     */
    public void restore(List<RestoredSession> restored, SessionLoop loop) {
        List<Session> created = new ArrayList<>(restored.size());
        for (RestoredSession r : restored) {
            Session s = new Session(r.clientId(), this, loop);
            if (sessions.putIfAbsent(r.clientId(), s) != null) {
                throw new IllegalStateException("session " + r.clientId() + " exists already");
            }
            for (Map.Entry<String, SubscriptionOptions> e : r.subscriptions().entrySet()) {
                // A consumer-group subscription stays with the session (its client rejoins the group
                // when it reconnects) but is never in the routing table.
                if (!Topics.isQueue(e.getKey())) {
                    subscriptions.subscribe(s, e.getKey(), e.getValue());
                }
            }
            s.tell(() -> s.restore(r));
            created.add(s);
        }
        for (Session s : created) {
            s.tell(s::resumeAfterRestart);
        }
    }

    /**
     * Traces publishes with {@code tracing} from now on (front ends ask {@link #tracing()} for each
     * message they receive). Called by the wiring before any client connects.
     */
    public void traceWith(Tracing tracing) {
        this.tracing = java.util.Objects.requireNonNull(tracing, "tracing");
    }

    /** Where front ends start the trace of a publish; {@link Tracing#NOOP} unless tracing is on. */
    public Tracing tracing() {
        return tracing;
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

    /** Sessions of MQTT clients, connected or not: {@link #sessionCount} without a front end's internal ones. */
    public int clientSessionCount() {
        return sessions.size() - internalSessions.get();
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    /**
     * Live subscriptions whose filter matches topic name {@code topic}: every matching subscription
     * of every session (MQTT clients and gRPC subscribers alike) and every member of a matching
     * shared subscription. Consumer groups ({@code $queue/}) are not in the routing table and not
     * counted. Walks the subscription table: for admin and stats calls, not per message.
     */
    public int subscriberCount(String topic) {
        int[] n = new int[1];
        subscriptions.match(topic, new SubscriptionTable.Visitor<>() {
            @Override
            public void subscription(Session key, String filter, SubscriptionOptions options) {
                n[0]++;
            }

            @Override
            public void sharedGroup(SharedGroup<Session> group) {
                n[0] += group.size();
            }
        });
        return n[0];
    }

    /**
     * At most {@code limit} sessions whose client identifier sorts after {@code after} (null: from
     * the first), by identifier, for the admin API. Sessions whose identifier holds U+0000, which no
     * MQTT client can use [MQTT-1.5.4-2] (a front end's internal sessions, e.g. gRPC subscribers),
     * are left out. Sorts every identifier: for admin calls, not per message.
     */
    public java.util.List<Session> sessions(String after, int limit) {
        return sessions.values().stream()
                .filter(s -> !isInternal(s.clientId()))
                .filter(s -> after == null || s.clientId().compareTo(after) > 0)
                .sorted(java.util.Comparator.comparing(Session::clientId))
                .limit(limit)
                .toList();
    }

    /** Whether a client identifier is a front end's own, which no MQTT client can use [MQTT-1.5.4-2]. */
    public static boolean isInternal(String clientId) {
        return clientId.indexOf('\0') >= 0;
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
                if (isInternal(request.clientId())) {
                    internalSessions.incrementAndGet();
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
        // The broker's own messages ($SYS) are never refused. A client's retained message reserves its
        // room here, so that concurrent publishers cannot take the store over its limits.
        RetainedStore.Reservation room = message.publisherId() == null ? null : admitAndReserve(message);
        try {
            boolean route = true;
            for (PublishStore store : stores) {
                route &= store.store(message, barrier);
            }
            if (!route) {
                return 0;
            }
            if (message.retain()) {
                RetainedStore.Reservation used = room;
                room = null;
                CompletableFuture<?> write = retained.retain(message, used);
                if (write != null && barrier != null) {
                    barrier.await(write);
                }
            }
        } finally {
            retained.release(room); // refused by a store, or a repeat: the room goes back
        }
        return route(message, backPressure, barrier);
    }

    /** {@link #admit}, reserving the room of a retained message; null when it is not retained. */
    private RetainedStore.Reservation admitAndReserve(Message message) {
        checkMemory(message);
        if (!message.retain()) {
            return null;
        }
        Object room = retained.reserve(message, config.maxRetainedMessages(), config.maxRetainedBytes());
        if (room instanceof String full) {
            logLimit("retained_limit_reached", message);
            throw ErrorCode.RETAINED_LIMIT_REACHED.exception(full);
        }
        return (RetainedStore.Reservation) room;
    }

    private void checkMemory(Message message) {
        if (memory.isHigh()) {
            logLimit("memory_high_watermark", message);
            throw ErrorCode.MEMORY_HIGH_WATERMARK.exception(Math.round(memory.watermark() * 100) + "%");
        }
    }

    /**
     * Refuses a client's message when the heap is over the memory high watermark, or when retaining it
     * would exceed the retained limits (a refused retained message is not routed either: the client is
     * told, and can publish it again without retain if it wants it delivered).
     *
     * @throws RatatoskrException MEMORY_HIGH_WATERMARK or RETAINED_LIMIT_REACHED
     */
    public void admit(Message message) {
        checkMemory(message);
        if (message.retain()) {
            String full = retained.checkRoom(message, config.maxRetainedMessages(), config.maxRetainedBytes());
            if (full != null) {
                logLimit("retained_limit_reached", message);
                throw ErrorCode.RETAINED_LIMIT_REACHED.exception(full);
            }
        }
    }

    private void logLimit(String reason, Message message) {
        long now = clock.millis();
        long last = limitLoggedAtMillis.get();
        if (now - last >= 1000 && limitLoggedAtMillis.compareAndSet(last, now)) {
            log.atInfo().addKeyValue("event", "publish_refused").addKeyValue("reason", reason)
                    .addKeyValue("client", message.publisherId())
                    .log("publish refused by a broker limit: {} (logged once a second at most)", reason);
        }
    }

    /**
     * Routes {@code message} to the live subscriptions that match it, without handing it to the
     * {@link PublishStore}s and without retaining it: for messages a front end has already stored
     * itself (a gRPC PublishBatch appends the batch to its durable topic in one write, then routes
     * each message stored).
     *
     * @param barrier where the session-journal writes of persistent subscribers go (may be null)
     * @return the number of sessions the message was handed to
     */
    public int route(Message message, BackPressure backPressure, AckBarrier barrier) {
        Router router = routers.get();
        if (router.busy) {
            router = new Router();
        }
        int n = router.route(message, backPressure, barrier);
        metrics.routed(n > 0);
        return n;
    }

    /**
     * Collects the matches of one message, merging a session's overlapping subscriptions into one
     * delivery at the highest QoS with all their identifiers (MQTT 5.0 §3.3.4: the single-copy
     * option, [MQTT-3.3.4-2], [MQTT-3.3.4-3]). A QoS 1/2 delivery to a persistent session is
     * written to the session journal first — one write for the message and all such sessions —
     * and offered only then: the publisher's acknowledgement waits for that write, and a journal
     * that cannot take it refuses the message (those sessions do not get it). Other deliveries are
     * offered as they are found. One per thread, reused.
     */
    private final class Router implements SubscriptionTable.Visitor<Session> {
        private final Map<Session, Match> matches = new java.util.IdentityHashMap<>();
        private final ArrayList<SharedGroup<Session>> groups = new ArrayList<>();
        private final ArrayList<Session> journaledTargets = new ArrayList<>();
        private final ArrayList<Delivery> journaled = new ArrayList<>();
        private final RouteCache cache = new RouteCache();
        private Message message;
        private StoredMessage stored;
        private BackPressure backPressure;
        private PublishTrace trace;
        /** Whether the current match met a No Local subscription (then its result is not cached). */
        private boolean sawNoLocal;
        boolean busy;

        int route(Message m, BackPressure bp, AckBarrier barrier) {
            busy = true;
            try {
                message = m;
                backPressure = bp;
                trace = barrier == null ? null : barrier.trace();
                RouteCache.Route route = cachedRoute(m.topic());
                int n = 0;
                if (route != null) {
                    for (int i = 0; i < route.sessions.length; i++) {
                        deliver(route.sessions[i], Math.min(m.qos(), route.qos[i]),
                                route.retainAsPublished[i] && m.retain(), route.ids[i], null, true);
                        n++;
                    }
                    for (SharedGroup<Session> group : route.groups) {
                        n += deliverToGroup(group, route);
                    }
                } else {
                    for (Map.Entry<Session, Match> e : matches.entrySet()) {
                        Match match = e.getValue();
                        deliver(e.getKey(), Math.min(m.qos(), match.qos), match.retainAsPublished && m.retain(),
                                match.ids(), null, true);
                        n++;
                    }
                    for (SharedGroup<Session> group : groups) {
                        n += deliverToGroup(group, null);
                    }
                }
                if (stored != null) {
                    CompletableFuture<?> write = journal.storeNow(stored, journaledTargets, journaled);
                    refuseIfFailed(write);
                    if (barrier != null) {
                        barrier.await(write);
                    }
                    for (int i = 0; i < journaledTargets.size(); i++) {
                        offer(journaledTargets.get(i), journaled.get(i));
                    }
                }
                return n;
            } finally {
                if (!matches.isEmpty()) {
                    matches.clear(); // IdentityHashMap.clear nulls its whole table, even when empty
                }
                groups.clear();
                journaledTargets.clear();
                journaled.clear();
                message = null;
                stored = null;
                backPressure = null;
                trace = null;
                busy = false;
            }
        }

        /**
         * The route of {@code topic} from the cache, or null after matching it into {@link #matches} and
         * {@link #groups} (caching the result unless a No Local subscription took part).
         */
        private RouteCache.Route cachedRoute(String topic) {
            long version = subscriptions.version();
            RouteCache.Route route = cache.get(topic, version);
            if (route != null && route.cacheable) {
                return route;
            }
            sawNoLocal = false;
            subscriptions.match(topic, this);
            if (route != null || sawNoLocal) {
                if (route == null) {
                    cache.put(topic, RouteCache.Route.uncacheable(version));
                }
                return null;
            }
            int size = matches.size();
            Session[] sessions = new Session[size];
            int[] qos = new int[size];
            boolean[] rap = new boolean[size];
            int[][] ids = new int[size][];
            int i = 0;
            for (Map.Entry<Session, Match> e : matches.entrySet()) {
                Match match = e.getValue();
                sessions[i] = e.getKey();
                qos[i] = match.qos;
                rap[i] = match.retainAsPublished;
                ids[i] = match.ids();
                i++;
            }
            @SuppressWarnings("unchecked")
            SharedGroup<Session>[] shared = groups.toArray(new SharedGroup[0]);
            route = new RouteCache.Route(version, true, sessions, qos, rap, ids, shared);
            cache.put(topic, route);
            matches.clear();
            groups.clear();
            return route;
        }

        /** Picks a connected member of {@code group} and offers it the message; returns 1 if one got it. */
        private int deliverToGroup(SharedGroup<Session> group, RouteCache.Route route) {
            SharedGroup.Member<Session> member = group.pick(Session::isConnected);
            if (member == null) {
                return 0;
            }
            SubscriptionOptions o = member.options();
            Message m = message;
            // A session's journal entry for a message is keyed by the message: a second
            // copy for the same session (through a shared group too) lives in memory only.
            boolean matchedAlready = route == null ? matches.containsKey(member.key()) : route.hasSession(member.key());
            boolean mayJournal = !matchedAlready && !journaledTargets.contains(member.key());
            deliver(member.key(), Math.min(m.qos(), o.qos()), o.retainAsPublished() && m.retain(), ids(o), group,
                    mayJournal);
            return 1;
        }

        /** Offers the delivery now, or keeps it for after the journal write if it must be stored. */
        private void deliver(Session target, int qos, boolean retain, int[] ids, SharedGroup<Session> group,
                             boolean mayJournal) {
            if (mayJournal && qos > 0 && target.isPersistent()) {
                if (stored == null) {
                    stored = journal.newMessage(message);
                }
                journaledTargets.add(target);
                journaled.add(Delivery.journaled(message, qos, retain, ids, group, new JournalEntry(stored)));
            } else {
                offer(target, new Delivery(message, qos, retain, ids, group));
            }
        }

        private void offer(Session target, Delivery d) {
            if (trace != null) {
                trace.delivered(target.clientId(), d.qos(), d.group() == null ? null : d.group().shareName());
            }
            if (target.offer(d) && backPressure != null) {
                backPressure.congested(target);
            }
        }

        @Override
        public void subscription(Session session, String filter, SubscriptionOptions options) {
            // [MQTT-3.8.3-3]: No Local keeps a client's own messages from coming back to it.
            if (options.noLocal()) {
                sawNoLocal = true;
                if (session.clientId().equals(message.publisherId())) {
                    return;
                }
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

    /** A journal write that failed at once (overloaded, failed, closed) refuses the message. */
    private static void refuseIfFailed(CompletableFuture<?> write) {
        if (!write.isCompletedExceptionally()) {
            return;
        }
        try {
            write.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof io.ratatoskr.core.error.RatatoskrException r) {
                throw r;
            }
            throw new io.ratatoskr.core.error.RatatoskrException(io.ratatoskr.core.error.ErrorCode.INTERNAL,
                    io.ratatoskr.core.error.ErrorCode.INTERNAL.format("session journal: " + e.getCause()), e);
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
                int qos = Math.min(m.qos(), options.qos());
                if (qos > 0 && session.isPersistent()) {
                    Delivery d = Delivery.journaled(m, qos, true, ids, null, new JournalEntry(journal.newMessage(m)));
                    journal.store(session, d, true);
                    session.offer(d);
                } else {
                    session.offer(new Delivery(m, qos, true, ids, null));
                }
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
    public SessionJournal journal() {
        return journal;
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
        int qos = Math.min(m.qos(), o.qos());
        Session to = member.key();
        JournalEntry entry = null;
        if (qos > 0 && to.isPersistent()) {
            // Stored anew (the new holder may hold the original already, through another subscription),
            // and before the old holder releases it (the caller does).
            entry = new JournalEntry(journal.newMessage(m));
        }
        Delivery moved = Delivery.journaled(m, qos, o.retainAsPublished() && m.retain(), ids(o), group, entry);
        if (entry != null) {
            journal.store(to, moved, true);
            journal.flush();
        }
        to.offer(moved);
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
        if (sessions.remove(session.clientId(), session) && isInternal(session.clientId())) {
            internalSessions.decrementAndGet();
        }
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
