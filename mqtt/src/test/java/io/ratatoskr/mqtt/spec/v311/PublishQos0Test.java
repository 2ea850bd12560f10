package io.ratatoskr.mqtt.spec.v311;

/** MQTT 3.1.1 §4.3.1: QoS 0, at most once. */
class PublishQos0Test extends PublishContract {
    @Override
    int qos() {
        return 0;
    }
}
