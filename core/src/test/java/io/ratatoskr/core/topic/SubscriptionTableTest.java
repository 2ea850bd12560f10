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

    /**
     * Random subscribe / resubscribe / unsubscribe sequences, plain and shared, against a model that
     * matches with {@link Topics#matches}: the table reports each matching subscription once, with its
     * filter and its latest options, and each matching shared group once.
     */
    @Test
    void randomChangesMatchLikeTheReferenceModel() {
        SplittableRandom random = Seeds.random("SubscriptionTableTest.randomChangesMatchLikeTheReferenceModel",
                0x70_91C5L);
        String[] words = {"a", "b", "", "$SYS", "long-level-name", "x"};
        String[] keys = {"k0", "k1", "k2", "k3", "k4", "k5"};
        for (int round = 0; round < 50; round++) {
            SubscriptionTable<String> table = new SubscriptionTable<>();
            // model: (key, full filter) -> options
            java.util.Map<List<String>, SubscriptionOptions> model = new java.util.HashMap<>();
            for (int step = 0; step < 120; step++) {
                String key = keys[random.nextInt(keys.length)];
                String filter = randomFilter(random, words);
                if (random.nextInt(5) == 0) {
                    filter = "$share/" + (random.nextBoolean() ? "g1" : "g2") + "/" + filter;
                }
                List<String> id = List.of(key, filter);
                if (random.nextInt(3) == 0) {
                    assertThat(table.unsubscribe(key, filter)).isEqualTo(model.remove(id) != null);
                } else {
                    SubscriptionOptions options = new SubscriptionOptions(random.nextInt(3), random.nextBoolean(),
                            random.nextBoolean(), 0, random.nextInt(5));
                    assertThat(table.subscribe(key, filter, options)).isEqualTo(model.put(id, options) != null);
                }
                assertThat(table.size()).isEqualTo(model.size());
                String topic = randomTopic(random, words);
                List<String> expected = new ArrayList<>();
                java.util.Map<String, List<String>> expectedGroups = new java.util.TreeMap<>();
                model.forEach((k, options) -> {
                    String f = k.get(1);
                    if (Topics.isShared(f)) {
                        String plain = f.substring(f.indexOf('/', Topics.SHARED_PREFIX.length()) + 1);
                        if (Topics.matches(plain, topic)) {
                            expectedGroups.computeIfAbsent(f, g -> new ArrayList<>()).add(k.get(0) + " " + options);
                        }
                    } else if (Topics.matches(f, topic)) {
                        expected.add(k.get(0) + " " + f + " " + options);
                    }
                });
                List<String> actual = new ArrayList<>();
                java.util.Map<String, List<String>> actualGroups = new java.util.TreeMap<>();
                table.match(topic, new SubscriptionTable.Visitor<>() {
                    @Override
                    public void subscription(String key1, String filter1, SubscriptionOptions options) {
                        actual.add(key1 + " " + filter1 + " " + options);
                    }

                    @Override
                    public void sharedGroup(SharedGroup<String> group) {
                        List<String> members = new ArrayList<>();
                        for (SharedGroup.Member<String> m : group.members()) {
                            members.add(m.key() + " " + m.options());
                        }
                        assertThat(actualGroups.put(group.sharedFilter(), members)).as("group visited twice").isNull();
                    }
                });
                assertThat(actual).as("topic %s, model %s", topic, model).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(actualGroups.keySet()).as("topic %s", topic).isEqualTo(expectedGroups.keySet());
                actualGroups.forEach((g, members) ->
                        assertThat(members).containsExactlyInAnyOrderElementsOf(expectedGroups.get(g)));
            }
        }
    }

    /**
     * Lock-free matching while a writer churns the trie (new levels that grow and shrink the child tables,
     * subscriber arrays that grow, compact and empty): subscriptions that stay in place throughout are always
     * seen, exactly once each.
     */
    @Test
    void matchesDuringChurnAlwaysSeeTheStableSubscriptionsOnce() throws Exception {
        SplittableRandom random = Seeds.random("SubscriptionTableTest.matchesDuringChurn", 0xC4_07L);
        SubscriptionTable<String> table = new SubscriptionTable<>();
        table.subscribe("stable-exact", "a/b/c", SubscriptionOptions.ofQos(1));
        table.subscribe("stable-plus", "a/+/c", SubscriptionOptions.ofQos(1));
        table.subscribe("stable-hash", "a/#", SubscriptionOptions.ofQos(1));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong matched = new java.util.concurrent.atomic.AtomicLong();
        Thread reader = new Thread(() -> {
            java.util.Map<String, Integer> seen = new java.util.HashMap<>();
            SubscriptionTable.Visitor<String> visitor = new SubscriptionTable.Visitor<>() {
                @Override
                public void subscription(String key, String filter, SubscriptionOptions options) {
                    if (key.startsWith("stable")) {
                        seen.merge(key, 1, Integer::sum);
                    }
                }

                @Override
                public void sharedGroup(SharedGroup<String> group) {
                }
            };
            while (!stop.get() && failure.get() == null) {
                seen.clear();
                table.match("a/b/c", visitor);
                if (!seen.equals(java.util.Map.of("stable-exact", 1, "stable-plus", 1, "stable-hash", 1))) {
                    failure.set("a match saw " + seen);
                }
                matched.incrementAndGet();
            }
        }, "matcher");
        reader.start();
        try {
            List<String[]> live = new ArrayList<>();
            for (int i = 0; i < 40_000 && failure.get() == null; i++) {
                if (live.size() < 300 && (live.isEmpty() || random.nextInt(3) != 0)) {
                    // Siblings of the stable path's levels and extra subscribers on its very filters.
                    String filter = switch (random.nextInt(4)) {
                        case 0 -> "a/l" + random.nextInt(200) + "/c";
                        case 1 -> "a/b/l" + random.nextInt(200);
                        case 2 -> "l" + random.nextInt(200);
                        default -> random.nextBoolean() ? "a/b/c" : "a/+/c";
                    };
                    String key = "churn" + random.nextInt(1000);
                    if (!table.subscribe(key, filter, SubscriptionOptions.ofQos(0))) {
                        live.add(new String[] {key, filter});
                    }
                } else {
                    String[] s = live.remove(random.nextInt(live.size()));
                    assertThat(table.unsubscribe(s[0], s[1])).isTrue();
                }
            }
        } finally {
            stop.set(true);
            reader.join(10_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(matched.get()).isPositive();
    }

    /** Matching in the steady state allocates nothing (the results go to the caller's reused visitor). */
    @Test
    void matchingAllocatesNothing() {
        SubscriptionTable<String> table = new SubscriptionTable<>();
        String[] topics = new String[64];
        for (int i = 0; i < 2000; i++) {
            table.subscribe("s" + i, "fleet/" + (i % 10) + "/v" + i + "/speed", SubscriptionOptions.ofQos(1));
            table.subscribe("w" + i, "fleet/" + (i % 10) + "/v" + i + "/+", SubscriptionOptions.ofQos(1));
        }
        table.subscribe("all", "#", SubscriptionOptions.ofQos(0));
        table.subscribe("m", "$share/g/fleet/+/+/speed", SubscriptionOptions.ofQos(0));
        for (int i = 0; i < topics.length; i++) {
            topics[i] = "fleet/" + (i % 10) + "/v" + (i * 31) + "/speed";
        }
        int[] hits = new int[1];
        SubscriptionTable.Visitor<String> counter = new SubscriptionTable.Visitor<>() {
            @Override
            public void subscription(String key, String filter, SubscriptionOptions options) {
                hits[0]++;
            }

            @Override
            public void sharedGroup(SharedGroup<String> group) {
                hits[0]++;
            }
        };
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        for (String topic : topics) {
            table.match(topic, counter);
        }
        int rounds = 20_000;
        long before = threads.getThreadAllocatedBytes(self);
        for (int i = 0; i < rounds; i++) {
            table.match(topics[i & (topics.length - 1)], counter);
        }
        long allocated = threads.getThreadAllocatedBytes(self) - before;
        assertThat(hits[0]).isGreaterThan(rounds * 3);
        // A few hundred bytes of slack for the allocation counter itself; any per-match allocation would be MBs.
        assertThat(allocated).as("bytes allocated by %d matches", rounds).isLessThan(4096);
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
