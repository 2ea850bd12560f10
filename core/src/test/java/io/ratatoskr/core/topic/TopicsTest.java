package io.ratatoskr.core.topic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", "/", "a//b", "/finance", "$SYS/broker", "sport/tennis/player1", " ", "ü/€"})
    void validTopicNamesPass(String topic) {
        assertThat(Topics.checkName(topic, 64)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/+", "a/#", "+", "#", "a+b", "a#"})
    void topicNamesWithWildcardsOrEmptyAreRefused(String topic) {
        assertThat(Topics.checkName(topic, 64)).isNotNull();
    }

    @Test
    void topicNameLevelsAreBounded() {
        assertThat(Topics.checkName("a/b/c", 3)).isNull();
        assertThat(Topics.checkName("a/b/c/d", 3)).contains("more than 3 levels");
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+", "+/+", "a/+/b", "/+", "+/", "a//b", "$share/g/a/#", "$share/g/#",
        "$share/g/+/x", "sport/tennis/#", "$SYS/#"})
    void validFiltersPass(String filter) {
        assertThat(Topics.checkFilter(filter, 64)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a#", "a/b#", "a+", "a/+b", "#/a", "$share/g", "$share//a", "$share/g/",
        "$share/g+/a", "$share/#/a"})
    void invalidFiltersAreRefused(String filter) {
        assertThat(Topics.checkFilter(filter, 64)).isNotNull();
    }

    @Test
    void filterLevelsAreBounded() {
        assertThat(Topics.checkFilter("a/b/#", 3)).isNull();
        assertThat(Topics.checkFilter("a/b/c/#", 3)).contains("more than 3 levels");
    }

    // Examples from MQTT 5.0 §4.7.1 and §4.7.2.
    @ParameterizedTest
    @CsvSource({
        "sport/tennis/player1/#, sport/tennis/player1, true",
        "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
        "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
        "sport/#, sport, true",
        "#, sport/tennis, true",
        "sport/tennis/+, sport/tennis/player1, true",
        "sport/tennis/+, sport/tennis/player1/tournament, false",
        "sport/+, sport, false",
        "sport/+, sport/, true",
        "+/+, /finance, true",
        "/+, /finance, true",
        "+, /finance, false",
        "#, $SYS/broker, false",
        "+/monitor/Clients, $SYS/monitor/Clients, false",
        "$SYS/#, $SYS/monitor/Clients, true",
        "$SYS/monitor/+, $SYS/monitor/Clients, true",
        "a/b, a/b, true",
        "a/b, a/bc, false",
        "a/b, a, false",
        "a, a/b, false",
        "+/b, a/b, true",
        "a/+/c, a//c, true",
    })
    void matchingFollowsTheSpecExamples(String filter, String topic, boolean matches) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(matches);
    }
}
