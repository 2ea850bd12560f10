package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GroupAdminTest extends ClientTestBase {
    @Test
    void groupsAreConfiguredDescribedSeekedAndDeleted() {
        client.topics().createTopic("orders");
        GroupInfo created = client.groups().configure("orders", "billing",
                GroupSettings.UNCHANGED.withMaxAttempts(5).withAckTimeout(Duration.ofSeconds(20)));
        GroupInfo changed = client.groups().configure("orders", "billing", GroupSettings.UNCHANGED.withPrefetch(7));

        assertThat(created.settings().maxAttempts()).isEqualTo(5);
        assertThat(created.settings().deadLetterTopic()).isEqualTo("orders.dlq");
        assertThat(changed.settings().maxAttempts()).as("unset fields keep their value").isEqualTo(5);
        assertThat(changed.settings().ackTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(changed.settings().prefetch()).isEqualTo(7);
        assertThat(client.groups().list("orders")).containsExactly(new GroupAdmin.GroupRef("orders", "billing"));

        for (int i = 0; i < 3; i++) {
            client.publish("orders", "o-" + i).join();
        }
        List<String> handled = new CopyOnWriteArrayList<>();
        Consumer consumer = client.consume("orders", "billing", ConsumeOptions.DEFAULTS.withMember("billing-1"), m -> {
            handled.add(m.payloadAsString());
            return Ack.ACK;
        });
        await().atMost(WAIT).until(() -> consumer.acked() == 3
                && client.groups().describe("orders", "billing").lag() == 0);
        GroupInfo running = client.groups().describe("orders", "billing");
        assertThat(running.started()).isTrue();
        assertThat(running.members()).extracting(GroupInfo.Member::name).containsExactly("billing-1");
        assertThat(running.partitions()).singleElement().satisfies(p -> {
            assertThat(p.committedOffset()).isEqualTo(3);
            assertThat(p.endOffset()).isEqualTo(3);
        });
        assertThat(running.inFlight()).isZero();
        assertThat(running.deadLetterDepth()).isZero();

        assertThat(client.groups().seek("orders", "billing", StartPosition.earliest())).isEqualTo(Map.of(0, 0L));
        await().atMost(WAIT).until(() -> consumer.acked() == 6);
        assertThat(handled).containsExactly("o-0", "o-1", "o-2", "o-0", "o-1", "o-2");

        assertThat(client.groups().delete("orders", "billing")).isTrue();
        assertThat(client.groups().list("orders")).isEmpty();
        assertThat(client.groups().delete("orders", "billing")).isFalse();
        await().atMost(WAIT).until(() -> !consumer.isActive());
        assertThatThrownBy(() -> client.groups().describe("orders", "billing"))
                .isInstanceOfSatisfying(RatatoskrClientException.class,
                        e -> assertThat(e.code()).isEqualTo("GROUP_NOT_FOUND"));
    }

    @Test
    void aRejectedMessageIsListedInspectedAndReplayedToBeConsumedAgain() {
        client.topics().createTopic("payments");
        PublishResult poison = client.publish("payments", "poison").join();
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        Consumer consumer = client.consume("payments", "settle", m ->
                seen.merge(m.payloadAsString(), 1, Integer::sum) == 1 ? Ack.reject("cannot parse") : Ack.ACK);
        await().atMost(WAIT).until(() -> client.deadLetters().list().stream()
                .anyMatch(t -> t.name().equals("payments.dlq") && t.depth() == 1));

        assertThat(client.groups().describe("payments", "settle").deadLetterDepth()).isEqualTo(1);
        assertThat(client.deadLetters().inspect("payments.dlq", 0, 0, 10)).singleElement().satisfies(d -> {
            assertThat(d.reason()).contains("cannot parse");
            assertThat(d.sourceTopic()).isEqualTo("payments");
            assertThat(d.sourceOffset()).isEqualTo(poison.offset());
            assertThat(d.group()).isEqualTo("settle");
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.message().payloadAsString()).isEqualTo("poison");
            assertThat(d.replayed()).isFalse();
        });

        assertThat(client.deadLetters().replay("payments.dlq", 100)).isEqualTo(1);
        await().atMost(WAIT).until(() -> consumer.acked() == 1);
        assertThat(seen).containsEntry("poison", 2);
        assertThat(client.deadLetters().list()).filteredOn(t -> t.name().equals("payments.dlq"))
                .singleElement().satisfies(t -> assertThat(t.depth()).isZero());
        assertThat(client.deadLetters().inspect("payments.dlq", 0, 0, 10).getFirst().replayed()).isTrue();
        consumer.close();
    }
}
