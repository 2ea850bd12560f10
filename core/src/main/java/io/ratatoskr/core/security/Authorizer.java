package io.ratatoskr.core.security;

/**
 * Decides what an authenticated principal may do with topics. MQTT asks on PUBLISH (and for a
 * will at CONNECT) and on each SUBSCRIBE filter; gRPC asks the same questions for Publish (the
 * topic) and Subscribe/Consume (the filter or durable topic), so one set of rules governs both.
 *
 * <p>Thread-safety: implementations are thread-safe and fast (called once per publish on a network
 * thread: no I/O, no locks held for long).
 */
public interface Authorizer {

    /** Everything allowed: the default when no ACLs are configured. */
    Authorizer ALLOW_ALL = new Authorizer() {
        @Override
        public boolean mayPublish(Principal principal, String topic) {
            return true;
        }

        @Override
        public boolean maySubscribe(Principal principal, String filter) {
            return true;
        }

        @Override
        public boolean mayAdminister(Principal principal, String topic) {
            return true;
        }

        @Override
        public boolean mayUseAdminApi(Principal principal, boolean write) {
            return true;
        }
    };

    /** Whether {@code principal} may publish to the topic name {@code topic}. */
    boolean mayPublish(Principal principal, String topic);

    /** Whether {@code principal} may subscribe with {@code filter} (a filter, shared or not, or a topic). */
    boolean maySubscribe(Principal principal, String filter);

    /**
     * Whether {@code principal} may administer the durable topic {@code topic}: create, update or
     * delete it, configure or delete its consumer groups, replay its dead letters. By default only
     * whoever may both publish to and subscribe to the topic.
     */
    default boolean mayAdminister(Principal principal, String topic) {
        return mayPublish(principal, topic) && maySubscribe(principal, topic);
    }

    /**
     * Whether {@code principal} may call the HTTP admin API: {@code write} false for reading (GET and
     * HEAD calls, the dashboard's data, metrics), true for changing anything (POST, PUT, PATCH,
     * DELETE). A change to one durable topic or its consumer groups must also pass
     * {@link #mayAdminister}. Deny unless an implementation grants it.
     */
    default boolean mayUseAdminApi(Principal principal, boolean write) {
        return false;
    }
}
