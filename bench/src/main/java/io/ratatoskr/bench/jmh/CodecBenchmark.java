package io.ratatoskr.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketReader;
import io.ratatoskr.mqtt.codec.PacketWriter;
import io.ratatoskr.mqtt.codec.UserProperty;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * MQTT codec cost per PUBLISH, as the broker pays it:
 * <ul>
 *   <li>{@code decode}: {@link PacketReader#read} of one inbound PUBLISH frame (QoS 1, topic of five levels)
 *       from a direct buffer, as the decoder hands it over: builds the {@link Publish} record, copies topic and
 *       payload. MQTT 5 frames carry the properties a real application sets (message expiry, content type,
 *       response topic, correlation data, two user properties).</li>
 *   <li>{@code encodeDelivery}: what the connection does for one delivery: a new {@link Publish} record
 *       (packet id, the message's payload and properties), measured and written by {@link PacketWriter} into a
 *       direct buffer. The buffer is reused: taking one from the pool is not included (on an event loop it
 *       comes from the thread's cache; JMH's thread is no Netty thread and has none, so including it would
 *       measure the pool's shared arenas instead), nor is the socket write. The properties object is the same
 *       for every op: a message fanned out to many subscribers.</li>
 *   <li>{@code encodeDeliveryNewProperties}: the same with the properties built anew for each op (the builder
 *       included): a message delivered to one subscriber.</li>
 * </ul>
 *
 * <p>Thread-safety: JMH state, one instance per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    static final String TOPIC = "fleet/eu-west/vehicle-4711/engine/temperature";

    @Param({"3.1.1", "5"})
    public String version;

    @Param({"64", "1024"})
    public int payloadBytes;

    private MqttVersion mqttVersion;
    private Publish publish;
    private int firstByte;
    private ByteBuf frame;
    private ByteBuf out;
    private int packetId;
    private long offset = 1_000_000;

    @Setup(Level.Trial)
    public void setUp() {
        mqttVersion = "5".equals(version) ? MqttVersion.V5 : MqttVersion.V3_1_1;
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) 'x');
        publish = new Publish(TOPIC, 1, false, false, 1, payload, properties(mqttVersion));
        ByteBuf encoded = Unpooled.buffer(PacketWriter.encodedSize(publish, mqttVersion));
        PacketWriter.write(publish, mqttVersion, encoded);
        firstByte = encoded.getUnsignedByte(0);
        encoded.readerIndex(encoded.writerIndex() - PacketReader.remainingLength(encoded, 1));
        frame = Unpooled.directBuffer(encoded.readableBytes()).writeBytes(encoded);
        out = Unpooled.directBuffer(2 * encoded.capacity());
    }

    static MqttProperties properties(MqttVersion v) {
        if (v != MqttVersion.V5) {
            return MqttProperties.EMPTY;
        }
        return MqttProperties.builder().messageExpiryInterval(3600).contentType("application/json")
                .responseTopic("fleet/eu-west/vehicle-4711/replies")
                .correlationData("req-0001".getBytes(StandardCharsets.UTF_8))
                .userProperties(List.of(new UserProperty("tenant", "acme"), new UserProperty("trace", "abc123")))
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
        out.release();
    }

    @Benchmark
    public MqttPacket decode() {
        frame.readerIndex(0);
        return PacketReader.read(firstByte, frame, mqttVersion);
    }

    @Benchmark
    public int encodeDelivery() {
        packetId = packetId == 65_535 ? 1 : packetId + 1;
        Publish p = new Publish(publish.topic(), 1, false, false, packetId, publish.payload(), publish.properties());
        int size = PacketWriter.encodedSize(p, mqttVersion);
        out.clear().ensureWritable(size);
        PacketWriter.write(p, mqttVersion, out);
        return out.writerIndex();
    }

    /**
     * A consumer-group delivery to an MQTT 5 member: the message's properties plus the five the group adds
     * (docs/mqtt.md), new objects for each delivery as the broker builds them — the names and the durable topic
     * the same {@code String}s every time, the message id and the offset new ones.
     */
    @Benchmark
    public int encodeGroupDelivery() {
        packetId = packetId == 65_535 ? 1 : packetId + 1;
        offset++;
        MqttProperties.Builder b = MqttProperties.builder().contentType("application/json")
                .addUserProperty("tenant", "acme")
                .addUserProperty("message-id", new UUID(offset * 31, offset).toString())
                .addUserProperty("durable-topic", "telemetry")
                .addUserProperty("partition", "3")
                .addUserProperty("offset", Long.toString(offset))
                .addUserProperty("attempt", "1");
        Publish p = new Publish(publish.topic(), 1, false, false, packetId, publish.payload(), b.build());
        int size = PacketWriter.encodedSize(p, mqttVersion);
        out.clear().ensureWritable(size);
        PacketWriter.write(p, mqttVersion, out);
        return out.writerIndex();
    }

    /**
     * As {@link #encodeDelivery}, for a message that reaches one subscriber: its properties are a new object,
     * built for this delivery, so nothing encoded for an earlier delivery is reused.
     */
    @Benchmark
    public int encodeDeliveryNewProperties() {
        packetId = packetId == 65_535 ? 1 : packetId + 1;
        Publish p = new Publish(publish.topic(), 1, false, false, packetId, publish.payload(), properties(mqttVersion));
        int size = PacketWriter.encodedSize(p, mqttVersion);
        out.clear().ensureWritable(size);
        PacketWriter.write(p, mqttVersion, out);
        return out.writerIndex();
    }
}
