package io.ratatoskr.server;

import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RatatoskrServerTest {

    private static ServerConfig config(Path dir) {
        return ServerConfig.DEFAULTS.withDataDir(dir).withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0));
    }

    @Test
    void startedServerCarriesMessagesBetweenClients(@TempDir Path dir) throws Exception {
        try (RatatoskrServer server = RatatoskrServer.start(config(dir))) {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            MqttClient sub = new MqttClient(uri, "sub", new MemoryPersistence());
            MqttClient pub = new MqttClient(uri, "pub", new MemoryPersistence());
            BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
            sub.setCallback(new MqttCallbackAdapter() {
                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    received.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
                }
            });
            sub.connect(new MqttConnectionOptions());
            sub.subscribe("greetings/#", 1);
            pub.connect(new MqttConnectionOptions());
            pub.publish("greetings/world", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("greetings/world hello");
            pub.disconnect();
            sub.disconnect();
            pub.close();
            sub.close();
        }
    }

    @Test
    void persistentSessionsAndRetainedMessagesSurviveAGracefulRestart(@TempDir Path dir) throws Exception {
        BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
        try (RatatoskrServer server = RatatoskrServer.start(config(dir))) {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            MqttClient sub = persistentClient(uri, "kept", received);
            sub.subscribe("news/#", 1);
            sub.disconnect();
            sub.close();
            MqttClient pub = new MqttClient(uri, "pub", new MemoryPersistence());
            pub.connect(new MqttConnectionOptions());
            pub.publish("news/queued", "while away".getBytes(StandardCharsets.UTF_8), 1, false);
            pub.publish("status", "up".getBytes(StandardCharsets.UTF_8), 1, true);
            pub.disconnect();
            pub.close();
        }
        try (RatatoskrServer server = RatatoskrServer.start(config(dir))) {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            MqttClient sub = persistentClient(uri, "kept", received);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("news/queued while away");
            sub.subscribe("status", 1);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("status up");
            sub.disconnect();
            sub.close();
        }
    }

    @Test
    void withoutSessionPersistenceARestartForgetsSessions(@TempDir Path dir) throws Exception {
        ServerConfig c = config(dir).withPersistence(config(dir).persistence().withSessions(false));
        BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
        try (RatatoskrServer server = RatatoskrServer.start(c)) {
            MqttClient sub = persistentClient("tcp://127.0.0.1:" + server.mqttPort(), "forgotten", received);
            sub.subscribe("news/#", 1);
            sub.disconnect();
            sub.close();
        }
        try (RatatoskrServer server = RatatoskrServer.start(c)) {
            MqttClient sub = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), "forgotten",
                    new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(3600L);
            assertThat(sub.connectWithResult(o).getSessionPresent()).isFalse();
            sub.disconnect();
            sub.close();
        }
    }

    private static MqttClient persistentClient(String uri, String id, BlockingQueue<String> received) throws Exception {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        c.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage m) {
                received.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        c.connect(o);
        return c;
    }

    /** Paho's callback with no-op defaults. */
    private abstract static class MqttCallbackAdapter implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    @Test
    void secondServerOnTheSameDataDirectoryIsRefusedWithAClearMessage(@TempDir Path dir) throws Exception {
        try (RatatoskrServer first = RatatoskrServer.start(config(dir))) {
            assertThatThrownBy(() -> RatatoskrServer.start(config(dir)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another Ratatoskr process");
            assertThat(first.mqttPort()).isPositive();
        }
        // Released on close: a new server may use it.
        RatatoskrServer.start(config(dir)).close();
    }

    @Test
    void takenPortIsReportedWithTheAddress(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ServerConfig c = ServerConfig.DEFAULTS.withDataDir(dir)
                    .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", taken.getLocalPort()))
                    .withGrpc(null).withHttp(HttpConfig.DEFAULTS.withPort(0));
            assertThatThrownBy(() -> RatatoskrServer.start(c))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen for MQTT on 127.0.0.1:" + taken.getLocalPort());
        }
        // The data directory was released after the failed start.
        RatatoskrServer.start(config(dir)).close();
    }
}
