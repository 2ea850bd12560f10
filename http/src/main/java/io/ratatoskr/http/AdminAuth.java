package io.ratatoskr.http;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.LoginCache;
import io.ratatoskr.core.security.Principal;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether an admin API call may run, and as whom. In order:
 * <ol>
 *   <li>{@code /health}, {@code /ready} (probes), {@code /} and {@code /assets/...} (the dashboard's
 *       static files, which ask for credentials themselves) are open;</li>
 *   <li>{@code Authorization: Bearer <the static token>} (RFC 6750 §2.1) may do everything;</li>
 *   <li>with nothing configured (no token, no credentials checked, no ACL rules) every call may run:
 *       the open default of a loopback-only broker;</li>
 *   <li>otherwise HTTP Basic (RFC 7617) user name and password, any other bearer token (a JWT) and a
 *       TLS client certificate go to the broker's authenticator, as MQTT and gRPC logins do (same
 *       password file, JWT keys, failed-login limit per source address); a call without credentials
 *       is the anonymous principal when ACL rules decide (and the authenticator admits anonymous
 *       clients), and is refused when a token is configured without rules;</li>
 *   <li>the principal then needs the role: {@code admin-api read} for GET and HEAD, {@code admin-api
 *       write} for any other method ({@link io.ratatoskr.core.security.Authorizer#mayUseAdminApi}).</li>
 * </ol>
 * Unauthenticated: 401 with a {@code WWW-Authenticate} challenge; authenticated but not allowed: 403;
 * over the failed-login limit: 429; authenticator overloaded: 503. Successful Basic logins are
 * remembered for {@value #CACHE_TTL_MS} ms ({@link LoginCache}), since a client sends its password with
 * every call and a check costs a slow hash. The token comparison takes the same time wherever the
 * tokens differ.
 *
 * <p>Thread-safety: immutable apart from the login cache, which is thread-safe.
 */
final class AdminAuth {
    static final long CACHE_TTL_MS = 60_000;
    static final int CACHE_MAX = 1_000;
    /** The client identifier of HTTP callers in credentials and principals (for {@code client} ACL sections). */
    static final String CLIENT_ID = "http";

    /** The outcome of {@link #decide}. */
    sealed interface Decision {
        /** The call may run as {@code caller}. */
        record Allowed(Caller caller) implements Decision {
        }

        /**
         * The call is refused with {@code code}'s HTTP status and {@code message}; {@code reason} is the
         * bounded tag of the refusal metric and log line.
         */
        record Refused(ErrorCode code, String message, String reason) implements Decision {
        }
    }

    private static final Decision OPEN = new Decision.Allowed(Caller.UNRESTRICTED);

    /** SHA-256 of the token: comparing digests takes the same time whatever the given token's length. */
    private final byte[] tokenDigest;
    private final AdminSecurity security;
    private final LoginCache logins;

    /** @param token the static token, or null */
    AdminAuth(String token, AdminSecurity security, Clock clock) {
        this.tokenDigest = token == null ? null : sha256(token.getBytes(StandardCharsets.UTF_8));
        this.security = security;
        this.logins = new LoginCache(CACHE_TTL_MS, CACHE_MAX, clock);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    static boolean isOpen(String path) {
        return path.equals("/health") || path.equals("/ready") || path.equals("/") || path.startsWith("/assets/");
    }

    /** Whether calls other than the open ones need authentication. */
    boolean isProtected() {
        return tokenDigest != null || security.roles() || security.checksCredentials();
    }

    /**
     * The {@code WWW-Authenticate} challenges of a 401 (RFC 9110 §11.6.1): Bearer, and Basic where users
     * log in, except to a script of a page ({@code Sec-Fetch-Mode} other than {@code navigate}): a
     * browser would answer a Basic challenge with its own login dialog over the dashboard's form.
     */
    String challenge(String secFetchMode) {
        boolean pageScript = secFetchMode != null && !secFetchMode.equalsIgnoreCase("navigate");
        return security.checksCredentials() && !pageScript
                ? "Bearer realm=\"ratatoskr\", Basic realm=\"ratatoskr\", charset=\"UTF-8\""
                : "Bearer realm=\"ratatoskr\"";
    }

    /**
     * Decides a call. Completes at once unless the authenticator has to check credentials (then on one
     * of its threads); never completes exceptionally.
     *
     * @param authorization the {@code Authorization} header, or null
     * @param certificates  the verified TLS client certificate chain, or empty
     */
    CompletableFuture<Decision> decide(String method, String path, String authorization, SocketAddress remote,
                                       List<X509Certificate> certificates) {
        if (isOpen(path)) {
            return CompletableFuture.completedFuture(OPEN);
        }
        boolean write = !method.equals("GET") && !method.equals("HEAD");
        byte[] bearer = scheme(authorization, "Bearer ");
        if (bearer != null && tokenDigest != null && MessageDigest.isEqual(sha256(bearer), tokenDigest)) {
            return CompletableFuture.completedFuture(OPEN);
        }
        if (!isProtected()) {
            return CompletableFuture.completedFuture(OPEN);
        }
        byte[] basic = scheme(authorization, "Basic ");
        String username = null;
        byte[] password = bearer;
        if (basic != null) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(basic);
            } catch (IllegalArgumentException e) {
                return refused(ErrorCode.UNAUTHENTICATED, "the Basic credentials are not valid base64", "malformed");
            }
            int colon = indexOf(decoded, (byte) ':');
            if (colon < 0) {
                return refused(ErrorCode.UNAUTHENTICATED, "Basic credentials read 'user:password'", "malformed");
            }
            username = new String(decoded, 0, colon, StandardCharsets.UTF_8);
            password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
            Arrays.fill(decoded, (byte) 0);
        } else if (authorization != null && bearer == null) {
            return refused(ErrorCode.UNAUTHENTICATED, "unsupported Authorization scheme: send 'Bearer <token>' or "
                    + "'Basic base64(user:password)'", "malformed");
        }
        boolean presented = password != null || !certificates.isEmpty();
        if (presented && !security.checksCredentials()) {
            return refused(ErrorCode.UNAUTHENTICATED, "the token given is not the admin API's bearer token: send "
                    + "'Authorization: Bearer <token>' (ratatoskr: --token or $RATATOSKR_TOKEN)", "invalid");
        }
        if (!presented && !security.roles() && tokenDigest != null) {
            return refused(ErrorCode.UNAUTHENTICATED, "this call needs credentials: 'Authorization: Bearer "
                    + "<token>' (ratatoskr: --token or $RATATOSKR_TOKEN)" + (security.checksCredentials()
                    ? " or 'Basic base64(user:password)' (ratatoskr: --user and --password)" : ""), "missing");
        }
        String cacheKey = username != null && certificates.isEmpty() ? LoginCache.key(username, password) : null;
        Principal known = cacheKey == null ? null : logins.get(cacheKey);
        if (known != null) {
            return CompletableFuture.completedFuture(authorize(known, write));
        }
        Credentials credentials = new Credentials("http", CLIENT_ID, username, password, certificates, remote);
        byte[] secret = password;
        return security.authenticator().authenticate(credentials).handle((result, failure) -> {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
            if (failure != null) {
                return new Decision.Refused(ErrorCode.UNAVAILABLE, "authentication is unavailable", "unavailable");
            }
            return switch (result) {
                case AuthResult.Accepted a -> {
                    if (cacheKey != null) {
                        logins.put(cacheKey, a.principal());
                    }
                    yield authorize(a.principal(), write);
                }
                case AuthResult.Refused r -> switch (r.reason()) {
                    case RATE_LIMITED -> new Decision.Refused(ErrorCode.LOGIN_RATE_LIMITED, r.detail(), "rate_limited");
                    case UNAVAILABLE -> new Decision.Refused(ErrorCode.UNAVAILABLE, r.detail(), "unavailable");
                    case BAD_CREDENTIALS, NOT_AUTHORIZED -> new Decision.Refused(ErrorCode.UNAUTHENTICATED,
                            presentedMessage(credentials, r.detail()), presented ? "invalid" : "missing");
                };
            };
        });
    }

    private static String presentedMessage(Credentials c, String detail) {
        if (c.password() == null && c.peerCertificates().isEmpty()) {
            return "this call needs credentials: 'Authorization: Basic base64(user:password)' (ratatoskr: --user "
                    + "and --password) or 'Bearer <token>'";
        }
        return detail;
    }

    private Decision authorize(Principal principal, boolean write) {
        if (security.authorizer().mayUseAdminApi(principal, write)) {
            return new Decision.Allowed(new Caller(principal, security.authorizer()));
        }
        String who = principal.isAnonymous() ? "an anonymous caller" : "user '" + principal.username() + "'";
        return new Decision.Refused(ErrorCode.NOT_AUTHORIZED, who + " may not " + (write ? "change anything"
                : "read") + " through the admin API (ACL: 'allow admin-api " + (write ? "write" : "read") + "')",
                "forbidden");
    }

    private static CompletableFuture<Decision> refused(ErrorCode code, String message, String reason) {
        return CompletableFuture.completedFuture(new Decision.Refused(code, message, reason));
    }

    /** The bytes after {@code scheme} (case-insensitive, RFC 9110 §11.1), trimmed; null for another scheme. */
    private static byte[] scheme(String authorization, String scheme) {
        if (authorization == null || authorization.length() < scheme.length()
                || !authorization.regionMatches(true, 0, scheme, 0, scheme.length())) {
            return null;
        }
        return authorization.substring(scheme.length()).trim().getBytes(StandardCharsets.UTF_8);
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
