package io.ratatoskr.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.ratatoskr.api.v1.Error;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the broker's error catalogue to gRPC: the status code the catalogue gives, the sentence as
 * the status message, and a {@code google.rpc.ErrorInfo} detail whose reason is the stable code.
 *
 * <p>Thread-safety: stateless.
 */
public final class GrpcErrors {
    /** The {@code ErrorInfo.domain} of every error the broker returns. */
    public static final String DOMAIN = "ratatoskr.io";

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    /** The status a call ends with for {@code failure} (unwrapped from completion wrappers). */
    public static StatusRuntimeException toStatus(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (t instanceof RatatoskrException e) {
            return toStatus(e.code(), e.getMessage());
        }
        if (t instanceof IllegalArgumentException) {
            return toStatus(ErrorCode.INVALID_ARGUMENT, t.getMessage());
        }
        if (t instanceof java.util.concurrent.RejectedExecutionException) {
            return toStatus(ErrorCode.UNAVAILABLE, "the broker is busy with other administrative work; retry later");
        }
        if (t instanceof CancellationException) {
            return Status.CANCELLED.withDescription("cancelled").asRuntimeException();
        }
        log.warn("unexpected failure in a gRPC call", t);
        return toStatus(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(String.valueOf(t)));
    }

    /** The status for catalogue error {@code code} with {@code message}. */
    public static StatusRuntimeException toStatus(ErrorCode code, String message) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.grpcStatus())
                .setMessage(message == null ? code.name() : message)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(code.name()).build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /** {@code failure} as an {@link Error} value, for errors reported inside a response. */
    public static Error toError(Throwable failure) {
        Throwable t = unwrap(failure);
        ErrorCode code = t instanceof RatatoskrException e ? e.code()
                : t instanceof IllegalArgumentException ? ErrorCode.INVALID_ARGUMENT : ErrorCode.INTERNAL;
        return toError(code, t.getMessage());
    }

    /** Catalogue error {@code code} with {@code message} as an {@link Error} value. */
    public static Error toError(ErrorCode code, String message) {
        return Error.newBuilder().setCode(code.name()).setStatus(code.grpcStatus())
                .setMessage(message == null ? code.name() : message).build();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
