package io.ratatoskr.core.broker;

import io.ratatoskr.core.session.Session;
import io.ratatoskr.core.topic.SharedGroup;
import io.ratatoskr.core.topic.SubscriptionTable;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Topic name → the subscriptions it matched, merged per session, so that a topic published to again is
 * routed without walking the subscription trie. An entry holds the {@link SubscriptionTable#version} it was
 * matched at and counts only while the table is still at that version: any subscribe or unsubscribe
 * anywhere invalidates every entry. Topics whose match included a No Local subscription are not cached
 * (which sessions get those messages depends on the publisher). At most {@link #MAX_TOPICS} entries; when
 * full it starts over, so a stream of ever new topic names costs one map insertion each and no memory.
 *
 * <p>Not thread-safe: one per router, and a router is confined to its thread. {@link Route}s are immutable
 * and are never handed to another thread.
 */
final class RouteCache {
    static final int MAX_TOPICS = 1024;

    private final HashMap<String, Route> routes = new HashMap<>();

    /** The route of {@code topic} matched at {@code version}, or null. */
    Route get(String topic, long version) {
        Route r = routes.get(topic);
        return r != null && r.version == version ? r : null;
    }

    void put(String topic, Route route) {
        if (routes.size() >= MAX_TOPICS && !routes.containsKey(topic)) {
            routes.clear();
        }
        routes.put(topic, route);
    }

    /**
     * The merged matches of one topic name: for session {@code i}, the highest QoS of its matching
     * subscriptions, whether any asks for Retain As Published, and all their subscription identifiers (MQTT
     * 5.0 §3.3.4, [MQTT-3.3.4-2], [MQTT-3.3.4-3]); and the shared groups that matched. Immutable (the arrays
     * are never written after construction; the identifier arrays are shared by the deliveries made from
     * it, which only read them).
     */
    static final class Route {
        final long version;
        /** False: a No Local subscription matched, so the topic is matched afresh for every message. */
        final boolean cacheable;
        final Session[] sessions;
        final int[] qos;
        final boolean[] retainAsPublished;
        final int[][] ids;
        final SharedGroup<Session>[] groups;
        private final Set<Session> sessionSet;

        Route(long version, boolean cacheable, Session[] sessions, int[] qos, boolean[] retainAsPublished,
              int[][] ids, SharedGroup<Session>[] groups) {
            this.version = version;
            this.cacheable = cacheable;
            this.sessions = sessions;
            this.qos = qos;
            this.retainAsPublished = retainAsPublished;
            this.ids = ids;
            this.groups = groups;
            if (groups.length == 0 || sessions.length == 0) {
                sessionSet = Set.of();
            } else {
                Set<Session> set = Collections.newSetFromMap(new IdentityHashMap<>(sessions.length * 2));
                Collections.addAll(set, sessions);
                sessionSet = set;
            }
        }

        @SuppressWarnings("unchecked")
        static Route uncacheable(long version) {
            return new Route(version, false, new Session[0], new int[0], new boolean[0], new int[0][],
                    new SharedGroup[0]);
        }

        /** Whether {@code s} has a non-shared subscription in this route. */
        boolean hasSession(Session s) {
            return sessionSet.contains(s);
        }
    }
}
