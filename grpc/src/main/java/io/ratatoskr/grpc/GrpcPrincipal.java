package io.ratatoskr.grpc;

import io.grpc.Context;
import io.ratatoskr.core.security.Principal;

/**
 * Where a gRPC call finds who is calling: the authentication interceptor ({@link GrpcAuthInterceptor})
 * puts the authenticated {@link Principal} in the call's {@link Context}.
 *
 * <p>Thread-safety: stateless.
 */
public final class GrpcPrincipal {
    public static final Context.Key<Principal> KEY = Context.key("ratatoskr-principal");

    private GrpcPrincipal() {}

    /** The calling principal; anonymous when the call was not authenticated. */
    public static Principal current() {
        Principal p = KEY.get();
        return p != null ? p : Principal.anonymous("grpc");
    }
}
