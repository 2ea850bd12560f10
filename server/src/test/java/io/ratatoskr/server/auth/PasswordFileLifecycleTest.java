package io.ratatoskr.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.cli.UserCommand;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ratatoskr user add/remove/list} edit the file a running broker re-reads. */
class PasswordFileLifecycleTest {
    @TempDir
    Path dir;

    private static String run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new UserCommand(new ByteArrayInputStream(
                stdin.getBytes(StandardCharsets.UTF_8))));
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true));
        int code = cli.execute(args);
        assertThat(code).as("exit code of user %s: %s", String.join(" ", args), out).isZero();
        return out.toString();
    }

    private boolean connects(String uri, String user, String password) throws MqttException {
        MqttClient c = new MqttClient(uri, "lifecycle-" + user, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(5);
        try {
            c.connect(o);
            c.disconnect();
            return true;
        } catch (MqttException e) {
            assertThat(e.getReasonCode()).isEqualTo(0x86);
            return false;
        } finally {
            c.close();
        }
    }

    @Test
    void addedUserLogsInAndRemovedUserIsRefusedAfterTheReload() throws Exception {
        Path file = dir.resolve("passwords");
        String it = Integer.toString(AuthFixture.TEST_ITERATIONS);
        assertThat(run("pw-carol\n", "add", "carol", "--file", file.toString(), "--groups", "ops,dev",
                "--password-stdin", "--iterations", it)).contains("added user carol");
        run("pw-dave\n", "add", "dave", "--file", file.toString(), "--password-stdin", "--iterations", it);
        assertThat(run("", "list", "--file", file.toString())).contains("carol  groups=ops,dev").contains("dave");
        assertThat(Files.readString(file)).startsWith(PasswordFile.HEADER).doesNotContain("pw-carol");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        RatatoskrServer server = AuthFixture.start(dir, AuthConfig.DEFAULTS.withAnonymous(false)
                .withPasswordFile(file, AuthFixture.TEST_ITERATIONS), false);
        try {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            assertThat(connects(uri, "carol", "pw-carol")).isTrue();
            assertThat(connects(uri, "dave", "pw-dave")).isTrue();

            assertThat(run("", "remove", "dave", "--file", file.toString())).contains("removed user dave");
            await().atMost(Duration.ofSeconds(10)).until(() -> !connects(uri, "dave", "pw-dave"));

            // A broken file keeps the last good users, and says so in a metric.
            Files.writeString(file, "carol:broken\n");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.scrapeMetrics())
                    .contains("ratatoskr_auth_reload_failures_total{file=\"password\"} 1.0"));
            assertThat(connects(uri, "carol", "pw-carol")).isTrue();
        } finally {
            server.close();
        }
    }

    @Test
    void parsingRefusesMalformedLinesWithoutEchoingThem() {
        assertThatThrownBy(() -> PasswordFile.parse("# comment\nerin:ops:plaintext-password\n"))
                .hasMessageStartingWith("line 2:").hasMessageNotContaining("plaintext-password");
        assertThatThrownBy(() -> PasswordFile.parse("# ratatoskr-passwords v2\n"))
                .hasMessageContaining("version 2");
        assertThat(PasswordFile.parse("\n# only comments\n").entries()).isEmpty();
    }

    @Test
    void defaultIterationHashVerifiesAndTakesMeasurableTime() {
        char[] password = "correct horse".toCharArray();
        PasswordHash hash = PasswordHash.create(password, PasswordHash.DEFAULT_ITERATIONS, new java.util.Random(1));
        PasswordHash parsed = PasswordHash.parse(hash.format());
        long start = System.nanoTime();
        assertThat(parsed.matches(password)).isTrue();
        long micros = (System.nanoTime() - start) / 1000;
        System.out.println("PBKDF2-HMAC-SHA256, " + PasswordHash.DEFAULT_ITERATIONS + " iterations: " + micros + " us");
        assertThat(parsed.matches("correct horsE".toCharArray())).isFalse();
    }
}
