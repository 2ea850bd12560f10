package io.ratatoskr.client;

import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real in-process broker (MQTT and gRPC on loopback, no admin HTTP) on {@code dataDir}, and clients
 * to it. {@link #restart()} stops it and starts a new one on the same directory and the same gRPC
 * port, as a broker restart looks to a client.
 *
 * <p>Thread-safety: not thread-safe; one test drives it.
 */
final class TestBroker implements AutoCloseable {
    private final Path dataDir;
    private RatatoskrServer server;
    private int grpcPort;

    private TestBroker(Path dataDir) throws InterruptedException {
        this.dataDir = dataDir;
        this.server = start(0);
        this.grpcPort = server.grpcPort();
    }

    static TestBroker start(Path dataDir) throws InterruptedException {
        return new TestBroker(dataDir);
    }

    RatatoskrServer server() {
        return server;
    }

    int grpcPort() {
        return grpcPort;
    }

    String mqttUri() {
        return "tcp://127.0.0.1:" + server.mqttPort();
    }

    /** A client with a short reconnect backoff; close it in the test. */
    RatatoskrClient client() {
        return client(RatatoskrClient.builder());
    }

    RatatoskrClient client(RatatoskrClient.Builder builder) {
        return builder.host("127.0.0.1").port(grpcPort).defaultDeadline(Duration.ofSeconds(10))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    }

    /** Stops the broker (clients see their streams fail) without starting it again. */
    void stop() {
        server.close();
    }

    /** Starts the broker again on the same files and gRPC port. */
    void startAgain() throws InterruptedException {
        server = start(grpcPort);
    }

    void restart() throws InterruptedException {
        stop();
        startAgain();
    }

    @Override
    public void close() {
        server.close();
    }

    private RatatoskrServer start(int port) throws InterruptedException {
        return RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dataDir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(port)).withHttp(null));
    }
}
