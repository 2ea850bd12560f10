package io.ratatoskr.http;

import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.Principal;

/**
 * Who makes an admin API call, as handlers see it: the authenticated principal and what decides about
 * it. A call already passed the role check ({@link Authorizer#mayUseAdminApi}) before its handler runs;
 * handlers that change one durable topic or its consumer groups also call {@link #requireAdminister}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param principal  the caller; {@code admin-token} for the static token, anonymous when unauthenticated
 * @param authorizer decides per topic; {@link Authorizer#ALLOW_ALL} for the static token and without ACLs
 */
public record Caller(Principal principal, Authorizer authorizer) {
    /** The holder of the static bearer token, or any caller while the API is open: may do everything. */
    public static final Caller UNRESTRICTED =
            new Caller(new Principal("admin-token", "http", java.util.Set.of(), "token"), Authorizer.ALLOW_ALL);

    /**
     * Refuses the call (403 {@code not_authorized}) unless the caller may administer the durable topic
     * {@code topic}: create, change or delete it, configure or delete its groups, replay its dead letters.
     */
    public void requireAdminister(String topic) {
        if (!authorizer.mayAdminister(principal, topic)) {
            throw ErrorCode.NOT_AUTHORIZED.exception("not authorized to administer durable topic '" + topic
                    + "' (ACL: an 'allow admin <pattern>' rule matching it is needed)");
        }
    }
}
