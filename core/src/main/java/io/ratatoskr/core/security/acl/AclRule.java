package io.ratatoskr.core.security.acl;

import java.util.Objects;
import java.util.Set;

/**
 * One line of an ACL file: who it is about, whether it allows or denies, which actions, and the topic
 * pattern (with {@code +}, {@code #}, {@code %u} and {@code %c} as {@link AclFile} describes).
 *
 * <p>Thread-safety: immutable.
 *
 * @param subject the section the rule is in
 * @param allow   {@code true} for {@code allow}, {@code false} for {@code deny}
 * @param actions the actions it governs ({@code both}/{@code readwrite} is publish and subscribe)
 * @param pattern the topic pattern, placeholders not yet substituted
 * @param line    the line number in the file, for messages
 */
public record AclRule(Subject subject, boolean allow, Set<Action> actions, String pattern, int line) {

    public AclRule {
        Objects.requireNonNull(subject, "subject");
        actions = Set.copyOf(actions);
        Objects.requireNonNull(pattern, "pattern");
    }

    /** What a rule governs. */
    public enum Action {
        /** Publishing to matching topic names (MQTT PUBLISH and will, gRPC Publish). */
        PUBLISH,
        /** Subscribing with filters the pattern covers (MQTT SUBSCRIBE, gRPC Subscribe, durable consumption). */
        SUBSCRIBE,
        /** Administration of matching durable topics and their consumer groups (gRPC and the admin API). */
        ADMIN,
        /** Reading the HTTP admin API ({@code admin-api read}; the rule's pattern is {@code #}). */
        ADMIN_API_READ,
        /** Changing things through the HTTP admin API ({@code admin-api write}; the rule's pattern is {@code #}). */
        ADMIN_API_WRITE
    }

    /** The section a rule belongs to: {@code user}, {@code group}, {@code client}, {@code all}, {@code anonymous}. */
    public record Subject(Kind kind, String name) {
        public Subject {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.ALL || kind == Kind.ANONYMOUS) != (name == null)) {
                throw new IllegalArgumentException(kind + " section " + (name == null ? "needs" : "takes no") + " name");
            }
        }

        /** Whether the rules of this section apply to {@code principal}'s parts. */
        boolean appliesTo(String username, String clientId, Set<String> groups) {
            return switch (kind) {
                case ALL -> true;
                case ANONYMOUS -> username == null;
                case USER -> name.equals(username);
                case GROUP -> groups.contains(name);
                case CLIENT -> name.equals(clientId);
            };
        }
    }

    public enum Kind { USER, GROUP, CLIENT, ALL, ANONYMOUS }
}
