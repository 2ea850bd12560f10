package io.ratatoskr.server.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import io.ratatoskr.api.v1.BatchMessage;
import io.ratatoskr.api.v1.CreateTopicRequest;
import io.ratatoskr.api.v1.PublishBatchRequest;
import io.ratatoskr.api.v1.PublishBatchResponse;
import io.ratatoskr.api.v1.PublishRequest;
import io.ratatoskr.api.v1.PublishResponse;
import io.ratatoskr.api.v1.RatatoskrGrpc;
import io.ratatoskr.core.durable.DurableTopicsConfig;
import io.ratatoskr.core.durable.TopicConfig;
import io.ratatoskr.core.trace.Tracing;
import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import io.ratatoskr.server.RatatoskrServer;
import io.ratatoskr.server.ServerConfig;
import io.ratatoskr.server.trace.OtlpReceiver.ReceivedSpan;
import io.ratatoskr.server.testing.PahoMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spans of publish → store → deliver reach a real OTLP/HTTP receiver, continuing the trace context
 * that MQTT 5 publishers (user properties) and gRPC publishers (metadata) send.
 */
class TracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private OtlpReceiver receiver;
    private RatatoskrServer server;
    private final List<MqttClient> clients = new ArrayList<>();
    private ManagedChannel channel;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new OtlpReceiver();
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        receiver.close();
    }

    private void start(TracingConfig tracing) throws InterruptedException {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(null)
                .withTopics(DurableTopicsConfig.DEFAULTS.withAutoCreate(true, TopicConfig.DEFAULTS))
                .withTracing(tracing));
    }

    /** Tracing on, exporting to the receiver every 50 ms. */
    private TracingConfig enabled(double sampleRatio) {
        return TracingConfig.DEFAULTS.withEnabled(true).withEndpoint(receiver.endpoint())
                .withSampleRatio(sampleRatio).withScheduleDelayMs(50);
    }

    @Test
    void mqtt5PublishersTraceparentIsTheParentOfThePublishStoreAndDeliverSpans() throws Exception {
        // Ratio 0: the broker starts no trace itself, but follows a publisher's sampled one.
        start(enabled(0.0));
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient sub = mqtt("sub-1", received, true);
        sub.subscribe("sensors/+", 1);
        MqttClient pub = mqtt("pub-1", new CopyOnWriteArrayList<>(), false);

        pub.publish("sensors/temp", message("21.5", 1,
                new UserProperty("traceparent", TRACEPARENT), new UserProperty("tracestate", "vendor=abc")));

        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(userProperties(received.get(0)))
                .containsEntry("traceparent", TRACEPARENT)
                .containsEntry("tracestate", "vendor=abc");
        await().atMost(WAIT).until(() -> receiver.spansOfTrace(TRACE_ID).size() >= 3);
        ReceivedSpan publish = only("publish sensors/temp", TRACE_ID);
        assertThat(publish.parentSpanId()).isEqualTo(PARENT_ID);
        assertThat(publish.kind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
        assertThat(publish.serviceName()).isEqualTo("ratatoskr");
        assertThat(publish.attributes()).containsEntry("messaging.system", "ratatoskr")
                .containsEntry("messaging.destination.name", "sensors/temp")
                .containsEntry("messaging.operation.type", "send")
                .containsEntry("messaging.client.id", "pub-1")
                .containsEntry("network.protocol.name", "mqtt")
                .containsEntry("messaging.message.body.size", 4L);
        // The subscriber's session is persistent: its journal write is what the PUBACK waited for.
        ReceivedSpan store = only("store sensors/temp", TRACE_ID);
        assertThat(store.parentSpanId()).isEqualTo(publish.spanId());
        assertThat((Long) store.attribute("ratatoskr.store.writes")).isGreaterThanOrEqualTo(1L);
        ReceivedSpan deliver = only("deliver sensors/temp", TRACE_ID);
        assertThat(deliver.parentSpanId()).isEqualTo(publish.spanId());
        assertThat(deliver.kind()).isEqualTo(SpanKind.SPAN_KIND_PRODUCER);
        assertThat(deliver.attributes()).containsEntry("messaging.client.id", "sub-1")
                .containsEntry("messaging.destination.name", "sensors/temp")
                .containsEntry("ratatoskr.qos", 1L);
        assertThat(receiver.contentTypes()).allMatch(t -> t.startsWith("application/x-protobuf"));
        await().atMost(WAIT).until(() -> server.scrapeMetrics().lines().anyMatch(l ->
                l.startsWith("ratatoskr_tracing_spans_exported_total{outcome=\"success\"}") && !l.endsWith(" 0.0")));
    }

    @Test
    void grpcPublishMetadataTraceparentIsTheParentAndTheStoreSpanSaysWhereTheMessageWasStored() throws Exception {
        start(enabled(0.0));
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        mqtt("sub-g", received, false).subscribe("orders", 1);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        RatatoskrGrpc.RatatoskrBlockingStub api = RatatoskrGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);

        PublishResponse stored = api.publish(PublishRequest.newBuilder().setTopic("orders")
                .setPayload(ByteString.copyFromUtf8("o-1")).putMetadata("traceparent", TRACEPARENT).build());

        assertThat(stored.getStored()).isTrue();
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(userProperties(received.get(0))).containsEntry("traceparent", TRACEPARENT);
        await().atMost(WAIT).until(() -> receiver.spansOfTrace(TRACE_ID).size() >= 3);
        ReceivedSpan publish = only("publish orders", TRACE_ID);
        assertThat(publish.parentSpanId()).isEqualTo(PARENT_ID);
        assertThat(publish.attributes()).containsEntry("network.protocol.name", "grpc")
                .containsEntry("messaging.message.id", stored.getMessageId());
        ReceivedSpan store = only("store orders", TRACE_ID);
        assertThat(store.parentSpanId()).isEqualTo(publish.spanId());
        assertThat(store.attributes()).containsEntry("messaging.message.id", stored.getMessageId())
                .containsEntry("ratatoskr.partition", (long) stored.getPartition())
                .containsEntry("ratatoskr.offset", stored.getOffset());
        assertThat(only("deliver orders", TRACE_ID).attributes()).containsEntry("messaging.client.id", "sub-g");

        // PublishBatch: each message continues its own trace context.
        String batchTrace = "0af7651916cd43dd8448eb211c80319c";
        String batchParent = "b7ad6b7169203331";
        PublishBatchResponse batch = api.publishBatch(PublishBatchRequest.newBuilder().setTopic("orders")
                .addMessages(BatchMessage.newBuilder().setPayload(ByteString.copyFromUtf8("o-2"))
                        .putMetadata("traceparent", "00-" + batchTrace + "-" + batchParent + "-01"))
                .build());

        assertThat(batch.getResults(0).hasStored()).isTrue();
        await().atMost(WAIT).until(() -> receiver.spansOfTrace(batchTrace).size() >= 3);
        ReceivedSpan batchPublish = only("publish orders", batchTrace);
        assertThat(batchPublish.parentSpanId()).isEqualTo(batchParent);
        assertThat(only("store orders", batchTrace).attributes())
                .containsEntry("ratatoskr.offset", batch.getResults(0).getStored().getOffset());
        assertThat(only("deliver orders", batchTrace).parentSpanId()).isEqualTo(batchPublish.spanId());

        // Without metadata, the call's traceparent header (an instrumented gRPC client's) is the parent;
        // it belongs to the call, not the message, so subscribers do not get it.
        String callTrace = "22222222222222222222222222222222";
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
                "00-" + callTrace + "-" + PARENT_ID + "-01");
        api.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).publish(PublishRequest.newBuilder()
                .setTopic("orders").setPayload(ByteString.copyFromUtf8("o-3")).build());

        await().atMost(WAIT).until(() -> received.size() == 3 && receiver.spansOfTrace(callTrace).size() >= 3);
        assertThat(only("publish orders", callTrace).parentSpanId()).isEqualTo(PARENT_ID);
        assertThat(userProperties(received.get(2))).doesNotContainKey("traceparent");
    }

    @Test
    void aConsumerGroupDeliveryContinuesTheTraceContextTheStoredMessageCarries() throws Exception {
        start(enabled(0.0));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        PublishResponse stored = RatatoskrGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .publish(PublishRequest.newBuilder().setTopic("jobs").setPayload(ByteString.copyFromUtf8("j-1"))
                        .putMetadata("traceparent", TRACEPARENT).build());
        List<MqttMessage> received = new CopyOnWriteArrayList<>();

        mqtt("worker-1", received, false).subscribe("$queue/workers/jobs", 1); // a new group starts at the earliest

        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(userProperties(received.get(0))).containsEntry("traceparent", TRACEPARENT);
        await().atMost(WAIT).until(() -> receiver.spansOfTrace(TRACE_ID).stream()
                .anyMatch(s -> "workers".equals(s.attribute("messaging.consumer.group.name"))));
        ReceivedSpan deliver = only("deliver jobs", TRACE_ID);
        assertThat(deliver.parentSpanId()).isEqualTo(PARENT_ID);
        assertThat(deliver.attributes()).containsEntry("messaging.client.id", "worker-1")
                .containsEntry("messaging.message.id", stored.getMessageId())
                .containsEntry("ratatoskr.offset", stored.getOffset())
                .containsEntry("ratatoskr.delivery.attempt", 1L);
    }

    @Test
    void aPublishTheBrokerRefusesEndsItsSpanWithAnError() throws Exception {
        start(enabled(0.0));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        RatatoskrGrpc.RatatoskrBlockingStub api = RatatoskrGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        api.createTopic(CreateTopicRequest.newBuilder().setName("small")
                .setConfig(io.ratatoskr.api.v1.TopicConfig.newBuilder().setMaxMessageBytes(1024)).build());

        assertThatThrownBy(() -> api.publish(PublishRequest.newBuilder().setTopic("small")
                .setPayload(ByteString.copyFrom(new byte[4096])).putMetadata("traceparent", TRACEPARENT).build()))
                .isInstanceOf(StatusRuntimeException.class);

        await().atMost(WAIT).until(() -> !receiver.spansOfTrace(TRACE_ID).isEmpty());
        ReceivedSpan publish = only("publish small", TRACE_ID);
        assertThat(publish.status().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(publish.status().getMessage()).isNotEmpty();
    }

    @Test
    void disabledTracingIsTheNoopHookAndExportsNothing() throws Exception {
        start(TracingConfig.DEFAULTS.withEndpoint(receiver.endpoint()));
        assertThat(server.broker().tracing()).isSameAs(Tracing.NOOP);
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        mqtt("sub-d", received, false).subscribe("sensors/+", 1);

        mqtt("pub-d", new CopyOnWriteArrayList<>(), false).publish("sensors/temp",
                message("1", 1, new UserProperty("traceparent", TRACEPARENT)));

        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(userProperties(received.get(0))).containsEntry("traceparent", TRACEPARENT);
        server.close(); // a tracer, had there been one, would export what it holds now
        assertThat(receiver.contentTypes()).isEmpty();
        assertThat(receiver.spans()).isEmpty();
    }

    @Test
    void atRatioZeroOnlyTracesWithASampledParentAreExported() throws Exception {
        start(enabled(0.0));
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        mqtt("sub-r", received, false).subscribe("sensors/+", 1);
        MqttClient pub = mqtt("pub-r", new CopyOnWriteArrayList<>(), false);
        String unsampledTrace = "11111111111111111111111111111111";

        pub.publish("sensors/a", message("unsampled parent", 1,
                new UserProperty("traceparent", "00-" + unsampledTrace + "-" + PARENT_ID + "-00")));
        pub.publish("sensors/b", message("no parent", 1));
        pub.publish("sensors/c", message("sampled parent", 1, new UserProperty("traceparent", TRACEPARENT)));

        await().atMost(WAIT).until(() -> received.size() == 3);
        // Without tracing.inject the broker adds nothing to a message it delivers.
        assertThat(received.get(1).getProperties().getUserProperties()).isNullOrEmpty();
        server.close(); // exports every finished span still queued
        assertThat(receiver.spans()).isNotEmpty().allMatch(s -> s.traceId().equals(TRACE_ID));
        assertThat(receiver.spans()).extracting(ReceivedSpan::name).contains("publish sensors/c")
                .noneMatch(n -> n.endsWith("sensors/a") || n.endsWith("sensors/b"));
    }

    @Test
    void injectGivesAMessageWithoutTraceContextTheBrokersPublishSpanAsTraceparent() throws Exception {
        start(enabled(1.0).withInject(true));
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        mqtt("sub-i", received, false).subscribe("sensors/+", 0);

        mqtt("pub-i", new CopyOnWriteArrayList<>(), false).publish("sensors/x", message("x", 0));

        await().atMost(WAIT).until(() -> received.size() == 1);
        String traceparent = userProperties(received.get(0)).get("traceparent");
        assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
        String traceId = traceparent.substring(3, 35);
        String spanId = traceparent.substring(36, 52);
        assertThat(Integer.parseInt(traceparent.substring(53), 16) & 1).as("sampled flag").isEqualTo(1);
        await().atMost(WAIT).until(() -> receiver.spansOfTrace(traceId).size() >= 2);
        ReceivedSpan publish = only("publish sensors/x", traceId);
        assertThat(publish.spanId()).isEqualTo(spanId);
        assertThat(publish.parentSpanId()).isEmpty();
        assertThat(only("deliver sensors/x", traceId).parentSpanId()).isEqualTo(spanId);
    }

    @Test
    void anUnreachableCollectorLosesSpansNotPublishesAndTheLossIsCounted() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        start(enabled(1.0).withEndpoint(java.net.URI.create("http://127.0.0.1:" + closedPort + "/v1/traces"))
                .withExportTimeoutMs(1_000));
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        mqtt("sub-u", received, true).subscribe("sensors/+", 1);
        MqttClient pub = mqtt("pub-u", new CopyOnWriteArrayList<>(), false);

        for (int i = 0; i < 5; i++) {
            pub.publish("sensors/u", message("u" + i, 1)); // waits for the PUBACK
        }

        await().atMost(WAIT).until(() -> received.size() == 5);
        await().atMost(WAIT).until(() -> server.scrapeMetrics().lines().anyMatch(l ->
                l.startsWith("ratatoskr_tracing_spans_exported_total{outcome=\"failed\"}") && !l.endsWith(" 0.0")));
    }

    private ReceivedSpan only(String name, String traceId) {
        List<ReceivedSpan> named = receiver.spansOfTrace(traceId).stream().filter(s -> s.name().equals(name)).toList();
        assertThat(named).as("spans named %s in trace %s among %s", name, traceId, receiver.spans()).hasSize(1);
        return named.get(0);
    }

    private static MqttMessage message(String payload, int qos, UserProperty... properties) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        MqttProperties props = new MqttProperties();
        if (properties.length > 0) {
            props.setUserProperties(List.of(properties));
        }
        m.setProperties(props);
        return m;
    }

    private static Map<String, String> userProperties(MqttMessage m) {
        List<UserProperty> list = Optional.ofNullable(m.getProperties().getUserProperties()).orElse(List.of());
        Map<String, String> out = new java.util.LinkedHashMap<>();
        list.forEach(p -> out.put(p.getKey(), p.getValue()));
        return out;
    }

    /** A Paho v5 client; a persistent one keeps its session (and so journals QoS 1 messages). */
    private MqttClient mqtt(String id, List<MqttMessage> received, boolean persistent) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), id, new MemoryPersistence());
        c.setCallback(new PahoMessages((topic, m) -> received.add(m)));
        MqttConnectionOptions options = new MqttConnectionOptions();
        if (persistent) {
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
        }
        c.connect(options);
        clients.add(c);
        return c;
    }
}
