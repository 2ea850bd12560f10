package io.ratatoskr.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Client-side TLS for tests: trust a CA file, optionally present a client certificate. Stateless. */
final class TestTls {
    private TestTls() {}

    static SSLContext trusting(Path caPem) throws Exception {
        return context(caPem, null, null);
    }

    static SSLContext context(Path caPem, Path clientCert, Path clientKey) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate c : ReloadingSslContext.Pem.certificates(Files.readAllBytes(caPem))) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientCert != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            PrivateKey key = ReloadingSslContext.Pem.privateKey(Files.readAllBytes(clientKey));
            List<X509Certificate> chain = ReloadingSslContext.Pem.certificates(Files.readAllBytes(clientCert));
            keys.setKeyEntry("client", key, new char[0], chain.toArray(Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static X509Certificate certificate(Path pem) throws IOException, GeneralSecurityException {
        return ReloadingSslContext.Pem.certificates(Files.readAllBytes(pem)).getFirst();
    }

    static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
