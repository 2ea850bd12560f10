package io.ratatoskr.server;

import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.core.topic.Topics;
import io.ratatoskr.http.ApiRequest;
import io.ratatoskr.http.ApiResponse;
import io.ratatoskr.http.Router;
import io.ratatoskr.http.api.RetainedView;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The admin API's retained-message routes. Topic names contain '/', so they travel as query
 * parameters (URL-encoded: {@code %23} for '#', {@code %2B} for '+').
 *
 * <pre>
 * GET    /api/v1/retained?filter=%23&amp;limit=&amp;after=  retained messages matching the filter, by topic,
 *                                                  with a payload preview     → {messages, next}
 * GET    /api/v1/retained/message?topic=a/b        one, with its whole payload   404 retained_not_found
 * DELETE /api/v1/retained/message?topic=a/b        clear it (journaled before the answer)  204
 * </pre>
 *
 * <p>A filter follows MQTT's rules: {@code #} does not match topics that start with '$' (ask for
 * {@code $SYS/#} to see those). Clearing a retained message changes the store as an empty retained
 * PUBLISH would [MQTT-3.3.1-6], but delivers nothing to subscribers.
 *
 * <p>Thread-safety: the routes are built once; the retained store is thread-safe.
 */
final class RetainedAdminRoutes {
    private final Broker broker;

    private RetainedAdminRoutes(Broker broker) {
        this.broker = broker;
    }

    /** Adds the retained-message routes to {@code router}. */
    static Router addTo(Router router, Broker broker) {
        RetainedAdminRoutes r = new RetainedAdminRoutes(broker);
        return router
                .get("/api/v1/retained", r::list)
                .get("/api/v1/retained/message", q -> ApiResponse.ok(RetainedView.full(r.message(q))))
                .delete("/api/v1/retained/message", r::clear);
    }

    private ApiResponse list(ApiRequest q) {
        String filter = q.query("filter", "#");
        String problem = Topics.checkFilter(filter, broker.config().maxTopicLevels());
        if (problem != null || Topics.isShared(filter) || Topics.isQueue(filter)) {
            throw ErrorCode.INVALID_ARGUMENT.exception("filter '" + filter + "' is not a topic filter"
                    + (problem == null ? "" : ": " + problem));
        }
        int limit = ClientAdminRoutes.limit(q);
        String after = q.query("after", null);
        // Keeps the first limit + 1 topics after `after`: memory bounded by the page, not the store.
        TreeMap<String, Message> firsts = new TreeMap<>();
        broker.retained().match(filter, broker.clock().millis(), m -> {
            if (after == null || m.topic().compareTo(after) > 0) {
                firsts.put(m.topic(), m);
                if (firsts.size() > limit + 1) {
                    firsts.pollLastEntry();
                }
            }
        });
        boolean more = firsts.size() > limit;
        if (more) {
            firsts.pollLastEntry();
        }
        List<RetainedView> page = firsts.values().stream().map(RetainedView::preview).toList();
        return ApiResponse.ok(new RetainedView.Page(page, more ? firsts.lastKey() : null));
    }

    private Message message(ApiRequest q) {
        String topic = topic(q);
        Message m = broker.retained().get(topic);
        if (m == null || m.isExpired(broker.clock().millis())) {
            throw ErrorCode.RETAINED_NOT_FOUND.exception(topic);
        }
        return m;
    }

    private ApiResponse clear(ApiRequest q) {
        String topic = message(q).topic();
        CompletableFuture<?> write = broker.retained().retain(new Message(topic, new byte[0], 0, true,
                MessageProperties.EMPTY, "admin", broker.clock().millis()));
        if (write != null) {
            Await.result(write, "the retained-message store");
        }
        return ApiResponse.noContent();
    }

    private String topic(ApiRequest q) {
        String topic = q.query("topic", null);
        if (topic == null) {
            throw ErrorCode.INVALID_ARGUMENT.exception("say which topic: ?topic=<name> (URL-encoded)");
        }
        String problem = Topics.checkName(topic, broker.config().maxTopicLevels());
        if (problem != null) {
            throw ErrorCode.INVALID_ARGUMENT.exception("'" + topic + "' is not a topic name: " + problem);
        }
        return topic;
    }
}
