package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.server.auth.ScramSha256.Failure;
import io.ratatoskr.server.auth.ScramSha256.Step;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server side of SCRAM-SHA-256 against RFC 7677's test vector and malformed messages. */
class ScramSha256Test {
    // RFC 7677 §3: user "user", password "pencil", salt, 4096 iterations, both nonces, and every message.
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    /** The password file entry `ratatoskr user add` would write for "pencil" with the RFC's salt and count. */
    private static final PasswordHash PENCIL = new PasswordHash(4096, SALT,
            PasswordHash.derive("pencil".toCharArray(), SALT, 4096));

    private final ScramSha256 scram = new ScramSha256(new byte[32], 5_000);

    private ScramSha256.Exchange exchange() {
        Map<String, ScramSha256.ServerKeys> users = Map.of("user", ScramSha256.ServerKeys.of("user", PENCIL));
        return scram.exchange(users::get, () -> SERVER_NONCE);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void passwordFileHashServesTheRfc7677ExchangeMessageForMessage() {
        ScramSha256.Exchange ex = exchange();
        assertThat(ex.first(b(CLIENT_FIRST))).isEqualTo(new Step.Challenge(SERVER_FIRST));
        assertThat(ex.last(b(CLIENT_FINAL))).isEqualTo(new Step.Verified("user", SERVER_FINAL));
    }

    @Test
    void testClientComputesTheRfc7677ProofAndAcceptsItsServerSignature() throws Exception {
        ScramClient client = new ScramClient("user", "pencil", CLIENT_NONCE);
        assertThat(new String(client.clientFirst(), StandardCharsets.UTF_8)).isEqualTo(CLIENT_FIRST);
        assertThat(new String(client.clientFinal(b(SERVER_FIRST)), StandardCharsets.UTF_8)).isEqualTo(CLIENT_FINAL);
        assertThat(client.serverFinalValid(b(SERVER_FINAL))).isTrue();
        assertThat(client.serverFinalValid(b("v=" + "A".repeat(43) + "="))).isFalse();
    }

    @Test
    void wrongPasswordFailsAtTheProof() throws Exception {
        ScramSha256.Exchange ex = exchange();
        ScramClient client = new ScramClient("user", "pencil!", CLIENT_NONCE);
        Step challenge = ex.first(client.clientFirst());
        byte[] last = client.clientFinal(b(((Step.Challenge) challenge).serverFirst()));
        assertThat(ex.last(last)).isInstanceOfSatisfying(Step.Failed.class,
                f -> assertThat(f.failure()).isEqualTo(Failure.BAD_PROOF));
    }

    @Test
    void unknownUserGetsAStableFakeSaltAndTheConfiguredCountAndFailsAtTheProofToo() throws Exception {
        String first1 = ((Step.Challenge) exchange().first(b("n,,n=nobody,r=abc"))).serverFirst();
        String first2 = ((Step.Challenge) exchange().first(b("n,,n=nobody,r=abc"))).serverFirst();
        String other = ((Step.Challenge) exchange().first(b("n,,n=somebody,r=abc"))).serverFirst();
        assertThat(first1).isEqualTo(first2).endsWith(",i=5000").isNotEqualTo(other);
        ScramSha256.Exchange ex = exchange();
        ScramClient client = new ScramClient("nobody", "pencil", "abc");
        Step challenge = ex.first(client.clientFirst());
        assertThat(ex.last(client.clientFinal(b(((Step.Challenge) challenge).serverFirst()))))
                .isInstanceOfSatisfying(Step.Failed.class, f -> assertThat(f.failure()).isEqualTo(Failure.UNKNOWN_USER));
    }

    @Test
    void malformedOrUnsupportedClientFirstMessagesAreRefused() {
        for (String bad : new String[] {"", "n,,", "n=user,r=abc", "p=tls-unique,,n=user,r=abc", "x,,n=user,r=abc",
                "n,,m=ext,n=user,r=abc", "n,,n=us=er,r=abc", "n,,n=,r=abc", "n,,n=user,r=", "n,,n=user,r=a,b",
                "n,,r=abc,n=user", "n,a=admin,n=user,r=abc", "n,,n=user,r=ab\u00e9"}) {
            assertThat(exchange().first(b(bad))).as(bad).isInstanceOfSatisfying(Step.Failed.class,
                    f -> assertThat(f.failure()).isEqualTo(Failure.MALFORMED));
        }
        assertThat(exchange().first(new byte[] {'n', ',', ',', 'n', '=', (byte) 0xC3, ',', 'r', '=', 'a'}))
                .isInstanceOf(Step.Failed.class);
        assertThat(exchange().first(new byte[ScramSha256.MAX_MESSAGE_BYTES + 1])).isInstanceOf(Step.Failed.class);
        assertThat(exchange().first(b("y,a=user,n=user,r=abc"))).isInstanceOf(Step.Challenge.class);
    }

    @Test
    void clientFinalMessageMustRepeatTheHeaderAndNonceAndComeOnce() {
        String proof = CLIENT_FINAL.substring(CLIENT_FINAL.indexOf(",p="));
        String nonce = "r=" + CLIENT_NONCE + SERVER_NONCE;
        for (String bad : new String[] {"c=eSws," + nonce + proof, "c=biws,r=" + CLIENT_NONCE + proof,
                "c=biws," + nonce, "c=biws," + nonce + ",p=!!", "c=biws," + nonce + ",p=AAAA", nonce + proof}) {
            ScramSha256.Exchange ex = exchange();
            ex.first(b(CLIENT_FIRST));
            assertThat(ex.last(b(bad))).as(bad).isInstanceOfSatisfying(Step.Failed.class,
                    f -> assertThat(f.failure()).isEqualTo(Failure.MALFORMED));
        }
        ScramSha256.Exchange ex = exchange();
        assertThat(ex.last(b(CLIENT_FINAL))).isInstanceOf(Step.Failed.class); // before client-first
        ScramSha256.Exchange twice = exchange();
        twice.first(b(CLIENT_FIRST));
        assertThat(twice.first(b(CLIENT_FIRST))).isInstanceOf(Step.Failed.class);
    }

    @Test
    void saslNamesDecodeCommaAndEqualsEscapesOnly() {
        assertThat(ScramSha256.saslName("a=2Cb=3Dc")).isEqualTo("a,b=c");
        assertThat(ScramSha256.saslName("plain")).isEqualTo("plain");
        assertThat(ScramSha256.saslName("a=2")).isNull();
        assertThat(ScramSha256.saslName("a=41")).isNull();
    }
}
