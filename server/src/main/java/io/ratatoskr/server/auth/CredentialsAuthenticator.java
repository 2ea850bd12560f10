package io.ratatoskr.server.auth;

import com.nimbusds.jose.jwk.JWKSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.security.AuthExchange;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.AuthResult.Reason;
import io.ratatoskr.core.security.Authenticator;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.core.security.ThrottledLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker's {@link Authenticator}, configured by {@link AuthConfig}. For each login, in order:
 * <ol>
 *   <li>a source address over its failed-login budget is refused at once ({@link LoginRateLimiter});</li>
 *   <li>a verified client certificate maps to a user name ({@link CertificateUsernames}; groups from the
 *       password file's entry of that user, if any);</li>
 *   <li>a password shaped like a JWT, when JWT is configured, is verified as one ({@link JwtVerifier});</li>
 *   <li>a password is checked against the password file ({@link PasswordFile});</li>
 *   <li>no password: anonymous when {@code auth.anonymous} is on, else refused (not authorized).</li>
 * </ol>
 * Credentials that are present but wrong are refused even when anonymous access is on. Refusals are
 * counted in {@code ratatoskr_auth_failures_total{protocol,reason}} and logged at INFO with the user
 * name, never the password (at most one line per source address every 10 s, with the count of those
 * not logged: {@link ThrottledLog}). Hashing and signature checks run on {@code auth.threads} threads with a
 * bounded queue (full: refused as unavailable); the password and JWKS files are re-read when they change.
 *
 * <p>Thread-safety: thread-safe; {@link #authenticate} from any thread, never blocks.
 */
public final class CredentialsAuthenticator implements Authenticator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CredentialsAuthenticator.class);
    static final int MAX_QUEUED = 1_000;

    /** Bounded values of the {@code reason} tag. */
    enum FailureReason {
        BAD_PASSWORD, UNKNOWN_USER, BAD_TOKEN, BAD_SCRAM_MESSAGE, NO_CREDENTIALS, RATE_LIMITED, OVERLOADED
    }

    record Outcome(AuthResult result, FailureReason reason, String logDetail) {
        static Outcome accepted(Principal p) {
            return new Outcome(new AuthResult.Accepted(p), null, null);
        }
    }

    private final AuthConfig config;
    private final Clock clock;
    private final MeterRegistry registry;
    private final ReloadingFile<PasswordFile> passwords;
    private final ReloadingFile<JWKSet> jwks;
    private final JwtVerifier jwt;
    private final LoginRateLimiter limiter;
    /** At most one login-failure line per source address every 10 s; the metric counts them all. */
    private final ThrottledLog logGate;
    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService reloader;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    /**
     * Checked for unknown users, so that a miss costs as long as a wrong password (the configured
     * iterations, those of the hashes {@code ratatoskr user add} writes): no user enumeration by timing.
     */
    private final PasswordHash dummy;
    /** SCRAM-SHA-256 over the password file when {@code auth.scram-sha-256} is on; else null. */
    private final ScramSha256 scram;
    private final java.security.SecureRandom nonces = new java.security.SecureRandom();

    /**
     * Reads the configured files (a missing or invalid one fails here, so the broker does not start
     * with authentication silently off) and starts the reload poll.
     */
    public CredentialsAuthenticator(AuthConfig config, MeterRegistry registry, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registry = registry;
        try {
            passwords = config.passwordFile() == null ? null
                    : new ReloadingFile<>("password", config.passwordFile(), f -> PasswordFile.read(f, false), registry);
            jwks = config.jwtJwksFile() == null ? null
                    : new ReloadingFile<>("jwks", config.jwtJwksFile(), JwtVerifier::loadJwks, registry);
            byte[] secret = config.jwtHs256SecretFile() == null ? null : readSecret(config);
            jwt = config.jwtConfigured() ? new JwtVerifier(secret, jwks == null ? null : jwks::current, config, clock)
                    : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the authentication files: " + e.getMessage(), e);
        }
        dummy = PasswordHash.create("-".toCharArray(), config.pbkdf2Iterations(), new java.util.Random(0));
        limiter = new LoginRateLimiter(config.maxFailuresPerMinute(), clock);
        logGate = new ThrottledLog(10_000, clock);
        byte[] fakeSecret = new byte[32];
        nonces.nextBytes(fakeSecret);
        scram = config.scramSha256() && passwords != null
                ? new ScramSha256(fakeSecret, config.pbkdf2Iterations()) : null;
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED), r -> daemon(r, "ratatoskr-auth-" + n.incrementAndGet()));
        reloader = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ratatoskr-auth-reload"));
        reloader.scheduleWithFixedDelay(this::reload, config.reloadIntervalMs(), config.reloadIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * The authenticator {@code config} asks for: {@link Authenticator#ANONYMOUS} when it is the anonymous
     * default with no credentials configured (no threads then), else a new instance. Warns when anonymous
     * access is on while the MQTT listener binds a non-loopback address.
     */
    public static Authenticator configured(AuthConfig config, String mqttHost, MeterRegistry registry) {
        if (config.anonymous() && !isLoopback(mqttHost)) {
            log.atWarn().addKeyValue("event", "anonymous_access").addKeyValue("host", mqttHost)
                    .log("anonymous access is on (auth.anonymous) and MQTT listens on {}, not only loopback: any "
                            + "client that reaches it may connect", mqttHost);
        }
        if (config.anonymous() && !config.credentialsConfigured()) {
            return Authenticator.ANONYMOUS;
        }
        return new CredentialsAuthenticator(config, registry, Clock.systemUTC());
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static byte[] readSecret(AuthConfig config) throws IOException {
        String text = Files.readString(config.jwtHs256SecretFile()).strip();
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void reload() {
        if (passwords != null) {
            passwords.poll();
        }
        if (jwks != null) {
            jwks.poll();
        }
    }

    @Override
    public CompletableFuture<AuthResult> authenticate(Credentials c) {
        if (limiter.limited(c.remoteAddress())) {
            return CompletableFuture.completedFuture(finish(c, RATE_LIMITED));
        }
        // Copied: the caller may clear its array as soon as it has an answer, even a rejected one.
        byte[] password = c.password() == null ? null : c.password().clone();
        Runnable clear = () -> {
            if (password != null) {
                Arrays.fill(password, (byte) 0);
            }
        };
        return onAuthThreads(() -> {
            try {
                return finish(c, decide(c, password));
            } finally {
                clear.run();
            }
        }, () -> {
            clear.run();
            return finish(c, OVERLOADED);
        });
    }

    static final Outcome RATE_LIMITED = new Outcome(new AuthResult.Refused(Reason.RATE_LIMITED,
            "too many failed logins from this address; try again later"), FailureReason.RATE_LIMITED,
            "failed-login limit reached");
    static final Outcome OVERLOADED = new Outcome(new AuthResult.Refused(Reason.UNAVAILABLE,
            "the broker is busy checking other logins; try again"), FailureReason.OVERLOADED,
            "authentication queue full");

    /** SCRAM-SHA-256 (MQTT 5 enhanced authentication) when {@code auth.scram-sha-256} is on; else null. */
    @Override
    public AuthExchange exchange(String method, Credentials credentials) {
        if (scram == null || !ScramSha256.METHOD.equals(method)) {
            return null;
        }
        return new ScramLogin(this, scram.exchange(this::scramKeys, this::scramNonce), credentials);
    }

    private ScramSha256.ServerKeys scramKeys(String username) {
        PasswordFile.Entry e = passwords.current().get(username);
        return e == null ? null : ScramSha256.ServerKeys.of(e.username(), e.hash());
    }

    /** 18 random bytes as base64: 144 bits, printable and without ','. */
    private String scramNonce() {
        byte[] b = new byte[18];
        nonces.nextBytes(b);
        return java.util.Base64.getEncoder().encodeToString(b);
    }

    /** Runs {@code work} on the authentication threads; {@code whenFull} instead when their queue is full. */
    <T> CompletableFuture<T> onAuthThreads(java.util.function.Supplier<T> work, java.util.function.Supplier<T> whenFull) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(whenFull.get());
        }
    }

    /** Whether logins from {@code c}'s address are refused unchecked now. */
    boolean limited(Credentials c) {
        return limiter.limited(c.remoteAddress());
    }

    Set<String> groupsOf(String username) {
        PasswordFile.Entry e = passwords == null ? null : passwords.current().get(username);
        return e == null ? Set.of() : e.groups();
    }

    private Outcome decide(Credentials c, byte[] password) {
        if (!c.peerCertificates().isEmpty()) {
            Optional<String> user = CertificateUsernames.username(c.peerCertificates(), config.mtlsUsernameFrom());
            if (user.isPresent()) {
                return Outcome.accepted(new Principal(user.get(), c.clientId(), groupsOf(user.get()), "mtls"));
            }
        }
        if (jwt != null && JwtVerifier.looksLikeJwt(password)) {
            try {
                JwtVerifier.Identity id = jwt.verify(new String(password, StandardCharsets.US_ASCII));
                return Outcome.accepted(new Principal(id.username(), c.clientId(), id.groups(), "jwt"));
            } catch (JwtVerifier.InvalidToken e) {
                return refused(Reason.BAD_CREDENTIALS, FailureReason.BAD_TOKEN, e.getMessage());
            }
        }
        if (password != null && passwords != null) {
            return checkPassword(c, password);
        }
        if (password != null && config.credentialsConfigured()) {
            return refused(Reason.BAD_CREDENTIALS, FailureReason.BAD_TOKEN, "password given, but only JWTs accepted");
        }
        if (config.anonymous()) {
            return Outcome.accepted(Principal.anonymous(c.clientId()));
        }
        return new Outcome(new AuthResult.Refused(Reason.NOT_AUTHORIZED,
                "credentials required: anonymous access is off"), FailureReason.NO_CREDENTIALS, "no credentials");
    }

    private Outcome checkPassword(Credentials c, byte[] password) {
        PasswordFile.Entry entry = c.username() == null ? null : passwords.current().get(c.username());
        char[] chars = decode(password);
        try {
            if (entry == null) {
                dummy.matches(chars);
                return refused(Reason.BAD_CREDENTIALS, FailureReason.UNKNOWN_USER, "unknown user");
            }
            if (chars == null || chars.length == 0 || !entry.hash().matches(chars)) {
                return refused(Reason.BAD_CREDENTIALS, FailureReason.BAD_PASSWORD, "wrong password");
            }
            return Outcome.accepted(new Principal(entry.username(), c.clientId(), entry.groups(), "password"));
        } finally {
            if (chars != null) {
                Arrays.fill(chars, '\0');
            }
        }
    }

    static Outcome refused(Reason reason, FailureReason tag, String logDetail) {
        // The client learns only that the credentials were bad, not which part.
        return new Outcome(new AuthResult.Refused(reason, "bad user name or password"), tag, logDetail);
    }

    /** The password as UTF-8 characters; null when it is not valid UTF-8 (then it matches nothing). */
    private static char[] decode(byte[] password) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(password));
            char[] chars = new char[cb.remaining()];
            cb.get(chars);
            Arrays.fill(cb.array(), '\0');
            return chars;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Counts and logs a refusal (and charges the address's failed-login budget); returns the result. */
    AuthResult finish(Credentials c, Outcome o) {
        if (o.reason() == null) {
            return o.result();
        }
        if (o.reason() != FailureReason.RATE_LIMITED && o.reason() != FailureReason.OVERLOADED) {
            limiter.failed(c.remoteAddress());
        }
        String tag = o.reason().name().toLowerCase(java.util.Locale.ROOT);
        counters.computeIfAbsent(c.protocol() + "/" + tag, k -> Counter.builder("ratatoskr_auth_failures_total")
                .description("Logins refused, by protocol and reason")
                .tag("protocol", c.protocol()).tag("reason", tag).register(registry)).increment();
        long suppressed = logGate.admit(c.remoteAddress());
        if (suppressed >= 0) { // a guesser's flood writes one line per address per interval
            log.atInfo().addKeyValue("event", "login_failed").addKeyValue("protocol", c.protocol())
                    .addKeyValue("reason", tag).addKeyValue("username", c.username())
                    .addKeyValue("clientId", c.clientId()).addKeyValue("remote", c.remoteAddress())
                    .addKeyValue("suppressed", suppressed)
                    .log("login refused: {}{}", o.logDetail(), suppressed == 0 ? ""
                            : " (" + suppressed + " earlier refusals from this address not logged)");
        }
        return o.result();
    }

    /** PBKDF2 iterations an unknown user's login costs. */
    int unknownUserIterations() {
        return dummy.iterations();
    }

    /** Source addresses whose failed logins are tracked (at most {@link LoginRateLimiter#MAX_TRACKED}). */
    int trackedAddresses() {
        return limiter.tracked();
    }

    @Override
    public void close() {
        reloader.shutdownNow();
        executor.shutdownNow();
    }
}
