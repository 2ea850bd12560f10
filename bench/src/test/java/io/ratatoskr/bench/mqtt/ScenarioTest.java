package io.ratatoskr.bench.mqtt;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioTest {

    @Test
    void perPublisherTopicsPairEachPublisherWithOneSubscriber() {
        Scenario s = new Scenario(4, 4, TopicLayout.parse("per-publisher"), "bench/r1");

        assertThat(s.topicOf(2)).isEqualTo("bench/r1/2");
        assertThat(s.filtersOf(2)).containsExactly("bench/r1/2");
        assertThat(s.receivers()).isDeepEqualTo(new int[][] {{0}, {1}, {2}, {3}});
    }

    @Test
    void moreSubscribersThanTopicsShareThem() {
        Scenario s = new Scenario(2, 5, TopicLayout.parse("per-publisher"), "b");

        assertThat(s.receivers()).isDeepEqualTo(new int[][] {{0, 2, 4}, {1, 3}});
    }

    @Test
    void oneTopicFansEveryMessageOutToEverySubscriber() {
        Scenario s = new Scenario(1, 10, TopicLayout.parse("1"), "b");

        assertThat(s.fanOut()).containsExactly(10);
        assertThat(s.filtersOf(9)).containsExactly("b/0");
    }

    @Test
    void wildcardSubscribersReceiveEveryPublisher() {
        Scenario s = new Scenario(3, 2, TopicLayout.parse("wildcard"), "b/x");

        assertThat(s.filtersOf(0)).containsExactly("b/x/#");
        assertThat(s.fanOut()).containsExactly(2, 2, 2);
    }

    @Test
    void topicsWithoutSubscribersHaveNoReceivers() {
        Scenario s = new Scenario(3, 1, TopicLayout.parse("3"), "b");

        assertThat(s.fanOut()).containsExactly(1, 0, 0);
    }

    @Test
    void layoutsDescribeThemselvesAsTheyAreParsed() {
        for (String form : List.of("per-publisher", "wildcard", "7")) {
            assertThat(TopicLayout.parse(form).describe()).isEqualTo(form);
        }
    }

    @Test
    void unknownLayoutsAreRefusedWithTheAcceptedForms() {
        assertThatThrownBy(() -> TopicLayout.parse("pairs")).hasMessageContaining("per-publisher, wildcard");
        assertThatThrownBy(() -> TopicLayout.parse("0")).hasMessageContaining("at least 1");
    }

    @Test
    void matchingFollowsMqttWildcards() {
        assertThat(Scenario.matches("a/#", "a")).isTrue();
        assertThat(Scenario.matches("a/#", "a/b/c")).isTrue();
        assertThat(Scenario.matches("a/+", "a/b")).isTrue();
        assertThat(Scenario.matches("a/+", "a/b/c")).isFalse();
        assertThat(Scenario.matches("a/b", "a/bc")).isFalse();
    }

    @Test
    void consumerGroupMembersShareTheDurableTopicAndEachMessageGoesToOne() {
        Scenario s = new Scenario(3, 2, TopicLayout.parse("queue:g1"), "orders");

        assertThat(s.topicOf(2)).isEqualTo("orders/2");
        assertThat(s.filtersOf(0)).containsExactly("$queue/g1/orders");
        assertThat(s.filtersOf(1)).containsExactly("$queue/g1/orders");
        assertThat(s.fanOut()).containsExactly(1, 1, 1);
        assertThat(s.receivers()).isDeepEqualTo(new int[][] {{0, 1}, {0, 1}, {0, 1}});
        assertThat(TopicLayout.parse("queue:g1").describe()).isEqualTo("queue:g1");
    }

    @Test
    void aSharedSubscriptionGroupGetsEveryPublisherButEachMessageOnce() {
        Scenario s = new Scenario(3, 4, TopicLayout.parse("shared:g"), "b/r1");

        assertThat(s.topicOf(2)).isEqualTo("b/r1/2");
        assertThat(s.filtersOf(3)).containsExactly("$share/g/b/r1/+");
        assertThat(s.fanOut()).containsExactly(1, 1, 1);
        assertThat(s.receivers()[0]).containsExactly(0, 1, 2, 3);
        assertThat(s.layout().needsDurableTopic()).isFalse();
        assertThat(TopicLayout.parse("shared:g").describe()).isEqualTo("shared:g");
        assertThatThrownBy(() -> TopicLayout.parse("shared:a/b")).hasMessageContaining("shared subscription group");
    }

    @Test
    void fanInOnOneTopicSendsEveryPublisherToTheOneSubscriber() {
        Scenario s = new Scenario(100, 1, TopicLayout.parse("1"), "b");

        assertThat(s.fanOut()).hasSize(100).containsOnly(1);
        assertThat(s.receivers()[99]).containsExactly(0);
    }

    @Test
    void aConsumerGroupNameMustBeOneTopicLevel() {
        assertThatThrownBy(() -> TopicLayout.parse("queue:a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicLayout.parse("queue:")).isInstanceOf(IllegalArgumentException.class);
    }
}
