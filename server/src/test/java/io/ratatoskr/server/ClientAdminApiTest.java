package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.api.v1.ConsumeRequest;
import io.ratatoskr.api.v1.ConsumeResponse;
import io.ratatoskr.api.v1.ConsumeStart;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.api.v1.SubscribeRequest;
import io.ratatoskr.api.v1.SubscribeResponse;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.http.HttpConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker, client and session routes against a running node with real MQTT and gRPC clients. */
class ClientAdminApiTest {
    @TempDir
    static Path dir;
    private static RatatoskrServer server;
    private static ApiCalls api;
    private static ManagedChannel channel;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(HttpConfig.DEFAULTS.withPort(0)));
        api = new ApiCalls(server.httpPort());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> clients().isEmpty());
    }

    /** A Paho v5 client; {@code disconnects} receives the reason code of a DISCONNECT from the server. */
    static final class V5 implements MqttCallback, AutoCloseable {
        final MqttClient client;
        final BlockingQueue<Integer> disconnects = new LinkedBlockingQueue<>();
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

        V5(String id, boolean cleanStart, long expirySeconds) throws MqttException {
            client = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), id, new MemoryPersistence());
            client.setCallback(this);
            connect(cleanStart, expirySeconds);
        }

        boolean connect(boolean cleanStart, long expirySeconds) throws MqttException {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(cleanStart);
            o.setSessionExpiryInterval(expirySeconds);
            o.setKeepAliveInterval(30);
            return client.connectWithResult(o).getSessionPresent();
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
            disconnects.add(r.getReturnCode());
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            messages.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String uri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close(true);
        }
    }

    private V5 v5(String id, boolean cleanStart, long expirySeconds) throws MqttException {
        V5 c = new V5(id, cleanStart, expirySeconds);
        open.add(c);
        return c;
    }

    private org.eclipse.paho.client.mqttv3.MqttClient v3(String id) throws Exception {
        var c = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + server.mqttPort(), id,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setKeepAliveInterval(20);
        c.connect(o);
        open.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000);
            }
            c.close(true);
        });
        return c;
    }

    /** A gRPC Subscribe stream; {@code ended} gets its final status. */
    private AtomicReference<Status> grpcSubscriber(String filter) {
        AtomicReference<Status> ended = new AtomicReference<>();
        Context.CancellableContext context = Context.current().withCancellation();
        open.add(() -> context.cancel(null));
        context.run(() -> RatatoskrGrpc.newStub(channel).subscribe(SubscribeRequest.newBuilder().addFilters(filter).setName("t").build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(SubscribeResponse r) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.set(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.set(Status.OK);
                    }
                }));
        return ended;
    }

    private static JsonNode clients() throws Exception {
        ApiCalls.Answer a = api.get("/api/v1/clients");
        assertThat(a.status()).isEqualTo(200);
        return a.json().get("clients");
    }

    private static List<String> ids(JsonNode clients) {
        List<String> ids = new ArrayList<>();
        clients.forEach(c -> ids.add(c.get("clientId").asText()));
        return ids;
    }

    @Test
    void brokerInfoShowsListenersCountsAndTotalsThatGrowWithTraffic() throws Exception {
        ApiCalls.Answer before = api.get("/api/v1/broker");
        assertThat(before.status()).isEqualTo(200);
        JsonNode b = before.json();
        assertThat(b.get("version").asText()).isEqualTo(Version.get());
        assertThat(b.get("ready").asBoolean()).isTrue();
        assertThat(b.get("startedAt").asText()).endsWith("Z");
        assertThat(b.get("uptimeSeconds").asLong()).isNotNegative();
        assertThat(b.get("dataDir").asText()).isEqualTo(dir.toAbsolutePath().toString());
        assertThat(b.at("/listeners/0/name").asText()).isEqualTo("mqtt");
        assertThat(b.at("/listeners/0/port").asInt()).isEqualTo(server.mqttPort());
        assertThat(b.at("/listeners/1/port").asInt()).isEqualTo(server.grpcPort());
        assertThat(b.at("/listeners/2/name").asText()).isEqualTo("http");
        assertThat(b.at("/listeners/2/port").asInt()).isEqualTo(server.httpPort());
        assertThat(b.at("/listeners/2/tls").asBoolean()).isFalse();
        long messagesIn = b.at("/totals/messagesIn").asLong();
        long bytesOut = b.at("/totals/bytesOut").asLong();
        int sessions = b.at("/counts/sessions").asInt(); // persistent ones of other tests may be left
        int retained = b.at("/counts/retainedMessages").asInt(); // $SYS statistics are retained

        V5 sub = v5("info-sub", true, 0);
        sub.client.subscribe("info/#", 1);
        V5 pub = v5("info-pub", true, 0);
        pub.client.publish("info/a", "hello".getBytes(StandardCharsets.UTF_8), 1, true);
        assertThat(sub.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("info/a=hello");
        AtomicReference<Status> grpc = grpcSubscriber("info/#");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.clientLists().get(1).size() == 1);

        JsonNode after = api.get("/api/v1/broker").json();
        assertThat(after.at("/counts/connections").asInt()).isEqualTo(3);
        assertThat(after.at("/counts/sessions").asInt()).as("MQTT sessions only").isEqualTo(sessions + 2);
        assertThat(after.at("/counts/subscriptions").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(after.at("/counts/retainedMessages").asInt()).isGreaterThanOrEqualTo(retained + 1);
        assertThat(after.at("/counts/topics").asInt()).isEqualTo(server.durableTopics().list().size());
        assertThat(after.at("/totals/messagesIn").asLong()).isGreaterThan(messagesIn);
        assertThat(after.at("/totals/messagesOut").asLong()).isPositive();
        assertThat(after.at("/totals/bytesIn").asLong()).isPositive();
        assertThat(after.at("/totals/bytesOut").asLong()).isGreaterThan(bytesOut);
        pub.client.publish("info/a", new byte[0], 1, true); // clear the retained message for other tests
        assertThat(grpc.get()).isNull();
    }

    @Test
    void clientsAreListedByIdWithPagingAndDetailShowsSubscriptionFilters() throws Exception {
        V5 alpha = v5("list-alpha", true, 0);
        alpha.client.subscribe(new String[] {"a/#", "b/+"}, new int[] {1, 0});
        v3("list-beta");
        AtomicReference<Status> grpc = grpcSubscriber("g/#");
        await().atMost(Duration.ofSeconds(10)).until(() -> ids(clients()).size() == 3);

        JsonNode all = clients();
        assertThat(ids(all)).containsExactly("grpc-sub-" + ids(all).get(0).substring("grpc-sub-".length()),
                "list-alpha", "list-beta");
        JsonNode a = all.get(1);
        assertThat(a.get("protocol").asText()).isEqualTo("mqtt");
        assertThat(a.get("protocolVersion").asText()).isEqualTo("5");
        assertThat(a.get("remoteAddress").asText()).startsWith("127.0.0.1:");
        assertThat(a.has("username")).isTrue();
        assertThat(a.get("username").isNull()).isTrue();
        assertThat(a.get("keepAliveSeconds").asInt()).isEqualTo(30);
        assertThat(a.get("cleanStart").asBoolean()).isTrue();
        assertThat(a.get("subscriptions").asInt()).isEqualTo(2);
        assertThat(a.get("inFlight").asInt()).isZero();
        assertThat(a.get("queued").asInt()).isZero();
        assertThat(a.get("connectedAt").asText()).endsWith("Z");
        assertThat(all.get(2).get("protocolVersion").asText()).isEqualTo("3.1.1");
        assertThat(all.get(0).get("protocol").asText()).isEqualTo("grpc");
        assertThat(all.get(0).get("subscriptions").asInt()).isEqualTo(1);

        JsonNode first = api.get("/api/v1/clients?limit=2").json();
        assertThat(ids(first.get("clients"))).hasSize(2);
        assertThat(first.get("next").asText()).isEqualTo("list-alpha");
        JsonNode second = api.get("/api/v1/clients?limit=2&after=list-alpha").json();
        assertThat(ids(second.get("clients"))).containsExactly("list-beta");
        assertThat(second.get("next").isNull()).isTrue();
        assertThat(api.get("/api/v1/clients?limit=0").status()).isEqualTo(400);

        JsonNode detail = api.get("/api/v1/clients/list-alpha").json();
        assertThat(detail.at("/subscriptionFilters/0/filter").asText()).isEqualTo("a/#");
        assertThat(detail.at("/subscriptionFilters/0/qos").asInt()).isEqualTo(1);
        assertThat(detail.at("/subscriptionFilters/1/filter").asText()).isEqualTo("b/+");
        ApiCalls.Answer missing = api.get("/api/v1/clients/nobody");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).isEqualTo("client_not_found");
        assertThat(grpc.get()).isNull();
    }

    @Test
    void disconnectingAnMqtt5ClientSendsAdministrativeActionAndItsSessionKeepsQueuedMessages() throws Exception {
        V5 worker = v5("dc-worker", false, 300);
        worker.client.subscribe("jobs/#", 1);
        V5 other = v5("dc-other", true, 0);

        assertThat(api.delete("/api/v1/clients/dc-worker").status()).isEqualTo(204);
        assertThat(worker.disconnects.poll(10, TimeUnit.SECONDS)).as("DISCONNECT reason").isEqualTo(0x98);
        await().atMost(Duration.ofSeconds(10)).until(() -> !ids(clients()).contains("dc-worker"));

        other.client.publish("jobs/1", "queued".getBytes(StandardCharsets.UTF_8), 1, false);
        JsonNode session = api.get("/api/v1/sessions/dc-worker").json();
        assertThat(session.get("connected").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> api.get("/api/v1/sessions/dc-worker").json().get("queued").asInt() == 1);

        assertThat(worker.connect(false, 300)).as("session present").isTrue();
        assertThat(worker.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("jobs/1=queued");
        assertThat(api.delete("/api/v1/clients/nobody").json().get("error").asText()).isEqualTo("client_not_found");
    }

    @Test
    void disconnectingAnMqtt311ClientClosesItsConnection() throws Exception {
        var client = v3("dc-v3");
        AtomicInteger lost = new AtomicInteger();
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.incrementAndGet();
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        assertThat(api.delete("/api/v1/clients/dc-v3").status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> lost.get() == 1);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void disconnectingAGrpcSubscriberEndsItsStreamUnavailable() throws Exception {
        AtomicReference<Status> ended = grpcSubscriber("x/#");
        await().atMost(Duration.ofSeconds(10)).until(() -> ids(clients()).stream().anyMatch(i -> i.startsWith("grpc-sub-")));
        String id = ids(clients()).stream().filter(i -> i.startsWith("grpc-sub-")).findFirst().orElseThrow();

        assertThat(api.delete("/api/v1/clients/" + id).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.get() != null);
        assertThat(ended.get().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(ids(clients())).doesNotContain(id);
    }

    @Test
    void aGrpcConsumeStreamIsListedWithItsGroupAndDisconnectingItEndsItUnavailable() throws Exception {
        server.durableTopics().create("work", TopicConfig.DEFAULTS);
        AtomicReference<Status> ended = new AtomicReference<>();
        Context.CancellableContext context = Context.current().withCancellation();
        open.add(() -> context.cancel(null));
        context.run(() -> RatatoskrGrpc.newStub(channel).consume(new StreamObserver<>() {
            @Override
            public void onNext(ConsumeResponse r) {
            }

            @Override
            public void onError(Throwable t) {
                ended.set(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.set(Status.OK);
            }
        }).onNext(ConsumeRequest.newBuilder().setStart(ConsumeStart.newBuilder().setTopic("work").setGroup("crew")
                .setMember("m1").setInitialCredits(10)).build()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ids(clients()).stream().anyMatch(i -> i.startsWith("grpc-consume-")));
        String id = ids(clients()).stream().filter(i -> i.startsWith("grpc-consume-")).findFirst().orElseThrow();

        JsonNode detail = api.get("/api/v1/clients/" + id).json();
        assertThat(detail.get("protocol").asText()).isEqualTo("grpc");
        assertThat(detail.get("protocolVersion").asText()).isEqualTo("v1");
        assertThat(detail.at("/subscriptionFilters/0/filter").asText()).isEqualTo("$queue/crew/work");

        assertThat(api.delete("/api/v1/clients/" + id).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.get() != null);
        assertThat(ended.get().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(ended.get().getDescription()).contains("administrator");
    }

    @Test
    void sessionsAreListedWithExpiryAndDeletingOneDiscardsItForGood() throws Exception {
        V5 keeper = v5("s-keeper", false, 600);
        keeper.client.subscribe(new String[] {"k/#"}, new int[] {2});
        keeper.client.disconnect();
        V5 live = v5("s-live", true, 0);

        JsonNode page = api.get("/api/v1/sessions?after=s-&limit=10").json();
        List<String> ids = new ArrayList<>();
        page.get("sessions").forEach(s -> ids.add(s.get("clientId").asText()));
        assertThat(ids).containsExactly("s-keeper", "s-live");
        JsonNode k = page.at("/sessions/0");
        assertThat(k.get("connected").asBoolean()).isFalse();
        assertThat(k.get("persistent").asBoolean()).isTrue();
        assertThat(k.get("expiryIntervalSeconds").asLong()).isEqualTo(600);
        assertThat(k.get("expiresAt").asText()).endsWith("Z");
        assertThat(k.get("subscriptions").asInt()).isEqualTo(1);
        assertThat(page.at("/sessions/1/connected").asBoolean()).isTrue();
        assertThat(page.at("/sessions/1/expiresAt").isNull()).isTrue();

        JsonNode detail = api.get("/api/v1/sessions/s-keeper").json();
        assertThat(detail.at("/subscriptionFilters/0/filter").asText()).isEqualTo("k/#");
        assertThat(detail.at("/subscriptionFilters/0/qos").asInt()).isEqualTo(2);
        assertThat(detail.at("/subscriptionFilters/0/noLocal").asBoolean()).isFalse();

        assertThat(api.delete("/api/v1/sessions/s-keeper").status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/sessions/s-keeper").status() == 404);
        assertThat(api.get("/api/v1/sessions/s-keeper").json().get("error").asText()).isEqualTo("session_not_found");
        assertThat(keeper.connect(false, 600)).as("session present after the delete").isFalse();

        assertThat(api.delete("/api/v1/sessions/s-live").status()).isEqualTo(204);
        assertThat(live.disconnects.poll(10, TimeUnit.SECONDS)).isEqualTo(0x98);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/api/v1/sessions/s-live").status() == 404);
    }
}
