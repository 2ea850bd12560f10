package io.ratatoskr.server.auth;

import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;

/** Brokers and password files for the authentication tests: cheap hashes (1,000 iterations). */
final class AuthFixture {
    static final int TEST_ITERATIONS = 1_000;

    private AuthFixture() {}

    static PasswordFile.Entry user(String name, String password, SplittableRandom random, String... groups) {
        return new PasswordFile.Entry(name, Set.of(groups),
                PasswordHash.create(password.toCharArray(), TEST_ITERATIONS, random));
    }

    static Path passwordFile(Path dir, PasswordFile.Entry... entries) throws IOException {
        PasswordFile f = PasswordFile.empty();
        for (PasswordFile.Entry e : entries) {
            f = f.with(e);
        }
        Path file = dir.resolve("passwords");
        f.write(file);
        return file;
    }

    /** MQTT 5 connect options with the user name and password (none when {@code user} is null), 5 s timeout. */
    static org.eclipse.paho.mqttv5.client.MqttConnectionOptions v5Options(String user, String password) {
        var o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        o.setConnectionTimeout(5);
        return o;
    }

    static RatatoskrServer start(Path dir, AuthConfig auth, boolean grpc) throws InterruptedException {
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir.resolve("data"))
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(grpc ? GrpcConfig.DEFAULTS.withPort(0) : null).withHttp(null)
                .withAuth(auth.withReloadIntervalMs(100)));
    }
}
