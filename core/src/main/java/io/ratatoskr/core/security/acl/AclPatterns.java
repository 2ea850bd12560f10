package io.ratatoskr.core.security.acl;

import io.ratatoskr.core.topic.Topics;

/**
 * Filter algebra for ACL decisions, on valid, non-shared MQTT filters: whether a pattern
 * {@linkplain #covers covers} a subscription filter (every topic the filter can match, the pattern
 * matches too) and whether two filters {@linkplain #intersect intersect} (some topic matches both),
 * plus the {@code %u}/{@code %c} substitution. Topic names starting with {@code $} are not matched by
 * a filter whose first level is a wildcard [MQTT-4.7.2-1], so {@code #} neither covers nor intersects
 * {@code $SYS/#}. Publishing uses {@link Topics#matches}, which allocates nothing.
 *
 * <p>Thread-safety: stateless.
 */
final class AclPatterns {
    private AclPatterns() {
    }

    /** Whether every topic name matched by {@code filter} is matched by {@code pattern}. */
    static boolean covers(String pattern, String filter) {
        String[] p = pattern.split("/", -1);
        String[] f = filter.split("/", -1);
        if (f[0].startsWith("$") && isWildcard(p[0])) {
            return false; // the filter reaches $-topics, which a leading wildcard never matches
        }
        if (filter.equals("#") && pattern.equals("+/#")) {
            return true; // both match every topic of one level or more (and no $-topic)
        }
        for (int i = 0; ; i++) {
            if (i < p.length && p[i].equals("#")) {
                return true; // '#' matches the rest, including the parent level [MQTT-4.7.1-2]
            }
            if (i == f.length) {
                return i == p.length;
            }
            if (i == p.length || f[i].equals("#")) {
                return false; // the filter reaches deeper than the pattern, or '#' where the pattern is narrower
            }
            if (!p[i].equals("+") && !(p[i].equals(f[i]))) {
                return false; // a literal level covers only the same literal (not '+')
            }
        }
    }

    /** Whether some topic name is matched by both filters. */
    static boolean intersect(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        if (x[0].startsWith("$") && isWildcard(y[0]) || y[0].startsWith("$") && isWildcard(x[0])) {
            return false;
        }
        for (int i = 0; ; i++) {
            boolean xEnd = i == x.length;
            boolean yEnd = i == y.length;
            if (!xEnd && x[i].equals("#") || !yEnd && y[i].equals("#")) {
                return true; // '#' also matches zero further levels, so whatever the other has fits
            }
            if (xEnd || yEnd) {
                return xEnd && yEnd;
            }
            if (!x[i].equals("+") && !y[i].equals("+") && !x[i].equals(y[i])) {
                return false;
            }
        }
    }

    private static boolean isWildcard(String level) {
        return level.equals("+") || level.equals("#");
    }

    /**
     * The pattern with {@code %u} and {@code %c} replaced, or null when the rule cannot apply: a
     * {@code %u} for an anonymous principal, or a value that is empty, contains {@code /}, {@code +} or
     * {@code #}, or starts with {@code $} (substituted values are literal text inside one level and
     * must never widen a rule or reach {@code $SYS}).
     */
    static String substitute(String pattern, String username, String clientId) {
        if (pattern.indexOf('%') < 0) {
            return pattern;
        }
        StringBuilder out = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch != '%') {
                out.append(ch);
                continue;
            }
            String value = pattern.charAt(++i) == 'u' ? username : clientId;
            if (!isLiteralLevelText(value)) {
                return null;
            }
            out.append(value);
        }
        return out.toString();
    }

    /**
     * What a deny rule whose placeholder cannot be filled (see {@link #substitute}) denies instead:
     * everything it could have matched with some value. A value may hold {@code /} and so span levels,
     * so the pattern is cut before its first level holding a placeholder, and any one or more levels
     * follow: {@code devices/%c/secrets/#} becomes {@code devices/+/#} (every topic below
     * {@code devices/}). With a placeholder in the first level the rule could have matched any topic,
     * {@code $}-topics included: then null, meaning everything.
     */
    static String unfilledDeny(String pattern) {
        int placeholder = pattern.indexOf('%');
        int cut = pattern.lastIndexOf('/', placeholder);
        return cut < 0 ? null : pattern.substring(0, cut) + "/+/#";
    }

    static boolean isLiteralLevelText(String value) {
        if (value == null || value.isEmpty() || value.charAt(0) == '$') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '/' || ch == '+' || ch == '#' || ch == 0) {
                return false;
            }
        }
        return true;
    }
}
