package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWT bearer tokens: HS256 with a secret file, RS256 and ES256 with a JWKS file; exp, nbf, iss, claims. */
class JwtAuthenticationTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    @TempDir
    Path dir;
    private KeyPair rsa;
    private KeyPair ec;
    private AuthConfig config;

    @BeforeEach
    void keys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
        JWKSet jwks = new JWKSet(List.of(
                new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("rsa-1").build(),
                new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("ec-1").build()));
        Path jwksFile = Files.writeString(dir.resolve("jwks.json"), jwks.toString(true));
        Path secretFile = Files.write(dir.resolve("hs256.secret"), SECRET);
        config = AuthConfig.DEFAULTS.withAnonymous(false).withJwt(secretFile, jwksFile, "https://issuer.test", null);
    }

    static String token(JWSAlgorithm alg, String kid, JWSSigner signer, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static JWTClaimsSet.Builder claims(Instant now) {
        return new JWTClaimsSet.Builder().subject("bob").issuer("https://issuer.test")
                .expirationTime(Date.from(now.plusSeconds(300))).claim("groups", List.of("ops", "dev"));
    }

    @Test
    void validHs256AndRs256TokensOverMqttConnectAndWrongOnesAreRefused() throws Exception {
        RatatoskrServer server = AuthFixture.start(dir, config, false);
        try {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            Instant now = Instant.now();
            String good = token(JWSAlgorithm.HS256, null, new MACSigner(SECRET), claims(now).build());
            MqttClient ok = new MqttClient(uri, "jwt-ok", new MemoryPersistence());
            ok.connect(options("", good));
            assertThat(ok.isConnected()).isTrue();
            ok.disconnect();
            String rs = token(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa.getPrivate()), claims(now).build());
            MqttClient rsClient = new MqttClient(uri, "jwt-rs256", new MemoryPersistence());
            rsClient.connect(options("any-hint", rs));
            assertThat(rsClient.isConnected()).isTrue();
            rsClient.disconnect();

            String expired = token(JWSAlgorithm.HS256, null, new MACSigner(SECRET),
                    claims(now).expirationTime(Date.from(now.minusSeconds(120))).build());
            MqttClient late = new MqttClient(uri, "jwt-expired", new MemoryPersistence());
            assertThatThrownBy(() -> late.connect(options("bob", expired)))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
            String otherSecret = token(JWSAlgorithm.HS256, null,
                    new MACSigner("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8)),
                    claims(now).build());
            MqttClient forged = new MqttClient(uri, "jwt-forged", new MemoryPersistence());
            assertThatThrownBy(() -> forged.connect(options(null, otherSecret)))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
            assertThat(server.scrapeMetrics())
                    .contains("ratatoskr_auth_failures_total{protocol=\"mqtt\",reason=\"bad_token\"} 2.0");
        } finally {
            server.close();
        }
    }

    private static MqttConnectionOptions options(String user, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.US_ASCII));
        o.setConnectionTimeout(5);
        return o;
    }

    @Test
    void rs256AndEs256TokensFromTheJwksGiveUserAndGroups() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
        try (CredentialsAuthenticator auth = new CredentialsAuthenticator(config, new SimpleMeterRegistry(), clock)) {
            Instant now = clock.instant();
            String rs = token(JWSAlgorithm.RS256, "rsa-1", new RSASSASigner(rsa.getPrivate()), claims(now).build());
            String es = token(JWSAlgorithm.ES256, "ec-1", new ECDSASigner((ECPrivateKey) ec.getPrivate()),
                    claims(now).claim("groups", "ops dev").build());
            for (String t : List.of(rs, es)) {
                AuthResult r = auth.authenticate(creds(null, t)).get();
                assertThat(r).isInstanceOfSatisfying(AuthResult.Accepted.class, a -> {
                    assertThat(a.principal().username()).isEqualTo("bob");
                    assertThat(a.principal().groups()).containsExactlyInAnyOrder("ops", "dev");
                    assertThat(a.principal().method()).isEqualTo("jwt");
                });
            }
        }
    }

    @Test
    void expiryNotBeforeAndIssuerAreCheckedWithTheClockSkew() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
        try (CredentialsAuthenticator auth = new CredentialsAuthenticator(config, new SimpleMeterRegistry(), clock)) {
            Instant now = clock.instant();
            RSASSASigner signer = new RSASSASigner(rsa.getPrivate());
            String notYet = token(JWSAlgorithm.RS256, "rsa-1", signer,
                    claims(now).notBeforeTime(Date.from(now.plusSeconds(120))).build());
            String withinSkew = token(JWSAlgorithm.RS256, "rsa-1", signer,
                    claims(now).expirationTime(Date.from(now.minusSeconds(10))).build());
            String wrongIssuer = token(JWSAlgorithm.RS256, "rsa-1", signer, claims(now).issuer("evil").build());
            String unknownKid = token(JWSAlgorithm.RS256, "rsa-2", signer, claims(now).build());
            assertThat(auth.authenticate(creds("bob", notYet)).get()).isInstanceOf(AuthResult.Refused.class);
            assertThat(auth.authenticate(creds("bob", withinSkew)).get()).isInstanceOf(AuthResult.Accepted.class);
            assertThat(auth.authenticate(creds("bob", wrongIssuer)).get()).isInstanceOf(AuthResult.Refused.class);
            assertThat(auth.authenticate(creds("bob", unknownKid)).get()).isInstanceOf(AuthResult.Refused.class);
            clock.advance(java.time.Duration.ofMinutes(3));
            assertThat(auth.authenticate(creds("bob", notYet)).get()).isInstanceOf(AuthResult.Accepted.class);
            clock.advance(java.time.Duration.ofMinutes(10));
            assertThat(auth.authenticate(creds("bob", notYet)).get())
                    .isEqualTo(new AuthResult.Refused(AuthResult.Reason.BAD_CREDENTIALS, "bad user name or password"));
        }
    }

    @Test
    void aTokenWithoutExpiryIsRefusedUnlessConfiguredOtherwise() throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet forever = new JWTClaimsSet.Builder().subject("bob").issuer("https://issuer.test").build();
        String hs = token(JWSAlgorithm.HS256, null, new MACSigner(SECRET), forever);
        String es = token(JWSAlgorithm.ES256, "ec-1", new ECDSASigner((ECPrivateKey) ec.getPrivate()), forever);
        RatatoskrServer server = AuthFixture.start(dir, config, false);
        try {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            for (String t : List.of(hs, es)) {
                MqttClient c = new MqttClient(uri, "jwt-forever", new MemoryPersistence());
                assertThatThrownBy(() -> c.connect(options("bob", t))).isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).as("0x86 bad user name or password").isEqualTo(0x86));
            }
            assertThat(server.scrapeMetrics())
                    .contains("ratatoskr_auth_failures_total{protocol=\"mqtt\",reason=\"bad_token\"} 2.0");
            String good = token(JWSAlgorithm.HS256, null, new MACSigner(SECRET), claims(now).build());
            MqttClient ok = new MqttClient(uri, "jwt-expiring", new MemoryPersistence());
            ok.connect(options("bob", good));
            assertThat(ok.isConnected()).isTrue();
            ok.disconnect();
        } finally {
            server.close();
        }
        try (CredentialsAuthenticator lenient = new CredentialsAuthenticator(config.withJwtRequireExpiry(false),
                new SimpleMeterRegistry(), java.time.Clock.systemUTC())) {
            for (String t : List.of(hs, es)) {
                assertThat(lenient.authenticate(creds(null, t)).get()).as("auth.jwt.require-expiry: false")
                        .isInstanceOfSatisfying(AuthResult.Accepted.class,
                                a -> assertThat(a.principal().username()).isEqualTo("bob"));
            }
        }
    }

    @Test
    void unsignedTokensAreRefused() throws Exception {
        try (CredentialsAuthenticator auth = new CredentialsAuthenticator(config, new SimpleMeterRegistry(),
                java.time.Clock.systemUTC())) {
            String header = java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
            String body = java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("{\"sub\":\"root\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(auth.authenticate(creds(null, header + "." + body + ".x")).get())
                    .isInstanceOf(AuthResult.Refused.class);
        }
    }

    static Credentials creds(String user, String password) {
        return new Credentials("mqtt", "c", user, password.getBytes(StandardCharsets.US_ASCII), List.of(),
                new InetSocketAddress("127.0.0.1", 1234));
    }
}
