package io.ratatoskr.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** acl.file wired into the server: enforced on MQTT, reloaded on change by the housekeeping thread. */
class AclServerTest {
    @TempDir
    Path dir;

    private ServerConfig config(Path acl) {
        return ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0)).withGrpc(null)
                .withHttp(null).withAcl(AclConfig.DEFAULTS.withFile(acl).withReloadIntervalMs(100));
    }

    private static void write(Path file, String text, long epochSecond) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(epochSecond)));
    }

    @Test
    void aChangedAclFileIsReloadedAndAnInvalidOneKeepsTheRulesInForce() throws Exception {
        Path acl = dir.resolve("acl.conf");
        write(acl, "ratatoskr-acl 1\nall\nallow subscribe open/#\n", 1_000);
        try (RatatoskrServer server = RatatoskrServer.start(config(acl))) {
            MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "acl-client", new MemoryPersistence());
            c.connect(new MqttConnectOptions());
            assertThat(c.subscribeWithResponse("open/a", 1).getGrantedQos()[0]).isEqualTo(1);
            assertThat(c.subscribeWithResponse("closed/a", 1).getGrantedQos()[0]).isEqualTo(0x80);

            write(acl, "ratatoskr-acl 1\nall\nallow subscribe open/#\nallow subscribe closed/#\n", 2_000);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> c.subscribeWithResponse("closed/a", 1).getGrantedQos()[0] == 1);

            write(acl, "ratatoskr-acl 1\nall\nallow subscrbe #\n", 3_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.meterRegistry().find("ratatoskr.acl.reloads")
                    .tag("result", "failed").counter().count() == 1);
            assertThat(c.subscribeWithResponse("closed/b", 1).getGrantedQos()[0]).as("old rules in force")
                    .isEqualTo(1);
            c.disconnect();
            c.close();
        }
    }

    @Test
    void anInvalidAclFileStopsTheStart() throws Exception {
        Path acl = dir.resolve("bad.conf");
        write(acl, "ratatoskr-acl 1\nallow both #\n", 1_000);
        assertThatThrownBy(() -> RatatoskrServer.start(config(acl)).close())
                .hasMessageContaining("invalid ACL file").hasMessageContaining("line 2");
    }
}
