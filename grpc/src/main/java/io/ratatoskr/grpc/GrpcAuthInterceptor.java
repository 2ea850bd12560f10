package io.ratatoskr.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.LoginCache;
import io.ratatoskr.core.security.PeerCertificates;
import io.ratatoskr.core.security.Principal;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Authenticates every gRPC call: metadata {@code authorization: Bearer <jwt>} or {@code authorization:
 * Basic base64(user:password)}, and the client certificates of a mutual-TLS connection, go to the
 * {@link Authenticator}; the answer's {@link Principal} is put in the call's {@link Context}
 * ({@link GrpcPrincipal}). A refused call ends before it reaches the service: UNAUTHENTICATED
 * (RESOURCE_EXHAUSTED when the address is over its failed-login budget, UNAVAILABLE when the
 * authenticator is) with the catalogue's ErrorInfo. The standard health service is exempt, for probes.
 *
 * <p>No thread waits for the authenticator. When its answer is not ready at once, the call gets a
 * {@link DelayedServerListener} that keeps the call's events, and the call goes on (or is refused) on
 * the server's call executor when the answer arrives; an answer that takes longer than
 * {@link #WAIT_MS} ms fails the call with UNAVAILABLE. So slow password checks never occupy the call
 * executor, and calls that need no authentication (health) or are already authenticated go on
 * meanwhile. A password check is slow on purpose (PBKDF2), and a
 * client sends its password with each call: successful Basic logins are remembered for
 * {@link #CACHE_TTL_MS} ms, at most {@link #CACHE_MAX} of them, keyed by the SHA-256 of user name and
 * password (never the password itself). A user removed from the password file may therefore still call
 * for up to that long.
 *
 * <p>Thread-safety: thread-safe; the login cache is guarded by its own monitor.
 */
public final class GrpcAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final long CACHE_TTL_MS = 60_000;
    static final int CACHE_MAX = 1_000;
    static final long WAIT_MS = 10_000;
    private static final String HEALTH_SERVICE = "grpc.health.v1.Health";

    private final Authenticator authenticator;
    private final Executor executor;
    private final long waitMs;
    private final LoginCache cache;

    /**
     * @param executor where a call continues once its authentication completed later (the server's
     *                 call executor: the service's handlers must not run on the authenticator's threads)
     */
    public GrpcAuthInterceptor(Authenticator authenticator, Clock clock, Executor executor) {
        this(authenticator, clock, executor, WAIT_MS);
    }

    GrpcAuthInterceptor(Authenticator authenticator, Clock clock, Executor executor, long waitMs) {
        this.authenticator = authenticator;
        this.cache = new LoginCache(CACHE_TTL_MS, CACHE_MAX, clock);
        this.executor = executor;
        this.waitMs = waitMs;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (HEALTH_SERVICE.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        CompletableFuture<AuthResult> answer = authenticate(call, headers.get(AUTHORIZATION));
        Context context = Context.current();
        if (answer.isDone()) {
            return proceed(context, call, headers, next, answer.join());
        }
        // Not known yet (a PBKDF2 check or a signature on the authenticator's threads): no thread waits.
        // The call's events are kept until the answer arrives, then the call goes on on the call executor.
        DelayedServerListener<Q> delayed = new DelayedServerListener<>();
        answer.copy().orTimeout(waitMs, TimeUnit.MILLISECONDS).whenComplete((result, failure) -> {
            AuthResult r = failure == null ? result : new AuthResult.Refused(AuthResult.Reason.UNAVAILABLE,
                    "authentication did not answer within " + waitMs + " ms; retry");
            try {
                executor.execute(() -> delayed.start(proceed(context, call, headers, next, r)));
            } catch (RejectedExecutionException e) {
                // The server is shutting down: its transport ends the call.
                delayed.start(new ServerCall.Listener<>() {});
            }
        });
        return delayed;
    }

    private <Q, R> ServerCall.Listener<Q> proceed(Context context, ServerCall<Q, R> call, Metadata headers,
                                                  ServerCallHandler<Q, R> next, AuthResult result) {
        if (result instanceof AuthResult.Accepted accepted) {
            return Contexts.interceptCall(context.withValue(GrpcPrincipal.KEY, accepted.principal()),
                    call, headers, next);
        }
        AuthResult.Refused refused = (AuthResult.Refused) result;
        ErrorCode code = switch (refused.reason()) {
            case BAD_CREDENTIALS, NOT_AUTHORIZED -> ErrorCode.UNAUTHENTICATED;
            case RATE_LIMITED -> ErrorCode.LOGIN_RATE_LIMITED;
            case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
        };
        var status = GrpcErrors.toStatus(code, refused.detail());
        call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
        return new ServerCall.Listener<>() {};
    }

    /** The authenticator's answer (already complete when decided here or from the cache). */
    private CompletableFuture<AuthResult> authenticate(ServerCall<?, ?> call, String authorization) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        List<X509Certificate> certificates = PeerCertificates.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        String username = null;
        byte[] password = null;
        String cacheKey = null;
        if (authorization != null) {
            int space = authorization.indexOf(' ');
            String scheme = space < 0 ? authorization : authorization.substring(0, space);
            String value = space < 0 ? "" : authorization.substring(space + 1).strip();
            if (scheme.equalsIgnoreCase("Bearer")) {
                password = value.getBytes(StandardCharsets.US_ASCII);
            } else if (scheme.equalsIgnoreCase("Basic")) {
                byte[] decoded;
                try {
                    decoded = Base64.getDecoder().decode(value);
                } catch (IllegalArgumentException e) {
                    return refused(AuthResult.Reason.BAD_CREDENTIALS, "malformed Basic authorization");
                }
                int colon = indexOf(decoded, (byte) ':');
                if (colon < 0) {
                    Arrays.fill(decoded, (byte) 0);
                    return refused(AuthResult.Reason.BAD_CREDENTIALS, "Basic authorization must be base64(user:password)");
                }
                username = new String(decoded, 0, colon, StandardCharsets.UTF_8);
                password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
                cacheKey = certificates.isEmpty() ? LoginCache.key(username, password) : null;
                Arrays.fill(decoded, (byte) 0);
            } else {
                return refused(AuthResult.Reason.BAD_CREDENTIALS,
                        "authorization must be 'Bearer <token>' or 'Basic <base64(user:password)>'");
            }
        }
        if (cacheKey != null) {
            Principal cached = cache.get(cacheKey);
            if (cached != null) {
                Arrays.fill(password, (byte) 0);
                return CompletableFuture.completedFuture(new AuthResult.Accepted(cached));
            }
        }
        byte[] secret = password;
        String key = cacheKey;
        CompletableFuture<AuthResult> answer;
        try {
            answer = authenticator.authenticate(new Credentials("grpc", "grpc", username, secret, certificates, remote));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((result, failure) -> {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
            if (failure != null) {
                return new AuthResult.Refused(AuthResult.Reason.UNAVAILABLE, "authentication is unavailable; retry");
            }
            if (key != null && result instanceof AuthResult.Accepted a) {
                cache.put(key, a.principal());
            }
            return result;
        });
    }

    private static CompletableFuture<AuthResult> refused(AuthResult.Reason reason, String detail) {
        return CompletableFuture.completedFuture(new AuthResult.Refused(reason, detail));
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

}
