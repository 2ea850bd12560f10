package io.ratatoskr.server.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A server TLS context made from PEM files that follows changes to them: {@link #reloadIfChanged}
 * (called every {@code tls.reload-interval} on the housekeeping thread) rereads the files and, when
 * their content changed and still makes a valid context, swaps it in. New connections get the new
 * context; open connections keep the one they were made with. A change that does not load (a
 * half-written file, a key that does not match the certificate) keeps the old context, logs an error
 * once and counts {@code ratatoskr.tls.reloads{result=failure}}; the next change is tried again.
 *
 * <p>The policy (see docs/security.md): the JDK's TLS provider, TLS 1.3 and 1.2 only, and only AEAD
 * suites with forward secrecy — {@link #CIPHER_SUITES}.
 *
 * <p>Thread-safety: {@link #get} is lock-free (a volatile read); {@link #reloadIfChanged} is
 * synchronized.
 */
public final class ReloadingSslContext implements Supplier<SslContext> {
    private static final Logger log = LoggerFactory.getLogger(ReloadingSslContext.class);

    /** The protocols offered; TLS 1.1 and older are refused in the handshake. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The suites offered, strongest first: TLS 1.3's three, then ECDHE with AES-GCM or ChaCha20-Poly1305. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final String listener;
    private final TlsFiles files;
    private final Counter reloaded;
    private final Counter failed;
    private volatile SslContext current;
    private byte[] loadedDigest;
    private byte[] failedDigest;

    /**
     * Loads the files now.
     *
     * @param listener the listener(s) it serves, for logs and the metric tag ({@code mqtt}, {@code http})
     * @throws IllegalArgumentException if the files do not make a valid context
     */
    public ReloadingSslContext(String listener, TlsFiles files, MeterRegistry registry) {
        this.listener = listener;
        this.files = Objects.requireNonNull(files, "files");
        this.reloaded = Counter.builder("ratatoskr.tls.reloads").description("TLS certificate reloads, by result")
                .tag("listener", listener).tag("result", "success").register(registry);
        this.failed = Counter.builder("ratatoskr.tls.reloads").description("TLS certificate reloads, by result")
                .tag("listener", listener).tag("result", "failure").register(registry);
        try {
            byte[] digest = digest();
            current = build(files);
            loadedDigest = digest;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load the " + listener + " TLS certificate " + files.cert()
                    + " and key " + files.key() + ": " + e.getMessage(), e);
        }
    }

    /** The context for a new connection. */
    @Override
    public SslContext get() {
        return current;
    }

    /**
     * Swaps in a new context if the files' content changed since the last load and loads cleanly.
     *
     * @return whether a new context was swapped in
     */
    public synchronized boolean reloadIfChanged() {
        byte[] digest;
        try {
            digest = digest();
        } catch (IOException e) {
            // Mid-replacement (file briefly missing): try again at the next tick.
            log.debug("{} TLS files not readable now: {}", listener, e.toString());
            return false;
        }
        if (Arrays.equals(digest, loadedDigest) || Arrays.equals(digest, failedDigest)) {
            return false;
        }
        try {
            current = build(files);
            loadedDigest = digest;
            failedDigest = null;
            reloaded.increment();
            log.atInfo().addKeyValue("listener", listener).addKeyValue("cert", files.cert())
                    .log("{} TLS certificate reloaded from {}; new connections use it", listener, files.cert());
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            failedDigest = digest;
            failed.increment();
            log.atError().addKeyValue("listener", listener).addKeyValue("cert", files.cert())
                    .log("{} TLS certificate {} changed but does not load; keeping the previous one: {}",
                            listener, files.cert(), e.getMessage());
            return false;
        }
    }

    /** The files it loads. */
    public TlsFiles files() {
        return files;
    }

    private byte[] digest() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        sha.update(Files.readAllBytes(files.cert()));
        sha.update(Files.readAllBytes(files.key()));
        if (files.clientCa() != null) {
            sha.update(Files.readAllBytes(files.clientCa()));
        }
        return sha.digest();
    }

    /** A server context from {@code files} under the policy of this class. */
    static SslContext build(TlsFiles files) throws IOException, GeneralSecurityException {
        byte[] certBytes = Files.readAllBytes(files.cert());
        byte[] keyBytes = Files.readAllBytes(files.key());
        List<X509Certificate> chain = Pem.certificates(certBytes);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + files.cert());
        }
        PrivateKey key = Pem.privateKey(keyBytes);
        checkKeyMatches(chain.getFirst(), key);
        SslContextBuilder b = SslContextBuilder.forServer(key, chain)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(switch (files.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRED -> ClientAuth.REQUIRE;
                });
        if (files.clientCa() != null) {
            b.trustManager(Pem.certificates(Files.readAllBytes(files.clientCa())).toArray(X509Certificate[]::new));
        }
        return b.build();
    }

    /** A certificate swapped before its key (or the reverse) must not become the served pair. */
    private static void checkKeyMatches(X509Certificate leaf, PrivateKey key) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] challenge = "ratatoskr-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(challenge);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the private key does not match the certificate "
                    + leaf.getSubjectX500Principal());
        }
    }

    /** Reads PEM certificates and PKCS#8 private keys with the JDK alone. Stateless. */
    static final class Pem {
        private Pem() {}

        static List<X509Certificate> certificates(byte[] pem) throws GeneralSecurityException {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return factory.generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(c -> (X509Certificate) c).toList();
        }

        static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
            String text = new String(pem, java.nio.charset.StandardCharsets.US_ASCII);
            String begin = "-----BEGIN PRIVATE KEY-----";
            int start = text.indexOf(begin);
            int end = text.indexOf("-----END PRIVATE KEY-----");
            if (start < 0 || end < start) {
                throw new GeneralSecurityException("the key file holds no PKCS#8 \"BEGIN PRIVATE KEY\" block "
                        + "(convert with: openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem)");
            }
            byte[] der = java.util.Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
            java.security.spec.PKCS8EncodedKeySpec spec = new java.security.spec.PKCS8EncodedKeySpec(der);
            for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
                try {
                    return java.security.KeyFactory.getInstance(algorithm).generatePrivate(spec);
                } catch (java.security.spec.InvalidKeySpecException e) {
                    // try the next algorithm
                }
            }
            throw new GeneralSecurityException("unsupported private key type (EC, RSA and Ed25519 are supported)");
        }
    }
}
