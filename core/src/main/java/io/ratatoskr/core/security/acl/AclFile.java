package io.ratatoskr.core.security.acl;

import io.ratatoskr.core.security.acl.AclRule.Action;
import io.ratatoskr.core.security.acl.AclRule.Kind;
import io.ratatoskr.core.security.acl.AclRule.Subject;
import io.ratatoskr.core.topic.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parser of the ACL file ({@code acl.file}), format version 1: UTF-8 text, one statement per line.
 * The broker only reads this file (operators write it), so there is no atomic-write concern here; a
 * file that does not parse is refused as a whole (on reload the previous rules stay in force).
 *
 * <table>
 *   <caption>ACL file, version 1</caption>
 *   <tr><th>line</th><th>meaning</th></tr>
 *   <tr><td>{@code # ...} or blank</td><td>comment: a {@code #} at the start of a word starts a comment
 *       to the end of the line, except a lone {@code #} as the pattern of a rule ({@code allow both #})
 *       </td></tr>
 *   <tr><td>{@code ratatoskr-acl 1}</td><td>the format and version: the first statement, required</td></tr>
 *   <tr><td>{@code user <name>}</td><td>starts the rules of an authenticated user name</td></tr>
 *   <tr><td>{@code group <name>}</td><td>starts the rules of an ACL group (from the password file or a
 *       JWT claim)</td></tr>
 *   <tr><td>{@code client <client-id>}</td><td>starts the rules of a client identifier (authenticated or
 *       not)</td></tr>
 *   <tr><td>{@code all}</td><td>starts the rules of every principal, anonymous ones included</td></tr>
 *   <tr><td>{@code anonymous}</td><td>starts the rules of anonymous principals (no user name)</td></tr>
 *   <tr><td>{@code allow|deny <action> <pattern>}</td><td>a rule of the current section; action is
 *       {@code publish}, {@code subscribe}, {@code both} (alias {@code readwrite}: publish and subscribe)
 *       or {@code admin} (create, update and delete durable topics matching the pattern; configure,
 *       delete and replay their consumer groups)</td></tr>
 *   <tr><td>{@code allow|deny admin-api read|write}</td><td>a rule of the current section about the HTTP
 *       admin API: {@code read} is every GET (the dashboard's data, metrics), {@code write} every call
 *       that changes something. {@code allow admin-api write} grants reading too; {@code deny} denies
 *       just the access named. Changes to one durable topic also need an {@code admin} rule matching
 *       it</td></tr>
 * </table>
 *
 * <p>Patterns are MQTT topic filters ({@code +} one level, {@code #} the rest, [MQTT-4.7.1]) in which
 * {@code %u} stands for the user name and {@code %c} for the client identifier, anywhere inside a
 * level. Patterns may not start with {@code $share/} or {@code $queue/}: a shared or consumer-group
 * subscription is decided on the filter or topic inside it. Names and patterns contain no whitespace.
 * Any other {@code %} is an error. Bounds: 1 MiB of text and 100,000 rules.
 *
 * <p>Thread-safety: stateless.
 */
public final class AclFile {
    public static final String MAGIC = "ratatoskr-acl";
    public static final int VERSION = 1;
    /** The action word of admin API rules. */
    static final String ADMIN_API = "admin-api";
    static final int MAX_BYTES = 1 << 20;
    static final int MAX_RULES = 100_000;

    private AclFile() {
    }

    /** Reads and parses {@code file}; {@link AclFormatException} names the bad line. */
    public static List<AclRule> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new AclFormatException(file + ": " + size + " bytes exceeds the maximum of " + MAX_BYTES);
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses the text of an ACL file. */
    public static List<AclRule> parse(String text) {
        List<AclRule> rules = new ArrayList<>();
        boolean versioned = false;
        Subject subject = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String[] words = words(lines[i]);
            if (words.length == 0) {
                continue;
            }
            String keyword = words[0].toLowerCase(Locale.ROOT);
            if (!versioned) {
                if (!keyword.equals(MAGIC) || words.length != 2) {
                    throw error(lineNo, "the first statement must be '" + MAGIC + " " + VERSION + "'");
                }
                if (!words[1].equals(Integer.toString(VERSION))) {
                    throw error(lineNo, "unsupported ACL format version " + words[1] + " (this broker reads " + VERSION + ")");
                }
                versioned = true;
                continue;
            }
            switch (keyword) {
                case "user", "group", "client" -> {
                    if (words.length != 2) {
                        throw error(lineNo, "'" + keyword + "' takes exactly one name");
                    }
                    subject = new Subject(Kind.valueOf(keyword.toUpperCase(Locale.ROOT)), words[1]);
                }
                case "all", "anonymous" -> {
                    if (words.length != 1) {
                        throw error(lineNo, "'" + keyword + "' takes no name");
                    }
                    subject = new Subject(Kind.valueOf(keyword.toUpperCase(Locale.ROOT)), null);
                }
                case "allow", "deny" -> {
                    if (subject == null) {
                        throw error(lineNo, "a rule needs a section first (user, group, client, all or anonymous)");
                    }
                    if (words.length != 3) {
                        throw error(lineNo, "a rule reads '" + keyword + " <publish|subscribe|both|admin> <pattern>' "
                                + "or '" + keyword + " admin-api <read|write>'");
                    }
                    if (rules.size() >= MAX_RULES) {
                        throw error(lineNo, "more than " + MAX_RULES + " rules");
                    }
                    if (words[1].equalsIgnoreCase(ADMIN_API)) {
                        rules.add(new AclRule(subject, keyword.equals("allow"),
                                adminApiActions(lineNo, keyword.equals("allow"), words[2]), "#", lineNo));
                        continue;
                    }
                    rules.add(new AclRule(subject, keyword.equals("allow"), actions(lineNo, words[1]),
                            pattern(lineNo, words[2]), lineNo));
                }
                default -> throw error(lineNo, "unknown statement '" + words[0]
                        + "' (expected user, group, client, all, anonymous, allow or deny)");
            }
        }
        if (!versioned) {
            throw new AclFormatException("empty ACL file: the first statement must be '" + MAGIC + " " + VERSION + "'");
        }
        return List.copyOf(rules);
    }

    private static String[] words(String line) {
        int comment = -1;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))
                    && isCommentStart(line, i)) {
                comment = i;
                break;
            }
        }
        String content = comment < 0 ? line : line.substring(0, comment);
        content = content.strip();
        return content.isEmpty() ? new String[0] : content.split("\\s+");
    }

    /**
     * A {@code #} after whitespace starts a comment unless it is a whole pattern ({@code allow both #}):
     * that is, unless it stands alone as the third word of a rule.
     */
    private static boolean isCommentStart(String line, int hash) {
        boolean alone = hash + 1 == line.length() || Character.isWhitespace(line.charAt(hash + 1));
        if (!alone) {
            return true;
        }
        String[] before = line.substring(0, hash).strip().split("\\s+");
        String first = before.length == 0 ? "" : before[0].toLowerCase(Locale.ROOT);
        return !(before.length == 2 && (first.equals("allow") || first.equals("deny")));
    }

    private static Set<Action> actions(int lineNo, String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "publish" -> EnumSet.of(Action.PUBLISH);
            case "subscribe" -> EnumSet.of(Action.SUBSCRIBE);
            case "both", "readwrite" -> EnumSet.of(Action.PUBLISH, Action.SUBSCRIBE);
            case "admin" -> EnumSet.of(Action.ADMIN);
            default -> throw error(lineNo, "unknown action '" + word
                    + "' (expected publish, subscribe, both, admin or admin-api)");
        };
    }

    /** {@code admin-api read|write}: an allowed writer may read too; a deny denies just what it names. */
    private static Set<Action> adminApiActions(int lineNo, boolean allow, String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "read" -> EnumSet.of(Action.ADMIN_API_READ);
            case "write" -> allow ? EnumSet.of(Action.ADMIN_API_READ, Action.ADMIN_API_WRITE)
                    : EnumSet.of(Action.ADMIN_API_WRITE);
            default -> throw error(lineNo, "unknown admin API access '" + word + "' (expected read or write)");
        };
    }

    private static String pattern(int lineNo, String pattern) {
        if (pattern.startsWith(Topics.SHARED_PREFIX) || pattern.startsWith(Topics.QUEUE_PREFIX)) {
            throw error(lineNo, "pattern '" + pattern + "' names a $share/$queue subscription: write the filter or "
                    + "topic inside it; shared and consumer-group subscriptions are decided on that");
        }
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '%') {
                char next = i + 1 < pattern.length() ? pattern.charAt(i + 1) : ' ';
                if (next != 'u' && next != 'c') {
                    throw error(lineNo, "pattern '" + pattern + "': '%' must be followed by u (user name) or c (client id)");
                }
            }
        }
        String problem = Topics.checkFilter(pattern, Integer.MAX_VALUE);
        if (problem != null) {
            throw error(lineNo, "pattern '" + pattern + "': " + problem);
        }
        return pattern;
    }

    private static AclFormatException error(int line, String message) {
        return new AclFormatException("line " + line + ": " + message);
    }

    /** The file does not parse; the message names the line and the problem. */
    public static final class AclFormatException extends IllegalArgumentException {
        public AclFormatException(String message) {
            super(message);
        }
    }
}
