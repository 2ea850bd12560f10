package io.ratatoskr.core.topic;

/**
 * The options of one subscription (MQTT 5.0 §3.8.3.1): maximum QoS, No Local, Retain As Published,
 * Retain Handling, and the Subscription Identifier (0 when none, §3.8.2.1.2). Immutable.
 */
public record SubscriptionOptions(int qos, boolean noLocal, boolean retainAsPublished, int retainHandling,
                                  int subscriptionId) {
    public static final int SEND_RETAINED = 0;
    public static final int SEND_RETAINED_IF_NEW = 1;
    public static final int DO_NOT_SEND_RETAINED = 2;

    public SubscriptionOptions {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS " + qos + " is outside 0..2");
        }
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retain handling " + retainHandling + " is outside 0..2");
        }
        if (subscriptionId < 0 || subscriptionId > 268_435_455) {
            throw new IllegalArgumentException("subscription identifier " + subscriptionId + " is out of range");
        }
    }

    public static SubscriptionOptions ofQos(int qos) {
        return new SubscriptionOptions(qos, false, false, SEND_RETAINED, 0);
    }
}
