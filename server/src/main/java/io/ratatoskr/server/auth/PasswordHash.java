package io.ratatoskr.server.auth;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.random.RandomGenerator;

/**
 * Salted, slow password hashes: PBKDF2 with HMAC-SHA-256 from the JDK, written as
 * {@code pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>} (standard base64 with padding; a
 * 16-byte salt and a 32-byte hash). The iteration count travels with each hash, so raising
 * {@link #DEFAULT_ITERATIONS} leaves older entries valid.
 *
 * <p>Thread-safety: immutable; every method may be called from any thread.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 210_000;
    public static final String SCHEME = "pbkdf2-sha256";
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    /** Refuses hashes that would take minutes to check (a typo or a hostile file). */
    static final int MAX_ITERATIONS = 10_000_000;

    public PasswordHash {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in 1.." + MAX_ITERATIONS + ", was " + iterations);
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Hashes {@code password} with a fresh salt from {@code random} (a {@code SecureRandom} in production). */
    public static PasswordHash create(char[] password, int iterations, RandomGenerator random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /** Parses the text form; throws IllegalArgumentException saying what is wrong. */
    public static PasswordHash parse(String text) {
        String[] parts = text.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("not a " + SCHEME + "$<iterations>$<salt>$<hash> hash");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iteration count '" + parts[1] + "' is not a number");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] salt = b64.decode(parts[2]);
        byte[] hash = b64.decode(parts[3]);
        if (salt.length < 8 || hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("salt of at least 8 bytes and hash of " + HASH_BYTES + " bytes needed");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    /** Whether {@code password} matches, in time independent of where a mismatch is. */
    public boolean matches(char[] password) {
        byte[] candidate = derive(password, salt, iterations);
        return MessageDigest.isEqual(candidate, hash);
    }

    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash h && h.iterations == iterations && Arrays.equals(h.salt, salt)
                && Arrays.equals(h.hash, hash);
    }

    @Override
    public int hashCode() {
        return 31 * iterations + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return SCHEME + "[" + iterations + " iterations]";
    }
}
