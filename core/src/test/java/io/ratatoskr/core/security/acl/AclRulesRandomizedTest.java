package io.ratatoskr.core.security.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.security.Principal;
import io.ratatoskr.testkit.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Compares the compiled ACL ({@link AclRules}) with a reference that knows nothing of filter
 * algebra: it enumerates every topic name over a small alphabet (the levels used in the rules plus a
 * fresh one, one level deeper than any filter) and decides by brute force — a subscription is allowed
 * when every topic the filter matches is allowed by some allow rule, and refused when some topic it
 * matches is matched by a deny rule.
 */
class AclRulesRandomizedTest {
    private static final String[] LEVELS = {"a", "b", "$s", "", "%u", "%c", "x%c"};
    private static final String[] NAMES = {"a", "b", "u1", "c/1", "+", "#", "$s"};
    private static final int MAX_LEVELS = 3;

    @Test
    void compiledRulesDecideAsTheBruteForceReference() {
        SplittableRandom random = Seeds.random("AclRulesRandomizedTest", 0x5eed_ac1L);
        for (int round = 0; round < 1000; round++) {
            StringBuilder file = new StringBuilder("ratatoskr-acl 1\n");
            List<Ref> refs = new ArrayList<>();
            int sections = 1 + random.nextInt(3);
            for (int s = 0; s < sections; s++) {
                String[] subject = pick(random, new String[] {"all", "anonymous", "user u1", "user c/1", "group g",
                        "client c1", "client +"}).split(" ");
                file.append(String.join(" ", subject)).append('\n');
                int n = 1 + random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    boolean allow = random.nextInt(4) != 0;
                    String action = pick(random, new String[] {"publish", "subscribe", "both"});
                    String pattern = randomFilter(random, true);
                    file.append(allow ? "allow " : "deny ").append(action).append(' ').append(pattern).append('\n');
                    refs.add(new Ref(subject, allow, action, pattern));
                }
            }
            AclRules compiled = new AclRules(AclFile.parse(file.toString()));
            for (int q = 0; q < 20; q++) {
                Principal principal = randomPrincipal(random);
                String filter = randomFilter(random, false);
                if (!filter.contains("+") && !filter.contains("#")) {
                    assertThat(compiled.mayPublish(principal, filter))
                            .as("publish %s to %s under%n%s", principal, filter, file)
                            .isEqualTo(referencePublish(refs, principal, filter));
                }
                assertThat(compiled.maySubscribe(principal, filter))
                        .as("subscribe %s to %s under%n%s", principal, filter, file)
                        .isEqualTo(referenceSubscribe(refs, principal, filter));
            }
        }
    }

    private record Ref(String[] subject, boolean allow, String action, String pattern) {
        boolean appliesTo(Principal p, String actionAsked) {
            boolean section = switch (subject[0]) {
                case "all" -> true;
                case "anonymous" -> p.username() == null;
                case "user" -> subject[1].equals(p.username());
                case "group" -> p.groups().contains(subject[1]);
                default -> subject[1].equals(p.clientId());
            };
            return section && (action.equals("both") || action.equals(actionAsked));
        }

        /** Whether this deny rule fails closed for {@code p}: a placeholder it cannot fill. */
        boolean unfilled(Principal p) {
            return !allow && concrete(p) == null;
        }

        /**
         * What an unfilled deny rule denies, by definition: the topics that start with the levels before
         * the placeholder's level and go on with anything (a value could have held '/'); a first-level
         * placeholder: every topic. A leading '+' does not reach $-topics.
         */
        boolean unfilledMatches(String topic) {
            String[] levels = pattern.split("/", -1);
            StringBuilder regex = new StringBuilder();
            int i = 0;
            for (; !levels[i].contains("%"); i++) {
                regex.append(levels[i].equals("+") ? "[^/]*" : java.util.regex.Pattern.quote(levels[i])).append('/');
            }
            if (i > 0 && levels[0].equals("+") && topic.startsWith("$")) {
                return false;
            }
            return topic.matches(regex + ".*");
        }

        /** Substitution by plain string replacement; null when the rule must not apply. */
        String concrete(Principal p) {
            if (pattern.contains("%u") && !literal(p.username()) || pattern.contains("%c") && !literal(p.clientId())) {
                return null;
            }
            return pattern.replace("%u", String.valueOf(p.username())).replace("%c", p.clientId());
        }

        private static boolean literal(String v) {
            return v != null && !v.isEmpty() && !v.startsWith("$") && !v.contains("/") && !v.contains("+")
                    && !v.contains("#");
        }
    }

    private static boolean referencePublish(List<Ref> refs, Principal p, String topic) {
        boolean allowed = false;
        for (Ref r : refs) {
            if (r.appliesTo(p, "publish") && r.unfilled(p) && r.unfilledMatches(topic)) {
                return false;
            }
            String pattern = r.appliesTo(p, "publish") ? r.concrete(p) : null;
            if (pattern != null && matches(pattern, topic)) {
                if (!r.allow()) {
                    return false;
                }
                allowed = true;
            }
        }
        return allowed;
    }

    private static boolean referenceSubscribe(List<Ref> refs, Principal p, String filter) {
        List<String> allows = new ArrayList<>();
        List<String> denies = new ArrayList<>();
        List<Ref> unfilled = new ArrayList<>();
        for (Ref r : refs) {
            if (r.appliesTo(p, "subscribe") && r.unfilled(p)) {
                unfilled.add(r);
            }
            String pattern = r.appliesTo(p, "subscribe") ? r.concrete(p) : null;
            if (pattern != null) {
                (r.allow() ? allows : denies).add(pattern);
            }
        }
        boolean any = false;
        List<String> alphabetSources = new ArrayList<>(denies);
        unfilled.forEach(u -> alphabetSources.add(u.pattern()));
        for (String topic : universe(filter, allows, alphabetSources)) {
            if (!matches(filter, topic)) {
                continue;
            }
            any = true;
            if (denies.stream().anyMatch(d -> matches(d, topic)) || unfilled.stream().anyMatch(u -> u.unfilledMatches(topic))
                    || allows.stream().noneMatch(a -> matches(a, topic))) {
                return false;
            }
        }
        return any;
    }

    /**
     * Every topic the filter matches over the levels the filters use plus a fresh one, up to one level
     * deeper than any pattern: enough to witness any difference between filters of MAX_LEVELS levels.
     */
    private static List<String> universe(String filter, List<String> allows, List<String> denies) {
        Set<String> alphabet = new java.util.TreeSet<>(List.of("fresh", ""));
        for (String f : concat(filter, allows, denies)) {
            for (String level : f.split("/", -1)) {
                if (!level.equals("+") && !level.equals("#")) {
                    alphabet.add(level);
                }
            }
        }
        List<String> topics = new ArrayList<>();
        expand(filter.split("/", -1), 0, "", alphabet, topics);
        return topics;
    }

    private static void expand(String[] f, int i, String prefix, Set<String> alphabet, List<String> out) {
        String sep = i == 0 ? "" : "/";
        if (i == f.length) {
            out.add(prefix);
            return;
        }
        if (f[i].equals("#")) {
            if (i > 0) {
                out.add(prefix); // '#' also matches the parent level
            }
            List<String> level = i == 0 ? List.of("") : List.of(prefix);
            for (int depth = i; depth <= MAX_LEVELS; depth++) {
                List<String> next = new ArrayList<>();
                for (String p : level) {
                    for (String a : alphabet) {
                        next.add(p.isEmpty() && depth == 0 ? a : p + (depth == 0 ? "" : "/") + a);
                    }
                }
                out.addAll(next);
                level = next;
            }
            return;
        }
        if (f[i].equals("+")) {
            for (String a : alphabet) {
                expand(f, i + 1, prefix + sep + a, alphabet, out);
            }
        } else {
            expand(f, i + 1, prefix + sep + f[i], alphabet, out);
        }
    }

    private static List<String> concat(String filter, List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.add(filter);
        return all;
    }

    /** MQTT matching by splitting, written independently of Topics.matches. */
    private static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (t[0].startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    private static Principal randomPrincipal(SplittableRandom random) {
        String user = random.nextInt(3) == 0 ? null : pick(random, NAMES);
        String client = random.nextBoolean() ? "c1" : pick(random, NAMES);
        Set<String> groups = random.nextBoolean() ? Set.of("g") : Set.of();
        return user == null ? new Principal(null, client, groups, "anonymous")
                : new Principal(user, client, groups, "password");
    }

    private static String randomFilter(SplittableRandom random, boolean placeholders) {
        int n = 1 + random.nextInt(MAX_LEVELS);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int k = random.nextInt(10);
            if (k == 0 && i == n - 1) {
                sb.append('#');
            } else if (k <= 2) {
                sb.append('+');
            } else {
                String level = pick(random, LEVELS);
                if (!placeholders) {
                    level = level.replace("%", "");
                }
                sb.append(level);
            }
        }
        return sb.isEmpty() ? "a" : sb.toString();
    }

    private static String pick(SplittableRandom random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
