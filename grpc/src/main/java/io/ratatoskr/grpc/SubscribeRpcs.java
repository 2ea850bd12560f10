package io.ratatoskr.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.SubscribeRequest;
import io.ratatoskr.api.v1.SubscribeResponse;
import io.ratatoskr.api.v1.UnsubscribeRequest;
import io.ratatoskr.api.v1.UnsubscribeResponse;
import io.ratatoskr.core.client.ConnectedClients;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.core.session.ThreadSessionLoop;
import io.ratatoskr.core.topic.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Subscribe and Unsubscribe: each Subscribe stream is a {@link GrpcSubscriber} (a broker session)
 * living on one of a few session loops of its own.
 *
 * <p>Thread-safety: thread-safe; open subscribers are in a concurrent map.
 */
final class SubscribeRpcs {
    static final int MAX_FILTERS = 100;
    private static final int LOOPS = 2;

    private final GrpcBackend backend;
    private final ThreadSessionLoop[] loops = new ThreadSessionLoop[LOOPS];
    private final Map<String, GrpcSubscriber> open = new ConcurrentHashMap<>();
    /** Who opened each stream: only the same user may end it with Unsubscribe (ids are sequential). */
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();
    private volatile boolean shutdown;

    private final ConnectedClients clients;

    SubscribeRpcs(GrpcBackend backend, ConnectedClients clients) {
        this.backend = backend;
        this.clients = clients;
        for (int i = 0; i < LOOPS; i++) {
            loops[i] = new ThreadSessionLoop("grpc-subscribers-" + (i + 1));
        }
    }

    void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> response) {
        try {
            if (shutdown) {
                throw new RatatoskrException(ErrorCode.UNAVAILABLE, "the broker is shutting down");
            }
            List<String> filters = request.getFiltersList();
            Calls.check(!filters.isEmpty() && filters.size() <= MAX_FILTERS,
                    "filters must hold 1.." + MAX_FILTERS + " MQTT topic filters, had " + filters.size());
            for (String f : filters) {
                String problem = Topics.checkFilter(f, PublishRpcs.MAX_TOPIC_LEVELS);
                Calls.check(problem == null, "filter '" + f + "' is not a valid MQTT topic filter: " + problem);
                Calls.check(!Topics.isQueue(f), "filter '" + f + "': consumer groups are joined with Consume, "
                        + "not Subscribe");
            }
            Calls.check(request.getName().length() <= 200, "name must have at most 200 characters");
        } catch (RatatoskrException e) {
            response.onError(GrpcErrors.toStatus(e));
            return;
        }
        long n = next.incrementAndGet();
        String id = "grpc-sub-" + n;
        GrpcSubscriber s = new GrpcSubscriber(id, request.getName(),
                (ServerCallStreamObserver<SubscribeResponse>) response, loops[(int) (n % LOOPS)],
                backend.broker(), () -> {
                    open.remove(id);
                    owners.remove(id);
                }, clients);
        owners.put(id, owner(GrpcPrincipal.current()));
        open.put(id, s);
        s.start(List.copyOf(request.getFiltersList()));
    }

    void unsubscribe(UnsubscribeRequest request, StreamObserver<UnsubscribeResponse> response) {
        Calls.unary(response, () -> {
            String id = Calls.required(request.getSubscriptionId(), "subscription_id");
            GrpcSubscriber s = open.get(id);
            if (s != null && !owner(GrpcPrincipal.current()).equals(owners.get(id))) {
                s = null; // another user's stream: as if it did not exist
            }
            if (s != null) {
                s.close(Status.OK);
            }
            return UnsubscribeResponse.newBuilder().setFound(s != null).build();
        });
    }

    /** The user name a stream belongs to; anonymous callers share one (they cannot be told apart). */
    private static String owner(Principal p) {
        return p.isAnonymous() ? "" : "user:" + p.username();
    }

    /** Open Subscribe streams (for tests and metrics). */
    int openCount() {
        return open.size();
    }

    /** Ends every open stream with UNAVAILABLE and stops the loops once they have. */
    void shutdown() {
        shutdown = true;
        for (GrpcSubscriber s : open.values()) {
            s.close(Status.UNAVAILABLE.withDescription("the broker is shutting down"));
        }
        for (ThreadSessionLoop loop : loops) {
            loop.close();
        }
    }
}
