package io.ratatoskr.server.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server side of SCRAM-SHA-256 (RFC 5802 with the SHA-256 of RFC 7677), without channel binding,
 * over the password file's entries.
 *
 * <p><b>Why the password file serves it unchanged.</b> SCRAM's {@code SaltedPassword} is
 * {@code Hi(password, salt, i)}, and {@code Hi} is PBKDF2 with HMAC-SHA-256 whose output is one 32-byte
 * block (RFC 5802 §2.2; RFC 8018 §5.2 with dkLen = hLen). A {@code pbkdf2-sha256} entry ({@link PasswordHash})
 * is exactly that: PBKDF2WithHmacSHA256 of the password's UTF-8 bytes with the entry's salt and iteration
 * count, 32 bytes long. So {@code StoredKey = SHA-256(HMAC(hash, "Client Key"))} and
 * {@code ServerKey = HMAC(hash, "Server Key")} come from the stored hash, and the entry's salt and iteration
 * count are what the server-first-message sends. The consequence: for SCRAM the stored hash is
 * password-equivalent (whoever holds the file can compute a valid proof without knowing the password),
 * which is why SCRAM is off unless {@code auth.scram-sha-256} turns it on.
 *
 * <p>Differences from the RFCs, deliberate: no SASLprep (user names and passwords are compared as the
 * password file stores them, as UTF-8; SASLprep leaves printable ASCII unchanged, so ASCII credentials
 * work with any client); an authorization identity ({@code a=}) must equal the user name; channel
 * binding ({@code p=}) and mandatory extensions ({@code m=}) are refused.
 *
 * <p>An unknown user gets a fake salt and keys derived from a per-process secret (the same each time for
 * the same name) and the configured iteration count, and fails at the proof like a wrong password: the
 * exchange looks the same whether the user exists or not.
 *
 * <p>Thread-safety: {@link #keys} is thread-safe; an {@link Exchange} is confined to one exchange whose
 * steps the caller runs one after another.
 */
final class ScramSha256 {
    static final String METHOD = "SCRAM-SHA-256";
    /** Longest client message accepted (a user name of 256 characters and a generous nonce fit easily). */
    static final int MAX_MESSAGE_BYTES = 2_048;
    private static final int KEY_BYTES = 32;

    /**
     * What the server stores for a user, as RFC 5802 §3 names it.
     *
     * @param username the user's name in the password file; null for the fake keys of an unknown user
     */
    record ServerKeys(String username, int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        /** The keys of a {@code pbkdf2-sha256} entry, whose hash is SCRAM's SaltedPassword. */
        static ServerKeys of(String username, PasswordHash hash) {
            byte[] salted = hash.hash();
            if (salted.length != KEY_BYTES) {
                throw new IllegalArgumentException("a PBKDF2-HMAC-SHA256 hash of 32 bytes is needed");
            }
            return new ServerKeys(username, hash.iterations(), hash.salt(), sha256(hmac(salted, "Client Key")),
                    hmac(salted, "Server Key"));
        }
    }

    /** How one step ends. */
    sealed interface Step {
        /** Send this server-first-message and wait for the client-final-message. */
        record Challenge(String serverFirst) implements Step {}

        /** The proof checked out: {@code serverFinal} carries the server's signature. */
        record Verified(String username, String serverFinal) implements Step {}

        /** Refused; {@code detail} is for the log (never a secret). */
        record Failed(Failure failure, String detail) implements Step {}
    }

    enum Failure { MALFORMED, UNKNOWN_USER, BAD_PROOF }

    private final byte[] fakeSecret;
    private final int fakeIterations;

    /**
     * @param fakeSecret     random bytes (from {@code SecureRandom}) the fake keys of unknown users are
     *                       derived from; kept for the life of the process
     * @param fakeIterations the iteration count unknown users are told (the configured one)
     */
    ScramSha256(byte[] fakeSecret, int fakeIterations) {
        this.fakeSecret = fakeSecret.clone();
        this.fakeIterations = fakeIterations;
    }

    /** Stable fake keys for a name not in the password file (the same name gets the same salt each time). */
    ServerKeys fakeKeys(String username) {
        byte[] seed = hmac(fakeSecret, "ratatoskr-scram-fake:" + username);
        byte[] salt = java.util.Arrays.copyOf(hmac(seed, "salt"), PasswordHash.SALT_BYTES);
        return new ServerKeys(null, fakeIterations, salt, hmac(seed, "stored"), hmac(seed, "server"));
    }

    /**
     * One exchange: {@link #first} with the client-first-message, then {@link #last} with the
     * client-final-message.
     *
     * @param users  the keys of a user name, or null for an unknown one
     * @param nonces the server's nonce part: printable ASCII without {@code ,} (random base64 in production)
     */
    Exchange exchange(Function<String, ServerKeys> users, Supplier<String> nonces) {
        return new Exchange(users, nonces);
    }

    final class Exchange {
        private final Function<String, ServerKeys> users;
        private final Supplier<String> nonces;
        private String gs2Header;
        private String clientFirstBare;
        private String serverFirst;
        private String nonce;
        private String username;
        private ServerKeys keys;
        private boolean done;

        private Exchange(Function<String, ServerKeys> users, Supplier<String> nonces) {
            this.users = users;
            this.nonces = nonces;
        }

        /** RFC 5802 §7 {@code client-first-message}: {@code gs2-header client-first-message-bare}. */
        Step first(byte[] message) {
            if (serverFirst != null || done) {
                return fail(Failure.MALFORMED, "client-first-message sent twice");
            }
            String text = utf8(message);
            if (text == null) {
                return fail(Failure.MALFORMED, "client-first-message missing, too long or not UTF-8");
            }
            // gs2-header = gs2-cbind-flag "," [authzid] ","
            int comma1 = text.indexOf(',');
            int comma2 = comma1 < 0 ? -1 : text.indexOf(',', comma1 + 1);
            if (comma2 < 0) {
                return fail(Failure.MALFORMED, "no GS2 header");
            }
            String flag = text.substring(0, comma1);
            if (flag.startsWith("p=")) {
                return fail(Failure.MALFORMED, "channel binding is not supported");
            }
            if (!flag.equals("n") && !flag.equals("y")) {
                return fail(Failure.MALFORMED, "bad channel binding flag");
            }
            String authzid = text.substring(comma1 + 1, comma2);
            gs2Header = text.substring(0, comma2 + 1);
            clientFirstBare = text.substring(comma2 + 1);
            String[] attrs = clientFirstBare.split(",", -1);
            if (attrs.length < 2 || attrs[0].startsWith("m=")) {
                return fail(Failure.MALFORMED, "mandatory extension or missing attributes");
            }
            if (!attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
                return fail(Failure.MALFORMED, "user name and nonce expected");
            }
            for (int i = 2; i < attrs.length; i++) {
                if (!extension(attrs[i])) { // optional extensions are ignored, but must be attr=value
                    return fail(Failure.MALFORMED, "malformed extension");
                }
            }
            username = saslName(attrs[0].substring(2));
            String clientNonce = attrs[1].substring(2);
            if (username == null || username.isEmpty() || !printable(clientNonce)) {
                return fail(Failure.MALFORMED, "bad user name or nonce");
            }
            if (!authzid.isEmpty() && !(authzid.startsWith("a=") && username.equals(saslName(authzid.substring(2))))) {
                return fail(Failure.MALFORMED, "an authorization identity other than the user name");
            }
            ServerKeys found = users.apply(username);
            keys = found != null ? found : fakeKeys(username);
            String serverNonce = nonces.get();
            if (!printable(serverNonce)) {
                throw new IllegalStateException("server nonce must be printable ASCII without ','");
            }
            nonce = clientNonce + serverNonce;
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(keys.salt()) + ",i="
                    + keys.iterations();
            return new Step.Challenge(serverFirst);
        }

        /** RFC 5802 §7 {@code client-final-message}: channel binding, nonce, proof; checks the proof. */
        Step last(byte[] message) {
            if (serverFirst == null || done) {
                return fail(Failure.MALFORMED, "client-final-message out of turn");
            }
            done = true;
            String text = utf8(message);
            if (text == null) {
                return fail(Failure.MALFORMED, "client-final-message missing, too long or not UTF-8");
            }
            int proofAt = text.lastIndexOf(",p=");
            if (proofAt < 0) {
                return fail(Failure.MALFORMED, "no proof");
            }
            String withoutProof = text.substring(0, proofAt);
            String[] attrs = withoutProof.split(",", -1);
            String binding = "c=" + Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
            if (attrs.length < 2 || !attrs[0].equals(binding)) {
                return fail(Failure.MALFORMED, "channel binding does not repeat the GS2 header");
            }
            if (!attrs[1].equals("r=" + nonce)) {
                return fail(Failure.MALFORMED, "nonce does not match");
            }
            byte[] proof;
            try {
                proof = Base64.getDecoder().decode(text.substring(proofAt + 3));
            } catch (IllegalArgumentException e) {
                return fail(Failure.MALFORMED, "proof is not base64");
            }
            if (proof.length != KEY_BYTES) {
                return fail(Failure.MALFORMED, "proof is not 32 bytes");
            }
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); valid when H(ClientKey) == StoredKey.
            byte[] clientKey = hmac(keys.storedKey(), authMessage);
            for (int i = 0; i < KEY_BYTES; i++) {
                clientKey[i] ^= proof[i];
            }
            boolean valid = MessageDigest.isEqual(sha256(clientKey), keys.storedKey());
            if (keys.username() == null) {
                return fail(Failure.UNKNOWN_USER, "unknown user");
            }
            if (!valid) {
                return fail(Failure.BAD_PROOF, "wrong password");
            }
            String signature = Base64.getEncoder().encodeToString(hmac(keys.serverKey(), authMessage));
            return new Step.Verified(keys.username(), "v=" + signature);
        }

        /** The user name the client named (null before a valid client-first-message). */
        String username() {
            return username;
        }

        private Step fail(Failure failure, String detail) {
            done = true;
            return new Step.Failed(failure, detail);
        }
    }

    /** RFC 5802 §5.1 {@code saslname}: {@code =2C} is {@code ,} and {@code =3D} is {@code =}; null if malformed. */
    static String saslName(String s) {
        if (s.indexOf('=') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '=') {
                b.append(c);
            } else if (s.startsWith("=2C", i)) {
                b.append(',');
                i += 2;
            } else if (s.startsWith("=3D", i)) {
                b.append('=');
                i += 2;
            } else {
                return null;
            }
        }
        return b.toString();
    }

    /** RFC 5802 {@code attr-val}: one letter, {@code =}, a value. */
    private static boolean extension(String attr) {
        return attr.length() >= 2 && attr.charAt(1) == '='
                && ((attr.charAt(0) >= 'a' && attr.charAt(0) <= 'z') || (attr.charAt(0) >= 'A' && attr.charAt(0) <= 'Z'));
    }

    /** RFC 5802 {@code printable}: %x21-2B / %x2D-7E, at least one character. */
    private static boolean printable(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                return false;
            }
        }
        return true;
    }

    private static String utf8(byte[] message) {
        if (message == null || message.length == 0 || message.length > MAX_MESSAGE_BYTES) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(message)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static byte[] hmac(byte[] key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Objects.requireNonNull(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
