package io.ratatoskr.core.broker;

import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;

import java.nio.charset.StandardCharsets;

/**
 * Publishes broker statistics as retained QoS 0 messages under {@code $SYS/broker/}, the
 * convention Mosquitto and others follow, so that any MQTT client can watch them:
 * <pre>
 * $SYS/broker/version                   $SYS/broker/uptime              ("N seconds")
 * $SYS/broker/clients/connected         $SYS/broker/clients/total       (sessions)
 * $SYS/broker/messages/received         $SYS/broker/messages/sent
 * $SYS/broker/messages/dropped          $SYS/broker/subscriptions/count
 * $SYS/broker/bytes/received            $SYS/broker/bytes/sent
 * $SYS/broker/retained messages/count
 * </pre>
 * {@link #run} publishes one snapshot; the wiring schedules it. A value is re-published only when
 * it changed (uptime always), so idle brokers stay quiet. Not thread-safe: run it from one thread.
 */
public final class SysTopics implements Runnable {
    private final Broker broker;
    private final String version;
    private final java.util.Map<String, String> lastPublished = new java.util.HashMap<>();

    public SysTopics(Broker broker, String version) {
        this.broker = broker;
        this.version = version;
    }

    @Override
    public void run() {
        BrokerMetrics m = broker.metrics();
        long uptimeSeconds = Math.max(0, broker.clock().millis() - broker.startedAtMillis()) / 1000;
        publish("$SYS/broker/version", "ratatoskr " + version);
        publish("$SYS/broker/uptime", uptimeSeconds + " seconds");
        publish("$SYS/broker/clients/connected", m.connectionsActive());
        publish("$SYS/broker/clients/total", broker.sessionCount());
        publish("$SYS/broker/messages/received", m.messagesReceivedTotal());
        publish("$SYS/broker/messages/sent", m.messagesSentTotal());
        publish("$SYS/broker/messages/dropped", m.droppedTotal());
        publish("$SYS/broker/bytes/received", m.bytesReceivedTotal());
        publish("$SYS/broker/bytes/sent", m.bytesSentTotal());
        publish("$SYS/broker/subscriptions/count", broker.subscriptionCount());
        publish("$SYS/broker/retained messages/count", broker.retained().size());
    }

    private void publish(String topic, long value) {
        publish(topic, Long.toString(value));
    }

    private void publish(String topic, String value) {
        if (value.equals(lastPublished.put(topic, value)) && !topic.endsWith("/uptime")) {
            return;
        }
        broker.publish(new Message(topic, value.getBytes(StandardCharsets.UTF_8), 0, true,
                MessageProperties.EMPTY, null, broker.clock().millis()));
    }
}
