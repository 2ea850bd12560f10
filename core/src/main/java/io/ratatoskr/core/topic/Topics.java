package io.ratatoskr.core.topic;

/**
 * Validation of MQTT topic names and topic filters (MQTT 5.0 §4.7, MQTT 3.1.1 §4.7). Stateless.
 *
 * <p>Methods return {@code null} for a valid input and otherwise a short explanation, so callers
 * can map the failure to their protocol's reason code without exceptions. UTF-8 validity and the
 * absence of U+0000 are the codec's job; the 65,535-byte bound comes from the wire format.
 */
public final class Topics {
    public static final String SHARED_PREFIX = "$share/";
    public static final String SYS_PREFIX = "$SYS";
    /** Consumer-group subscriptions: {@code $queue/<group>/<durable topic>}, served outside the routing table. */
    public static final String QUEUE_PREFIX = "$queue/";

    private Topics() {
    }

    /**
     * Checks a topic name as used in PUBLISH and will messages, and that its UTF-8 form has at most
     * {@code maxBytes} bytes (checked first, so an over-long name costs no level scan).
     */
    public static String checkName(String topic, int maxLevels, int maxBytes) {
        String tooLong = checkLength(topic, maxBytes, "name");
        return tooLong != null ? tooLong : checkName(topic, maxLevels);
    }

    /** Checks a topic filter as {@link #checkFilter(String, int)} does, and its UTF-8 length. */
    public static String checkFilter(String filter, int maxLevels, int maxBytes) {
        String tooLong = checkLength(filter, maxBytes, "filter");
        return tooLong != null ? tooLong : checkFilter(filter, maxLevels);
    }

    private static String checkLength(String topic, int maxBytes, String what) {
        // A char is at most 3 UTF-8 bytes (a surrogate pair is 2 chars and 4 bytes): count only when it matters.
        if ((long) topic.length() * 3 <= maxBytes) {
            return null;
        }
        int bytes = topic.length() > maxBytes ? Integer.MAX_VALUE : utf8Length(topic);
        return bytes > maxBytes ? "topic " + what + " is longer than " + maxBytes + " bytes" : null;
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** Checks a topic name as used in PUBLISH and will messages. */
    public static String checkName(String topic, int maxLevels) {
        if (topic.isEmpty()) {
            return "topic name must not be empty [MQTT-4.7.3-1]";
        }
        int levels = 1;
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#') {
                return "topic name must not contain wildcards '+' or '#' [MQTT-3.3.2-2]";
            }
            if (c == '/' && ++levels > maxLevels) {
                return "topic name has more than " + maxLevels + " levels";
            }
        }
        return null;
    }

    /**
     * Checks a topic filter as used in SUBSCRIBE and UNSUBSCRIBE, including the {@code $share}
     * form (§4.8.2): {@code $share/<ShareName>/<filter>} where ShareName is non-empty and holds no
     * '/', '+' or '#'.
     */
    public static String checkFilter(String filter, int maxLevels) {
        if (filter.isEmpty()) {
            return "topic filter must not be empty [MQTT-4.7.3-1]";
        }
        String plain = filter;
        if (filter.startsWith(SHARED_PREFIX)) {
            int slash = filter.indexOf('/', SHARED_PREFIX.length());
            if (slash < 0 || slash == SHARED_PREFIX.length()) {
                return "shared subscription needs the form $share/<ShareName>/<filter> [MQTT-4.8.2-1]";
            }
            String shareName = filter.substring(SHARED_PREFIX.length(), slash);
            if (shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
                return "ShareName must not contain '+' or '#' [MQTT-4.8.2-2]";
            }
            plain = filter.substring(slash + 1);
            if (plain.isEmpty()) {
                return "shared subscription has an empty topic filter [MQTT-4.8.2-1]";
            }
        }
        int levels = 1;
        int levelStart = 0;
        for (int i = 0; i <= plain.length(); i++) {
            if (i == plain.length() || plain.charAt(i) == '/') {
                int len = i - levelStart;
                for (int j = levelStart; j < i; j++) {
                    char c = plain.charAt(j);
                    if (c == '+' && len != 1) {
                        return "'+' must occupy an entire level of the filter [MQTT-4.7.1-2]";
                    }
                    if (c == '#') {
                        if (len != 1) {
                            return "'#' must occupy an entire level of the filter [MQTT-4.7.1-1]";
                        }
                        if (i != plain.length()) {
                            return "'#' must be the last level of the filter [MQTT-4.7.1-1]";
                        }
                    }
                }
                if (i < plain.length() && ++levels > maxLevels) {
                    return "topic filter has more than " + maxLevels + " levels";
                }
                levelStart = i + 1;
            }
        }
        return null;
    }

    public static boolean isShared(String filter) {
        return filter.startsWith(SHARED_PREFIX);
    }

    /** Whether a filter names a consumer group ({@code $queue/...}, or the bare {@code $queue}). */
    public static boolean isQueue(String filter) {
        return filter.startsWith(QUEUE_PREFIX) || filter.equals("$queue");
    }

    public static boolean isWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    /**
     * Whether a topic name matches a (non-shared) filter. Names starting with '$' are not matched
     * by filters starting with a wildcard [MQTT-4.7.2-1]. '+' matches one level, possibly empty;
     * '#' matches the parent level and any number of child levels [MQTT-4.7.1-2]. The filter must
     * be valid.
     */
    public static boolean matches(String filter, String topic) {
        if (!topic.isEmpty() && topic.charAt(0) == '$'
                && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int f = 0;
        int t = 0;
        while (true) {
            int fEnd = levelEnd(filter, f);
            int tEnd = levelEnd(topic, t);
            int fLen = fEnd - f;
            if (fLen == 1 && filter.charAt(f) == '#') {
                return true;
            }
            boolean wildcard = fLen == 1 && filter.charAt(f) == '+';
            if (!wildcard && (fLen != tEnd - t || !filter.regionMatches(f, topic, t, fLen))) {
                return false;
            }
            boolean filterDone = fEnd == filter.length();
            boolean topicDone = tEnd == topic.length();
            if (filterDone || topicDone) {
                if (filterDone && topicDone) {
                    return true;
                }
                // "sport/#" also matches "sport": only a trailing "/#" may remain.
                return topicDone && filter.length() - fEnd == 2 && filter.charAt(fEnd + 1) == '#';
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }

    private static int levelEnd(String s, int from) {
        int i = s.indexOf('/', from);
        return i < 0 ? s.length() : i;
    }
}
