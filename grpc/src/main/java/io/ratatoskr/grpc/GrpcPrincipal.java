package io.ratatoskr.grpc;

import io.ratatoskr.core.security.Principal;

/**
 * The principal of the current gRPC call, put into the call's {@link io.grpc.Context} by the
 * authenticating interceptor.
 *
 * <p>Thread-safety: stateless; the context is per call.
 */
public final class GrpcPrincipal {
    public static final io.grpc.Context.Key<Principal> KEY = io.grpc.Context.key("ratatoskr-principal");

    private GrpcPrincipal() {}

    /** The calling principal; anonymous when the call was not authenticated. */
    public static Principal current() {
        Principal p = KEY.get();
        return p != null ? p : Principal.anonymous("grpc");
    }
}
