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
import io.ratatoskr.core.security.Principal;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Authenticates every gRPC call: metadata {@code authorization: Bearer <jwt>} or {@code authorization:
 * Basic base64(user:password)}, and the client certificates of a mutual-TLS connection, go to the
 * {@link Authenticator}; the answer's {@link Principal} is put in the call's {@link Context}
 * ({@link GrpcPrincipal}). A refused call ends before it reaches the service: UNAUTHENTICATED
 * (RESOURCE_EXHAUSTED when the address is over its failed-login budget, UNAVAILABLE when the
 * authenticator is) with the catalogue's ErrorInfo. The standard health service is exempt, for probes.
 *
 * <p>Calls start on the server's call executor, not on a network thread, so the call waits there for
 * the authenticator (at most {@link #WAIT_MS}). A password check is slow on purpose (PBKDF2), and a
 * client sends its password with each call: successful Basic logins are remembered for
 * {@link #CACHE_TTL_MS} ms, at most {@link #CACHE_MAX} of them, keyed by the SHA-256 of user name and
 * password (never the password itself). A user removed from the password file may therefore still call
 * for up to that long.
 *
 * <p>Thread-safety: thread-safe; the cache is guarded by its monitor.
 */
public final class GrpcAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final long CACHE_TTL_MS = 60_000;
    static final int CACHE_MAX = 1_000;
    static final long WAIT_MS = 10_000;
    private static final String HEALTH_SERVICE = "grpc.health.v1.Health";

    private record Cached(Principal principal, long expiresAtMs) {}

    private final Authenticator authenticator;
    private final Clock clock;
    private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > CACHE_MAX;
        }
    };

    public GrpcAuthInterceptor(Authenticator authenticator, Clock clock) {
        this.authenticator = authenticator;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (HEALTH_SERVICE.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        AuthResult result = authenticate(call, headers.get(AUTHORIZATION));
        if (result instanceof AuthResult.Accepted accepted) {
            return Contexts.interceptCall(Context.current().withValue(GrpcPrincipal.KEY, accepted.principal()),
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

    private AuthResult authenticate(ServerCall<?, ?> call, String authorization) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        List<X509Certificate> certificates = peerCertificates(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
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
                    return new AuthResult.Refused(AuthResult.Reason.BAD_CREDENTIALS, "malformed Basic authorization");
                }
                int colon = indexOf(decoded, (byte) ':');
                if (colon < 0) {
                    Arrays.fill(decoded, (byte) 0);
                    return new AuthResult.Refused(AuthResult.Reason.BAD_CREDENTIALS,
                            "Basic authorization must be base64(user:password)");
                }
                username = new String(decoded, 0, colon, StandardCharsets.UTF_8);
                password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
                cacheKey = certificates.isEmpty() ? cacheKey(decoded) : null;
                Arrays.fill(decoded, (byte) 0);
            } else {
                return new AuthResult.Refused(AuthResult.Reason.BAD_CREDENTIALS,
                        "authorization must be 'Bearer <token>' or 'Basic <base64(user:password)>'");
            }
        }
        try {
            if (cacheKey != null) {
                Principal cached = cached(cacheKey);
                if (cached != null) {
                    return new AuthResult.Accepted(cached);
                }
            }
            AuthResult result = authenticator.authenticate(new Credentials("grpc", "grpc", username, password,
                    certificates, remote)).get(WAIT_MS, TimeUnit.MILLISECONDS);
            if (cacheKey != null && result instanceof AuthResult.Accepted a && !a.principal().isAnonymous()) {
                remember(cacheKey, a.principal());
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AuthResult.Refused(AuthResult.Reason.UNAVAILABLE, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return new AuthResult.Refused(AuthResult.Reason.UNAVAILABLE, "authentication is unavailable; retry");
        } finally {
            if (password != null) {
                Arrays.fill(password, (byte) 0);
            }
        }
    }

    private synchronized Principal cached(String key) {
        Cached c = cache.get(key);
        if (c == null) {
            return null;
        }
        if (clock.millis() >= c.expiresAtMs()) {
            cache.remove(key);
            return null;
        }
        return c.principal();
    }

    private synchronized void remember(String key, Principal principal) {
        cache.put(key, new Cached(principal, clock.millis() + CACHE_TTL_MS));
    }

    private static String cacheKey(byte[] userColonPassword) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(userColonPassword));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static List<X509Certificate> peerCertificates(SSLSession session) {
        if (session == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // TLS without a client certificate
        }
    }
}
