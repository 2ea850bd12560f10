package io.ratatoskr.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Verifies JWT bearer tokens (compact JWS): HS256 with a shared secret, RS256 and ES256 with the
 * public keys of a JWKS file (chosen by the header's {@code kid}, or every key of the right type when
 * it has none). Any other algorithm, {@code none} included, is refused. Then {@code exp} (required
 * unless {@code auth.jwt.require-expiry} is false) and {@code nbf} are checked with a clock skew, {@code iss} and {@code aud} when configured, and the
 * claims give the user name and the ACL groups.
 *
 * <p>Thread-safety: immutable apart from the JWKS supplier, which returns a current immutable set.
 */
final class JwtVerifier {
    private static final Pattern COMPACT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    /** Tokens longer than this are not parsed (a JWT in an MQTT password field is at most 65,535 bytes). */
    static final int MAX_TOKEN_CHARS = 16 * 1024;

    /** Who a valid token names. */
    record Identity(String username, Set<String> groups) {}

    /** Why a token is refused; the message never contains the token. */
    static final class InvalidToken extends Exception {
        InvalidToken(String message) {
            super(message, null, false, false);
        }
    }

    private final MACVerifier hs256;
    private final Supplier<JWKSet> jwks;
    private final AuthConfig config;
    private final Clock clock;

    /**
     * @param hs256Secret the HS256 secret (at least 32 bytes), or null
     * @param jwks        the current JWKS, or null
     */
    JwtVerifier(byte[] hs256Secret, Supplier<JWKSet> jwks, AuthConfig config, Clock clock) {
        try {
            this.hs256 = hs256Secret == null ? null : new MACVerifier(hs256Secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the HS256 secret must be at least 32 bytes (256 bits)", e);
        }
        this.jwks = jwks;
        this.config = config;
        this.clock = clock;
    }

    /** Whether {@code password} has the shape of a compact JWS (three base64url parts). */
    static boolean looksLikeJwt(byte[] password) {
        if (password == null || password.length < 5 || password.length > MAX_TOKEN_CHARS) {
            return false;
        }
        return COMPACT.matcher(new String(password, StandardCharsets.US_ASCII)).matches();
    }

    static JWKSet loadJwks(java.nio.file.Path file) throws java.io.IOException {
        try {
            JWKSet set = JWKSet.load(file.toFile());
            for (JWK k : set.getKeys()) {
                if (k.isPrivate()) {
                    throw new java.io.IOException("key " + k.getKeyID() + " holds a private key: a JWKS file "
                            + "for verification must hold public keys only");
                }
            }
            return set;
        } catch (ParseException e) {
            throw new java.io.IOException("not a JWKS document: " + e.getMessage(), e);
        }
    }

    Identity verify(String token) throws InvalidToken {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new InvalidToken("token too long");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidToken("malformed token");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!verifySignature(jwt, alg)) {
            throw new InvalidToken("bad signature");
        }
        long now = clock.millis();
        long skew = config.jwtClockSkewMs();
        Date exp = claims.getExpirationTime();
        if (exp == null && config.jwtRequireExpiry()) {
            throw new InvalidToken("token has no exp claim (auth.jwt.require-expiry)");
        }
        if (exp != null && now > exp.getTime() + skew) {
            throw new InvalidToken("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skew < nbf.getTime()) {
            throw new InvalidToken("token not valid yet (nbf)");
        }
        if (config.jwtIssuer() != null && !config.jwtIssuer().equals(claims.getIssuer())) {
            throw new InvalidToken("wrong issuer");
        }
        if (config.jwtAudience() != null) {
            List<String> aud = claims.getAudience();
            if (aud == null || !aud.contains(config.jwtAudience())) {
                throw new InvalidToken("wrong audience");
            }
        }
        Object user = claims.getClaim(config.jwtUsernameClaim());
        if (!(user instanceof String username) || username.isBlank()) {
            throw new InvalidToken("no " + config.jwtUsernameClaim() + " claim");
        }
        return new Identity(username, groups(claims.getClaim(config.jwtGroupsClaim())));
    }

    private boolean verifySignature(SignedJWT jwt, JWSAlgorithm alg) throws InvalidToken {
        try {
            if (JWSAlgorithm.HS256.equals(alg)) {
                if (hs256 == null) {
                    throw new InvalidToken("HS256 tokens are not accepted (no auth.jwt.hs256-secret-file)");
                }
                return jwt.verify(hs256);
            }
            if (!JWSAlgorithm.RS256.equals(alg) && !JWSAlgorithm.ES256.equals(alg)) {
                throw new InvalidToken("algorithm " + alg + " is not accepted (HS256, RS256, ES256)");
            }
            JWKSet set = jwks == null ? null : jwks.get();
            if (set == null) {
                throw new InvalidToken(alg + " tokens are not accepted (no auth.jwt.jwks-file)");
            }
            String kid = jwt.getHeader().getKeyID();
            for (JWK key : set.getKeys()) {
                if (kid != null && !kid.equals(key.getKeyID())) {
                    continue;
                }
                JWSVerifier verifier = verifierFor(key, alg);
                if (verifier != null && jwt.verify(verifier)) {
                    return true;
                }
            }
            return false;
        } catch (JOSEException e) {
            return false;
        }
    }

    private static JWSVerifier verifierFor(JWK key, JWSAlgorithm alg) throws JOSEException {
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
            return null;
        }
        if (JWSAlgorithm.RS256.equals(alg) && key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (JWSAlgorithm.ES256.equals(alg) && key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        return null;
    }

    private static Set<String> groups(Object claim) {
        Set<String> groups = new LinkedHashSet<>();
        if (claim instanceof String s) {
            for (String g : s.trim().split("\\s+")) {
                if (!g.isEmpty()) {
                    groups.add(g);
                }
            }
        } else if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String g && !g.isBlank()) {
                    groups.add(g);
                }
            }
        }
        return groups;
    }
}
