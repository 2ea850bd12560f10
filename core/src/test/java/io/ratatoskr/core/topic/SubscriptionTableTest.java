package io.ratatoskr.core.topic;

import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionTableTest {

    private record Hit(String key, String filter) {
    }

    private static List<Hit> match(SubscriptionTable<String> table, String topic) {
        List<Hit> hits = new ArrayList<>();
        table.match(topic, new SubscriptionTable.Visitor<>() {
            @Override
            public void subscription(String key, String filter, SubscriptionOptions options) {
                hits.add(new Hit(key, filter));
            }

            @Override
            public void sharedGroup(SharedGroup<String> group) {
                hits.add(new Hit("group:" + group.shareName(), group.filter()));
            }
        });
        return hits;
    }

    @Test
    void exactAndWildcardSubscriptionsMatch() {
        SubscriptionTable<String> table = new SubscriptionTable<>();
        table.subscribe("s1", "sport/tennis/player1", SubscriptionOptions.ofQos(0));
        table.subscribe("s2", "sport/tennis/+", SubscriptionOptions.ofQos(1));
        table.subscribe("s3", "sport/#", SubscriptionOptions.ofQos(2));
        table.subscribe("s4", "#", SubscriptionOptions.ofQos(0));
        table.subscribe("s5", "news/#", SubscriptionOptions.ofQos(0));

        assertThat(match(table, "sport/tennis/player1")).containsExactlyInAnyOrder(
                new Hit("s1", "sport/tennis/player1"), new Hit("s2", "sport/tennis/+"),
                new Hit("s3", "sport/#"), new Hit("s4", "#"));
        assertThat(match(table, "sport")).containsExactlyInAnyOrder(new Hit("s3", "sport/#"), new Hit("s4", "#"));
    }

    @Test
    void dollarTopicsAreNotMatchedByLeadingWildcards() {
        SubscriptionTable<String> table = new SubscriptionTable<>();
        table.subscribe("all", "#", SubscriptionOptions.ofQos(0));
        table.subscribe("plus", "+/broker/uptime", SubscriptionOptions.ofQos(0));
        table.subscribe("sys", "$SYS/#", SubscriptionOptions.ofQos(0));
        assertThat(match(table, "$SYS/broker/uptime")).containsExactly(new Hit("sys", "$SYS/#"));
    }

    @Test
    void resubscribingReplacesOptionsAndReportsTheEarlierSubscription() {
        SubscriptionTable<String> table = new SubscriptionTable<>();
        assertThat(table.subscribe("s", "a/b", SubscriptionOptions.ofQos(0))).isFalse();
        assertThat(table.subscribe("s", "a/b", SubscriptionOptions.ofQos(2))).isTrue();
        assertThat(table.size()).isEqualTo(1);
        List<SubscriptionOptions> seen = new ArrayList<>();
        table.match("a/b", new SubscriptionTable.Visitor<>() {
            @Override
            public void subscription(String key, String filter, SubscriptionOptions options) {
                seen.add(options);
            }

            @Override
            public void sharedGroup(SharedGroup<String> group) {
            }
        });
        assertThat(seen).extracting(SubscriptionOptions::qos).containsExactly(2);
    }

    @Test
    void unsubscribeRemovesOnlyThatSubscriptionAndPrunesEmptyLevels() {
        SubscriptionTable<String> table = new SubscriptionTable<>();
        table.subscribe("s1", "a/b/c", SubscriptionOptions.ofQos(0));
        table.subscribe("s2", "a/b/c", SubscriptionOptions.ofQos(0));
        assertThat(table.unsubscribe("s1", "a/b/c")).isTrue();
        assertThat(table.unsubscribe("s1", "a/b/c")).isFalse();
        assertThat(table.unsubscribe("s1", "x/y")).isFalse();
        assertThat(match(table, "a/b/c")).containsExactly(new Hit("s2", "a/b/c"));
        assertThat(table.unsubscribe("s2", "a/b/c")).isTrue();
        assertThat(match(table, "a/b/c")).isEmpty();
        assertThat(table.size()).isZero();
        // The table is usable after pruning.
        table.subscribe("s3", "a/b/c", SubscriptionOptions.ofQos(0));
        assertThat(match(table, "a/b/c")).containsExactly(new Hit("s3", "a/b/c"));
    }

    @Test
    void sharedSubscriptionsFormOneGroupPerShareNameAndFilter() {
        SubscriptionTable<String> table = new SubscriptionTable<>();
        table.subscribe("m1", "$share/g1/jobs/+", SubscriptionOptions.ofQos(1));
        table.subscribe("m2", "$share/g1/jobs/+", SubscriptionOptions.ofQos(1));
        table.subscribe("m3", "$share/g2/jobs/+", SubscriptionOptions.ofQos(1));
        table.subscribe("plain", "jobs/+", SubscriptionOptions.ofQos(1));
        assertThat(match(table, "jobs/1")).containsExactlyInAnyOrder(
                new Hit("group:g1", "jobs/+"), new Hit("group:g2", "jobs/+"), new Hit("plain", "jobs/+"));
        assertThat(table.size()).isEqualTo(4);
        table.unsubscribe("m3", "$share/g2/jobs/+");
        assertThat(match(table, "jobs/1")).containsExactlyInAnyOrder(
                new Hit("group:g1", "jobs/+"), new Hit("plain", "jobs/+"));
    }

    @Test
    void sharedGroupPicksMembersRoundRobinPreferringAvailableOnes() {
        SubscriptionTable<String> table = new SubscriptionTable<>();
        for (String m : List.of("a", "b", "c")) {
            table.subscribe(m, "$share/g/t", SubscriptionOptions.ofQos(0));
        }
        SharedGroup<String>[] group = captureGroup(table, "t");
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(group[0].pick(k -> true).key());
        }
        assertThat(picks).containsExactly("a", "b", "c", "a", "b", "c");
        for (int i = 0; i < 4; i++) {
            assertThat(group[0].pick(k -> !k.equals("b")).key()).isNotEqualTo("b");
        }
        assertThat(group[0].pick(k -> false)).isNotNull();
        assertThat(group[0].pick(k -> true, "a").key()).isNotEqualTo("a");
    }

    @SuppressWarnings("unchecked")
    private static SharedGroup<String>[] captureGroup(SubscriptionTable<String> table, String topic) {
        SharedGroup<String>[] holder = new SharedGroup[1];
        table.match(topic, new SubscriptionTable.Visitor<>() {
            @Override
            public void subscription(String key, String filter, SubscriptionOptions options) {
            }

            @Override
            public void sharedGroup(SharedGroup<String> group) {
                holder[0] = group;
            }
        });
        return holder;
    }

    /** The trie must agree with the straightforward matcher on random filters and topics. */
    @Test
    void trieMatchingAgreesWithTheReferenceMatcherOnRandomInput() {
        SplittableRandom random = Seeds.random("SubscriptionTableTest.trieMatchingAgrees", 0x5EED_7AB1EL);
        String[] words = {"a", "b", "c", "", "$SYS", "x"};
        for (int round = 0; round < 200; round++) {
            SubscriptionTable<String> table = new SubscriptionTable<>();
            List<String> filters = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String filter = randomFilter(random, words);
                assertThat(Topics.checkFilter(filter, 64)).as(filter).isNull();
                filters.add(filter);
                table.subscribe("k" + i, filter, SubscriptionOptions.ofQos(0));
            }
            // Remove a few again, to exercise pruning.
            for (int i = 0; i < 5; i++) {
                int k = random.nextInt(filters.size());
                if (filters.get(k) != null) {
                    assertThat(table.unsubscribe("k" + k, filters.get(k))).isTrue();
                    filters.set(k, null);
                }
            }
            for (int t = 0; t < 50; t++) {
                String topic = randomTopic(random, words);
                Set<String> expected = new HashSet<>();
                for (int i = 0; i < filters.size(); i++) {
                    if (filters.get(i) != null && Topics.matches(filters.get(i), topic)) {
                        expected.add("k" + i);
                    }
                }
                Set<String> actual = new HashSet<>();
                for (Hit h : match(table, topic)) {
                    actual.add(h.key());
                }
                assertThat(actual).as("topic %s, filters %s", topic, filters).isEqualTo(expected);
            }
        }
    }

    private static String randomFilter(SplittableRandom r, String[] words) {
        int levels = 1 + r.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int pick = r.nextInt(10);
            if (pick == 0 && i == levels - 1) {
                sb.append('#');
            } else if (pick <= 2) {
                sb.append('+');
            } else {
                String w = words[r.nextInt(words.length)];
                sb.append(i > 0 && w.startsWith("$") ? "y" : w);
            }
        }
        return sb.isEmpty() ? "a" : sb.toString();
    }

    private static String randomTopic(SplittableRandom r, String[] words) {
        int levels = 1 + r.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            String w = words[r.nextInt(words.length)];
            sb.append(i > 0 && w.startsWith("$") ? "y" : w);
        }
        String s = sb.toString();
        return s.isEmpty() ? "a" : s;
    }
}
