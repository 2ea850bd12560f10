package io.ratatoskr.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ratatoskr.core.session.SessionSnapshot;
import io.ratatoskr.core.topic.SubscriptionOptions;
import java.time.Instant;
import java.util.List;

/**
 * An MQTT session as {@code GET /api/v1/sessions} lists it; {@code GET /api/v1/sessions/{clientId}}
 * adds {@code subscriptionFilters} with their options.
 *
 * <p>Thread-safety: immutable.
 *
 * @param expiryIntervalSeconds the Session Expiry Interval (4294967295: never)
 * @param expiresAt             when it expires unless its client comes back; null while connected or
 *                              when it never expires
 */
public record SessionView(String clientId, boolean connected, boolean persistent, long expiryIntervalSeconds,
                          @JsonInclude(JsonInclude.Include.ALWAYS) String expiresAt, int subscriptions, int queued,
                          int inFlight, List<Filter> subscriptionFilters) {

    /** One subscription with its options (MQTT 5.0 §3.8.3.1); subscriptionId 0: none. */
    public record Filter(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling,
                         int subscriptionId) {
        static Filter of(String filter, SubscriptionOptions o) {
            return new Filter(filter, o.qos(), o.noLocal(), o.retainAsPublished(), o.retainHandling(),
                    o.subscriptionId());
        }
    }

    public static SessionView of(SessionSnapshot s) {
        return view(s, null);
    }

    public static SessionView detailed(SessionSnapshot s) {
        return view(s, s.subscriptions().entrySet().stream().map(e -> Filter.of(e.getKey(), e.getValue())).toList());
    }

    private static SessionView view(SessionSnapshot s, List<Filter> filters) {
        long expiresAt = s.expiresAtMillis();
        return new SessionView(s.clientId(), s.connected(), s.persistent(), s.expirySeconds(),
                expiresAt < 0 ? null : Instant.ofEpochMilli(expiresAt).toString(), s.subscriptions().size(), s.queued(),
                s.inFlight(), filters);
    }

    /** A page of sessions sorted by client id; {@code next} is the id to pass as {@code after}, null on the last page. */
    public record Page(List<SessionView> sessions, @JsonInclude(JsonInclude.Include.ALWAYS) String next) {}
}
