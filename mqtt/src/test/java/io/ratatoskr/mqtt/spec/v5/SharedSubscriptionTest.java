package io.ratatoskr.mqtt.spec.v5;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.ReasonCode;
import io.ratatoskr.mqtt.testing.RawMqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared subscriptions {@code $share/<group>/<filter>} (MQTT 5.0 §4.8.2). */
class SharedSubscriptionTest extends V5SpecTest {

    /**
     * What the members receive, until {@code total} messages have come to them all together (or the
     * deadline passes), and then nothing more for {@link #QUIET}; one list per member.
     */
    private static List<List<String>> receive(List<HiveMqClient> members, int total) throws InterruptedException {
        List<List<String>> got = new ArrayList<>();
        members.forEach(m -> got.add(new ArrayList<>()));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int n = 0;
        while (n < total && System.nanoTime() < deadline) {
            for (int i = 0; i < members.size(); i++) {
                Optional<Mqtt5Publish> p = members.get(i).publishes().receive(10, TimeUnit.MILLISECONDS);
                if (p.isPresent()) {
                    got.get(i).add(utf8(p.get().getPayloadAsBytes()));
                    n++;
                }
            }
        }
        for (HiveMqClient m : members) {
            m.expectSilence();
        }
        return got;
    }

    private static List<String> numbered(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void eachMessageGoesToExactlyOneMemberAndTheMembersShareTheLoadEvenly() throws Exception {
        int members = 3;
        int messages = 150;
        List<HiveMqClient> group = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            HiveMqClient m = hivemqConnected("worker-" + i);
            m.client().subscribeWith().topicFilter("$share/workers/jobs/#").qos(MqttQos.AT_LEAST_ONCE).send();
            group.add(m);
        }
        HiveMqClient pub = hivemqConnected("pub");
        for (String payload : numbered("job-", messages)) {
            pub.client().publishWith().topic("jobs/" + payload).payload(utf8(payload)).qos(MqttQos.AT_LEAST_ONCE)
                    .send();
        }

        List<String> all = new ArrayList<>();
        for (List<String> got : receive(group, messages)) {
            assertThat(got.size()).as("share of one member").isBetween(messages / members - 15,
                    messages / members + 15);
            all.addAll(got);
        }
        assertThat(all).as("every message exactly once across the group")
                .containsExactlyInAnyOrderElementsOf(numbered("job-", messages));
    }

    @Test
    void sharedAndOrdinarySubscriptionsOnTheSameFilterBothReceive() throws Exception {
        HiveMqClient a = hivemqConnected("a");
        a.client().subscribeWith().topicFilter("$share/g/feed").qos(MqttQos.AT_LEAST_ONCE).send();
        HiveMqClient b = hivemqConnected("b");
        b.client().subscribeWith().topicFilter("$share/g/feed").qos(MqttQos.AT_LEAST_ONCE).send();
        HiveMqClient watcher = hivemqConnected("watcher");
        watcher.client().subscribeWith().topicFilter("feed").qos(MqttQos.AT_LEAST_ONCE).send();

        HiveMqClient pub = hivemqConnected("pub");
        for (String payload : numbered("n", 10)) {
            pub.client().publishWith().topic("feed").payload(utf8(payload)).qos(MqttQos.AT_LEAST_ONCE).send();
        }

        assertThat(receive(List.of(watcher), 10).get(0)).as("the ordinary subscriber gets everything")
                .containsExactlyElementsOf(numbered("n", 10));
        List<String> shared = new ArrayList<>();
        receive(List.of(a, b), 10).forEach(shared::addAll);
        assertThat(shared).as("the group gets everything once").containsExactlyInAnyOrderElementsOf(numbered("n", 10));
    }

    @ParameterizedTest(name = "session expiry {0} s")
    @ValueSource(longs = {0, 60})
    void unacknowledgedMessagesOfAMemberThatLeavesGoToTheRemainingMember(long sessionExpiry) throws Exception {
        // The leaver takes two messages at a time and acknowledges none: some are in flight, some queued.
        RawMqttClient leaver = raw("leaver",
                MqttProperties.builder().receiveMaximum(2).sessionExpiryInterval(sessionExpiry).build());
        rawSubscribe(leaver, "$share/g/work", 1);
        HiveMqClient stayer = hivemqConnected("stayer");
        stayer.client().subscribeWith().topicFilter("$share/g/work").qos(MqttQos.AT_LEAST_ONCE).send();

        HiveMqClient pub = hivemqConnected("pub");
        for (String payload : numbered("w", 20)) {
            pub.client().publishWith().topic("work").payload(utf8(payload)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        Set<String> seenByLeaver = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            seenByLeaver.add(utf8(expect(leaver, Publish.class).payload()));
        }
        leaver.close(); // gone without acknowledging, and without DISCONNECT

        List<String> atStayer = receive(List.of(stayer), 20).get(0);
        assertThat(atStayer).as("nothing lost").containsExactlyInAnyOrderElementsOf(numbered("w", 20));
        assertThat(atStayer).as("the stayer got what the leaver held").containsAll(seenByLeaver);
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() throws Exception {
        RawMqttClient c = raw("c");
        c.send(new Subscribe(1,
                List.of(new Subscription("$share/g/t", 1, true, false, 0)), MqttProperties.EMPTY));

        expectDisconnect(c, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void sharedSubscribeGetsNoRetainedMessages() throws Exception {
        RawMqttClient pub = raw("pub");
        pub.send(new Publish("shared/retained", 1, true, false, 1, utf8("old news"), MqttProperties.EMPTY));
        expect(pub, PubAck.class);

        RawMqttClient member = raw("member");
        rawSubscribe(member, "$share/g/shared/#", 1);
        expectSilence(member);

        rawPublishQos1(pub, "shared/retained", "fresh", MqttProperties.EMPTY);
        Publish p = expect(member, Publish.class);
        assertThat(utf8(p.payload())).isEqualTo("fresh");
    }
}
