package io.ratatoskr.server.auth;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How clients authenticate (MQTT CONNECT and gRPC calls). Immutable; validated on construction.
 *
 * @param anonymous              whether a client without credentials is let in (as an anonymous principal)
 * @param passwordFile           the password file ({@link PasswordFile}); null: no password logins
 * @param pbkdf2Iterations       PBKDF2 iterations of hashes that {@code ratatoskr user add} writes
 * @param jwtHs256SecretFile     file holding the HS256 secret (at least 32 bytes); null: no HS256 tokens
 * @param jwtJwksFile            JWKS file with the RS256/ES256 public keys; null: no RS256/ES256 tokens
 * @param jwtIssuer              required {@code iss} claim; null: not checked
 * @param jwtAudience            required {@code aud} entry; null: not checked
 * @param jwtUsernameClaim       the claim naming the user
 * @param jwtGroupsClaim         the claim listing the ACL groups (array, or space-separated string)
 * @param jwtClockSkewMs         tolerance on {@code exp} and {@code nbf}
 * @param mtlsUsernameFrom       where a verified client certificate's user name is read
 * @param maxFailuresPerMinute   failed logins per source address per minute before logins from it are
 *                               refused without being checked
 * @param threads                threads that check passwords and signatures
 * @param reloadIntervalMs       how often the password and JWKS files are checked for changes
 * @param jwtRequireExpiry       whether a token without {@code exp} is refused (a token that never
 *                               expires is a credential that cannot be taken back)
 * @param scramSha256            whether MQTT 5 clients may log in with SCRAM-SHA-256 (enhanced authentication)
 *                               over the password file; off by default because it makes the stored hashes
 *                               password-equivalent for SCRAM ({@link ScramSha256})
 */
public record AuthConfig(boolean anonymous, Path passwordFile, int pbkdf2Iterations, Path jwtHs256SecretFile,
                         Path jwtJwksFile, String jwtIssuer, String jwtAudience, String jwtUsernameClaim,
                         String jwtGroupsClaim, long jwtClockSkewMs, CertificateUsernames.Source mtlsUsernameFrom,
                         int maxFailuresPerMinute, int threads, long reloadIntervalMs, boolean jwtRequireExpiry,
                         boolean scramSha256) {
    /** The embedded default: anonymous access (the MQTT listener binds loopback by default). */
    public static final AuthConfig DEFAULTS = new AuthConfig(true, null, PasswordHash.DEFAULT_ITERATIONS, null, null,
            null, null, "sub", "groups", 30_000, CertificateUsernames.Source.CN, 10, 2, 2_000, true, false);

    /** Without {@code jwtRequireExpiry} and {@code scramSha256}: tokens must carry {@code exp}, no SCRAM. */
    public AuthConfig(boolean anonymous, Path passwordFile, int pbkdf2Iterations, Path jwtHs256SecretFile,
                      Path jwtJwksFile, String jwtIssuer, String jwtAudience, String jwtUsernameClaim,
                      String jwtGroupsClaim, long jwtClockSkewMs, CertificateUsernames.Source mtlsUsernameFrom,
                      int maxFailuresPerMinute, int threads, long reloadIntervalMs) {
        this(anonymous, passwordFile, pbkdf2Iterations, jwtHs256SecretFile, jwtJwksFile, jwtIssuer, jwtAudience,
                jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom, maxFailuresPerMinute, threads,
                reloadIntervalMs, true, false);
    }

    public AuthConfig {
        Objects.requireNonNull(jwtUsernameClaim, "jwtUsernameClaim");
        Objects.requireNonNull(jwtGroupsClaim, "jwtGroupsClaim");
        Objects.requireNonNull(mtlsUsernameFrom, "mtlsUsernameFrom");
        if (pbkdf2Iterations < 1) {
            throw new IllegalArgumentException("pbkdf2Iterations must be positive, was " + pbkdf2Iterations);
        }
        if (jwtClockSkewMs < 0) {
            throw new IllegalArgumentException("jwtClockSkewMs must not be negative, was " + jwtClockSkewMs);
        }
        if (maxFailuresPerMinute < 1) {
            throw new IllegalArgumentException("maxFailuresPerMinute must be positive, was " + maxFailuresPerMinute);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, was " + threads);
        }
        if (reloadIntervalMs < 1) {
            throw new IllegalArgumentException("reloadIntervalMs must be positive, was " + reloadIntervalMs);
        }
    }

    /** Whether any way to log in with credentials is configured. */
    public boolean credentialsConfigured() {
        return passwordFile != null || jwtConfigured();
    }

    public boolean jwtConfigured() {
        return jwtHs256SecretFile != null || jwtJwksFile != null;
    }

    public AuthConfig withAnonymous(boolean a) {
        return new AuthConfig(a, passwordFile, pbkdf2Iterations, jwtHs256SecretFile, jwtJwksFile, jwtIssuer,
                jwtAudience, jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom,
                maxFailuresPerMinute, threads, reloadIntervalMs, jwtRequireExpiry, scramSha256);
    }

    public AuthConfig withPasswordFile(Path file, int iterations) {
        return new AuthConfig(anonymous, file, iterations, jwtHs256SecretFile, jwtJwksFile, jwtIssuer,
                jwtAudience, jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom,
                maxFailuresPerMinute, threads, reloadIntervalMs, jwtRequireExpiry, scramSha256);
    }

    public AuthConfig withJwt(Path hs256SecretFile, Path jwksFile, String issuer, String audience) {
        return new AuthConfig(anonymous, passwordFile, pbkdf2Iterations, hs256SecretFile, jwksFile, issuer,
                audience, jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom,
                maxFailuresPerMinute, threads, reloadIntervalMs, jwtRequireExpiry, scramSha256);
    }

    public AuthConfig withMaxFailuresPerMinute(int max) {
        return new AuthConfig(anonymous, passwordFile, pbkdf2Iterations, jwtHs256SecretFile, jwtJwksFile, jwtIssuer,
                jwtAudience, jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom, max, threads,
                reloadIntervalMs, jwtRequireExpiry, scramSha256);
    }

    public AuthConfig withReloadIntervalMs(long ms) {
        return new AuthConfig(anonymous, passwordFile, pbkdf2Iterations, jwtHs256SecretFile, jwtJwksFile, jwtIssuer,
                jwtAudience, jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom,
                maxFailuresPerMinute, threads, ms, jwtRequireExpiry, scramSha256);
    }

    public AuthConfig withJwtRequireExpiry(boolean required) {
        return new AuthConfig(anonymous, passwordFile, pbkdf2Iterations, jwtHs256SecretFile, jwtJwksFile, jwtIssuer,
                jwtAudience, jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom,
                maxFailuresPerMinute, threads, reloadIntervalMs, required, scramSha256);
    }

    public AuthConfig withScramSha256(boolean on) {
        return new AuthConfig(anonymous, passwordFile, pbkdf2Iterations, jwtHs256SecretFile, jwtJwksFile, jwtIssuer,
                jwtAudience, jwtUsernameClaim, jwtGroupsClaim, jwtClockSkewMs, mtlsUsernameFrom,
                maxFailuresPerMinute, threads, reloadIntervalMs, jwtRequireExpiry, on);
    }
}
