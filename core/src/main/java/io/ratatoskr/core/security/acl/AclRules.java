package io.ratatoskr.core.security.acl;

import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.Principal;
import io.ratatoskr.core.security.acl.AclRule.Action;
import io.ratatoskr.core.topic.Topics;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One parsed ACL file as an {@link Authorizer} — deny by default.
 *
 * <p><b>Evaluation order.</b> For a principal, the rules that apply are those of the {@code all}
 * section, the {@code anonymous} section (no user name only), the {@code user} section of its user
 * name, every {@code group} section of its groups and the {@code client} section of its client id.
 * Among those, for the action asked:
 * <ol>
 *   <li>if any {@code deny} rule matches, the answer is no — a deny anywhere wins over any allow,
 *       whatever the order of lines or sections;</li>
 *   <li>otherwise, if any {@code allow} rule matches, yes;</li>
 *   <li>otherwise no (deny by default).</li>
 * </ol>
 * A rule "matches" a publish (or admin) topic when its pattern matches the topic name as an MQTT
 * filter; a subscription filter is allowed by an allow pattern that <em>covers</em> it (every topic
 * the filter can match, the pattern matches: {@code sensors/#} covers {@code sensors/+/temp}, not the
 * reverse) and refused by a deny pattern that <em>intersects</em> it (some topic matches both).
 * {@code $share/<name>/<filter>} is decided on {@code <filter>}, {@code $queue/<group>/<topic>} on
 * {@code <topic>} (consumer-group names are not access-controlled on their own); a malformed
 * {@code $share}/{@code $queue} filter is refused. {@code $SYS/...} is reached only by patterns whose
 * first level is {@code $SYS} [MQTT-4.7.2-1]. Placeholders: {@code %u} (user name) and {@code %c}
 * (client id) are substituted as literal text. When the value cannot be filled in — missing
 * (anonymous and {@code %u}), empty, starting with {@code $} or holding {@code /}, {@code +} or
 * {@code #} — an {@code allow} rule grants nothing and a {@code deny} rule fails closed: it denies
 * everything it could have matched ({@link AclPatterns#unfilledDeny}: every topic below the
 * levels before the placeholder's; with the placeholder in the first level, every topic).
 * Admin API rules ({@code admin-api read|write}) follow the same order: a matching deny wins,
 * then an allow, else no.
 *
 * <p><b>Cost.</b> Each distinct principal's rules are compiled once into an {@link AclPolicy} and
 * cached (at most {@value #MAX_CACHED} principals; when full the cache is emptied and refilled on use).
 * A publish decision is then one hash lookup by principal plus a scan of that principal's patterns
 * with {@link Topics#matches}: no regex, no allocation. The cache dies with this object on reload.
 *
 * <p>Thread-safety: immutable apart from the cache, a {@link ConcurrentHashMap}.
 */
public final class AclRules implements Authorizer {
    static final int MAX_CACHED = 65_536;
    private final List<AclRule> rules;
    private final ConcurrentHashMap<Principal, AclPolicy> cache = new ConcurrentHashMap<>();

    public AclRules(List<AclRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<AclRule> rules() {
        return rules;
    }

    @Override
    public boolean mayPublish(Principal principal, String topic) {
        return policy(principal).mayAct(Action.PUBLISH, topic);
    }

    @Override
    public boolean maySubscribe(Principal principal, String filter) {
        String plain = plainFilter(filter);
        return plain != null && policy(principal).maySubscribe(plain);
    }

    @Override
    public boolean mayAdminister(Principal principal, String topic) {
        return policy(principal).mayAct(Action.ADMIN, topic);
    }

    @Override
    public boolean mayUseAdminApi(Principal principal, boolean write) {
        return policy(principal).mayAct(write ? Action.ADMIN_API_WRITE : Action.ADMIN_API_READ, ADMIN_API_TOPIC);
    }

    /** What admin API rules (pattern {@code #}) are matched against. */
    private static final String ADMIN_API_TOPIC = "admin-api";

    /** The filter a subscription is decided on, or null for a malformed $share/$queue filter. */
    static String plainFilter(String filter) {
        String prefix = Topics.isShared(filter) ? Topics.SHARED_PREFIX
                : filter.startsWith(Topics.QUEUE_PREFIX) ? Topics.QUEUE_PREFIX : null;
        if (prefix == null) {
            return filter.equals("$queue") ? null : filter;
        }
        int slash = filter.indexOf('/', prefix.length());
        if (slash <= prefix.length() || slash == filter.length() - 1) {
            return null;
        }
        return filter.substring(slash + 1);
    }

    private AclPolicy policy(Principal principal) {
        AclPolicy policy = cache.get(principal);
        if (policy == null) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            policy = cache.computeIfAbsent(principal, p -> new AclPolicy(rules, p));
        }
        return policy;
    }
}
