package io.ratatoskr.grpc;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server's TLS context, swappable while the server runs: grpc-java takes one
 * {@link SslContext} when the server is built and asks it for an engine per connection, so this one
 * hands each new connection an engine of the context loaded last. {@link #reloadIfChanged} rereads
 * the PEM files (the client CA bundle too) and swaps in a new context when their content changed and loads; otherwise the
 * previous one stays (logged, counted in {@code ratatoskr.tls.reloads{listener="grpc"}}).
 *
 * <p>Thread-safety: engines come from a volatile read; {@link #reloadIfChanged} is synchronized.
 */
final class ReloadingGrpcSslContext extends SslContext {
    private static final Logger log = LoggerFactory.getLogger(ReloadingGrpcSslContext.class);

    private final GrpcTls tls;
    private final Counter reloaded;
    private final Counter failed;
    private volatile SslContext current;
    private byte[] loadedDigest;
    private byte[] failedDigest;

    ReloadingGrpcSslContext(GrpcTls tls, MeterRegistry registry) {
        this.tls = tls;
        this.reloaded = Counter.builder("ratatoskr.tls.reloads").description("TLS certificate reloads, by result")
                .tag("listener", "grpc").tag("result", "success").register(registry);
        this.failed = Counter.builder("ratatoskr.tls.reloads").description("TLS certificate reloads, by result")
                .tag("listener", "grpc").tag("result", "failure").register(registry);
        try {
            loadedDigest = digest();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the gRPC TLS files " + tls.certChainPem() + " and "
                    + tls.privateKeyPem() + ": " + e.getMessage(), e);
        }
        current = build(tls);
    }

    /**
     * TLS 1.3 and 1.2 only, ALPN h2, the HTTP/2-safe cipher suites grpc-java configures; client
     * certificates as {@link GrpcTls#clientAuth()} says.
     */
    static SslContext build(GrpcTls tls) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(tls.certChainPem().toFile(), tls.privateKeyPem().toFile())
                    .protocols("TLSv1.3", "TLSv1.2");
            if (tls.clientAuth() != GrpcTls.ClientAuth.NONE) {
                // Client certificates must chain to grpc.tls.client-ca; the verified chain reaches the
                // authenticator through the call's SSL session (GrpcAuthInterceptor).
                b.trustManager(tls.clientCa().toFile()).clientAuth(tls.clientAuth() == GrpcTls.ClientAuth.REQUIRED
                        ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            return GrpcSslContexts.configure(b).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load the gRPC TLS certificate " + tls.certChainPem()
                    + " and key " + tls.privateKeyPem() + ": " + e.getMessage(), e);
        }
    }

    /** Swaps in a new context if the files changed and load; @return whether it did */
    synchronized boolean reloadIfChanged() {
        byte[] digest;
        try {
            digest = digest();
        } catch (IOException e) {
            log.debug("gRPC TLS files not readable now: {}", e.toString());
            return false;
        }
        if (Arrays.equals(digest, loadedDigest) || Arrays.equals(digest, failedDigest)) {
            return false;
        }
        try {
            // With OpenSSL (grpc-netty-shaded's default) a key that does not match the certificate fails here.
            current = build(tls);
            loadedDigest = digest;
            failedDigest = null;
            reloaded.increment();
            log.atInfo().addKeyValue("listener", "grpc").addKeyValue("cert", tls.certChainPem())
                    .log("grpc TLS certificate reloaded from {}; new connections use it", tls.certChainPem());
            return true;
        } catch (RuntimeException e) {
            failedDigest = digest;
            failed.increment();
            log.atError().addKeyValue("listener", "grpc").addKeyValue("cert", tls.certChainPem())
                    .log("grpc TLS certificate {} changed but does not load; keeping the previous one: {}",
                            tls.certChainPem(), e.getMessage());
            return false;
        }
    }

    private byte[] digest() throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(tls.certChainPem()));
            sha.update(Files.readAllBytes(tls.privateKeyPem()));
            if (tls.clientCa() != null) {
                sha.update(Files.readAllBytes(tls.clientCa()));
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public boolean isClient() {
        return false;
    }

    @Override
    public List<String> cipherSuites() {
        return current.cipherSuites();
    }

    @Override
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return current.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return current.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return current.newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return current.sessionContext();
    }
}
