package io.ratatoskr.core.security.acl;

import io.ratatoskr.core.security.Principal;
import io.ratatoskr.core.security.acl.AclRule.Action;
import io.ratatoskr.core.topic.Topics;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of one principal, compiled: the rules of every section that applies to it (see
 * {@link AclRules}), with {@code %u}/{@code %c} substituted, as plain filter strings
 * per action and effect. Publishing walks these arrays with {@link Topics#matches} — no regex and no
 * allocation — so a decision costs O(rules of this principal × topic length).
 *
 * <p>Thread-safety: immutable.
 */
final class AclPolicy {
    private static final int ACTIONS = Action.values().length;
    private final String[][] allow = new String[ACTIONS][];
    private final String[][] deny = new String[ACTIONS][];
    /** Per action: an unfillable deny rule with a placeholder in its first level denies every topic. */
    private final boolean[] denyAll = new boolean[ACTIONS];

    AclPolicy(List<AclRule> rules, Principal principal) {
        List<List<String>> allows = new ArrayList<>();
        List<List<String>> denies = new ArrayList<>();
        for (int i = 0; i < ACTIONS; i++) {
            allows.add(new ArrayList<>());
            denies.add(new ArrayList<>());
        }
        for (AclRule rule : rules) {
            if (!rule.subject().appliesTo(principal.username(), principal.clientId(), principal.groups())) {
                continue;
            }
            String pattern = AclPatterns.substitute(rule.pattern(), principal.username(), principal.clientId());
            if (pattern == null) {
                if (rule.allow()) {
                    continue; // %u of an anonymous principal, or a value that would widen the rule: grants nothing
                }
                // Fail closed: a deny that cannot be filled in denies everything it could have matched.
                pattern = AclPatterns.unfilledDeny(rule.pattern());
                if (pattern == null) {
                    for (Action action : rule.actions()) {
                        denyAll[action.ordinal()] = true;
                    }
                    continue;
                }
            }
            for (Action action : rule.actions()) {
                (rule.allow() ? allows : denies).get(action.ordinal()).add(pattern);
            }
        }
        for (int i = 0; i < ACTIONS; i++) {
            allow[i] = allows.get(i).toArray(String[]::new);
            deny[i] = denies.get(i).toArray(String[]::new);
        }
    }

    /** Publish and admin: a deny pattern matching the topic wins; otherwise an allow pattern must match. */
    boolean mayAct(Action action, String topic) {
        if (denyAll[action.ordinal()]) {
            return false;
        }
        for (String pattern : deny[action.ordinal()]) {
            if (Topics.matches(pattern, topic)) {
                return false;
            }
        }
        for (String pattern : allow[action.ordinal()]) {
            if (Topics.matches(pattern, topic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Subscribe, on a plain filter: refused if a deny pattern intersects it (the subscription could
     * receive a denied topic); otherwise allowed if an allow pattern covers all of it.
     */
    boolean maySubscribe(String filter) {
        int i = Action.SUBSCRIBE.ordinal();
        if (denyAll[i]) {
            return false;
        }
        for (String pattern : deny[i]) {
            if (AclPatterns.intersect(pattern, filter)) {
                return false;
            }
        }
        for (String pattern : allow[i]) {
            if (AclPatterns.covers(pattern, filter)) {
                return true;
            }
        }
        return false;
    }
}
