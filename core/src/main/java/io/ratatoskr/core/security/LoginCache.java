package io.ratatoskr.core.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Successful password logins remembered for a while, for protocols whose clients send their
 * credentials with every request (HTTP Basic): a password check is slow on purpose, so without this
 * each request would cost one. Keys are the SHA-256 of the user name and password, never the
 * password; only non-anonymous principals are remembered. A user removed from the password file (or
 * whose password changed) may therefore still be let in for up to the time-to-live.
 *
 * <p>Thread-safety: guarded by this object's monitor (short critical sections, no I/O).
 */
public final class LoginCache {
    private record Remembered(Principal principal, long expiresAtMs) {
    }

    private final long ttlMs;
    private final Clock clock;
    private final Map<String, Remembered> entries;

    /**
     * @param ttlMs      how long a login is remembered
     * @param maxEntries logins remembered at most (the least recently used is forgotten first)
     */
    public LoginCache(long ttlMs, int maxEntries, Clock clock) {
        this.ttlMs = ttlMs;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The key of a user name and password. */
    public static String key(String username, byte[] password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.valueOf(username).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The principal remembered under {@code key}, or null (never seen, or expired). */
    public synchronized Principal get(String key) {
        Remembered e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (clock.millis() >= e.expiresAtMs()) {
            entries.remove(key);
            return null;
        }
        return e.principal();
    }

    /** Remembers a successful login (anonymous principals are not remembered). */
    public synchronized void put(String key, Principal principal) {
        if (!principal.isAnonymous()) {
            entries.put(key, new Remembered(principal, clock.millis() + ttlMs));
        }
    }
}
