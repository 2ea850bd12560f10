package io.ratatoskr.core.session;

import java.time.Clock;
import java.util.Collection;
import java.util.function.Consumer;

/** What a session needs from the broker that holds it. Implementations are thread-safe. */
public interface SessionHost {

    Clock clock();

    SessionConfig sessionConfig();

    /** Where persistent sessions keep their state; {@link SessionJournal#NONE} when nowhere. */
    SessionJournal journal();

    /** Publishes a will message on behalf of a session. */
    void publishWill(Session session, Will will);

    /**
     * Hands a shared-subscription delivery to another connected member of its group.
     *
     * @return false if no other member is connected; the session keeps the delivery then
     */
    boolean redistribute(Session from, Delivery delivery);

    /** Removes the given subscriptions of a session from the subscription table. */
    void removeSubscriptions(Session session, Collection<String> filters);

    /** The session ended: forget it. */
    void sessionEnded(Session session);

    /** Connects again from scratch: the session the connect was sent to had ended meanwhile. */
    void reconnect(ConnectRequest request, SessionLink link, SessionLoop loop, Consumer<ConnectResult> callback);

    /** Counts a message not delivered. */
    void dropped(DropReason reason);
}
