package io.ratatoskr.grpc;

import io.grpc.stub.StreamObserver;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.Principal;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACL checks of the gRPC service, for the principal of the current call ({@link GrpcPrincipal#current()}):
 * publish to a topic, subscribe (a live filter, or reading a durable topic: Consume, Fetch, a cursor's
 * Seek and CommitOffset, offsets, stats, groups, dead letters) and administer a durable topic (create,
 * update, delete; configure, delete and seek groups; replay dead letters); listings show only the
 * topics the caller may subscribe to or administer ({@link #visible}). A refusal ends the call with PERMISSION_DENIED and
 * {@code ErrorInfo.reason = NOT_AUTHORIZED}, counts {@code ratatoskr_acl_denied_total{protocol="grpc"}}
 * and is logged (the first and every 1000th).
 *
 * <p>Thread-safety: thread-safe (the authorizer is; the log counter is atomic).
 */
final class GrpcAccess {
    private static final Logger log = LoggerFactory.getLogger(GrpcAccess.class);

    private final Authorizer authorizer;
    private final BrokerMetrics metrics;
    private final AtomicLong denials = new AtomicLong();

    GrpcAccess(Authorizer authorizer, BrokerMetrics metrics) {
        this.authorizer = authorizer;
        this.metrics = metrics;
    }

    /** Whether the caller may publish to {@code topic}; if not, {@code response} has been failed. */
    boolean publish(String topic, StreamObserver<?> response) {
        Principal p = GrpcPrincipal.current();
        return authorizer.mayPublish(p, topic) || refuse(p, "publish", topic, response);
    }

    /** Whether the caller may subscribe to (or read) every one of {@code filters}; if not, {@code response} failed. */
    boolean subscribe(List<String> filters, StreamObserver<?> response) {
        Principal p = GrpcPrincipal.current();
        for (String filter : filters) {
            if (!authorizer.maySubscribe(p, filter)) {
                return refuse(p, "subscribe", filter, response);
            }
        }
        return true;
    }

    boolean subscribe(String topic, StreamObserver<?> response) {
        return subscribe(List.of(topic), response);
    }

    /** Whether the caller may administer the durable topic {@code topic}; if not, {@code response} failed. */
    boolean admin(String topic, StreamObserver<?> response) {
        Principal p = GrpcPrincipal.current();
        return authorizer.mayAdminister(p, topic) || refuse(p, "admin", topic, response);
    }

    /**
     * Whether the caller may see {@code topic} in a listing (ListTopics, ListDeadLetters): it may
     * subscribe to it or administer it. Listings are filtered, not refused, and nothing is counted.
     */
    boolean visible(String topic) {
        Principal p = GrpcPrincipal.current();
        return authorizer.maySubscribe(p, topic) || authorizer.mayAdminister(p, topic);
    }

    /** For checks inside a stream: throws the NOT_AUTHORIZED error instead of failing a response. */
    void checkSubscribe(String topic) {
        Principal p = GrpcPrincipal.current();
        if (!authorizer.maySubscribe(p, topic)) {
            count(p, "subscribe", topic);
            throw new RatatoskrException(ErrorCode.NOT_AUTHORIZED, message(p, "subscribe", topic));
        }
    }

    private boolean refuse(Principal p, String action, String what, StreamObserver<?> response) {
        count(p, action, what);
        response.onError(GrpcErrors.toStatus(ErrorCode.NOT_AUTHORIZED, message(p, action, what)));
        return false;
    }

    private void count(Principal p, String action, String what) {
        metrics.aclDenied(BrokerMetrics.Protocol.GRPC, action);
        long n = denials.incrementAndGet();
        if (n % 1000 == 1) {
            log.atInfo().addKeyValue("event", "acl_denied").addKeyValue("action", action)
                    .addKeyValue("user", p.username()).addKeyValue("client_id", p.clientId())
                    .addKeyValue("topic", what).addKeyValue("denials", n)
                    .log("grpc: {} not authorized ({} gRPC refusal(s) so far)", message(p, action, what), n);
        }
    }

    private static String message(Principal p, String action, String what) {
        String who = p.isAnonymous() ? "anonymous client" : "user '" + p.username() + "'";
        return who + " is not authorized to " + action + " '" + what + "'";
    }
}
