package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.security.AuthResult;
import io.ratatoskr.core.security.Credentials;
import io.ratatoskr.testkit.ManualClock;
import io.ratatoskr.testkit.Seeds;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A password guesser learns nothing from timing and cannot escape the failed-login limit by changing address. */
class LoginHardeningTest {
    @TempDir
    Path dir;

    @Test
    void anUnknownUserCostsAsManyPbkdf2IterationsAsAStoredPassword() throws Exception {
        Path file = AuthFixture.passwordFile(dir, AuthFixture.user("alice", "secret",
                Seeds.random("LoginHardeningTest", 1)));
        AuthConfig config = AuthConfig.DEFAULTS.withAnonymous(false).withPasswordFile(file, 4_321);
        try (CredentialsAuthenticator auth = new CredentialsAuthenticator(config, new SimpleMeterRegistry(),
                java.time.Clock.systemUTC())) {
            assertThat(auth.unknownUserIterations()).isEqualTo(4_321);
            AuthResult r = auth.authenticate(new Credentials("mqtt", "c", "nobody",
                    "x".getBytes(StandardCharsets.UTF_8), List.of(), null)).get();
            assertThat(r).isInstanceOf(AuthResult.Refused.class);
        }
    }

    @Test
    void addressesOfOneIpv6Slash64ShareOneFailedLoginBudget() throws Exception {
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        LoginRateLimiter limiter = new LoginRateLimiter(5, clock);
        for (int i = 1; i <= 5; i++) {
            limiter.failed(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2::" + Integer.toHexString(i)), 1883));
        }
        assertThat(limiter.limited(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2:ffff::9"), 1883)))
                .as("another address of the same /64").isTrue();
        assertThat(limiter.limited(new InetSocketAddress(InetAddress.getByName("2001:db8:1:3::1"), 1883)))
                .as("another /64").isFalse();
        assertThat(limiter.tracked()).isEqualTo(1);
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 1883);
        assertThat(limiter.limited(v4)).isFalse();
    }
}
