package io.ratatoskr.client;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A call to the broker failed: {@link #code()} is the stable code from the broker's error catalogue
 * (e.g. {@code TOPIC_NOT_FOUND}, {@code MESSAGE_TOO_LARGE}), {@link #status()} the gRPC status code
 * and {@link #getMessage()} the broker's readable sentence.
 *
 * <p>The code comes from the {@code google.rpc.ErrorInfo} the broker puts in the status details. A
 * failure that never reached the broker (connection refused, deadline, client closed) carries no
 * catalogue code: {@link #code()} is then the gRPC status name ({@code UNAVAILABLE},
 * {@code DEADLINE_EXCEEDED}, ...).
 *
 * <p>Thread-safety: immutable.
 */
public final class RatatoskrClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String DOMAIN = "ratatoskr.io";

    private final String code;
    private final Status.Code status;

    /** An error with catalogue {@code code}, gRPC {@code status} and {@code message}. */
    public RatatoskrClientException(String code, Status.Code status, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
    }

    /** The catalogue code (e.g. {@code TOPIC_NOT_FOUND}), or the gRPC status name when the broker gave none. */
    public String code() {
        return code;
    }

    /** The gRPC status code the call ended with. */
    public Status.Code status() {
        return status;
    }

    @Override
    public String toString() {
        return "RatatoskrClientException[" + code + ", " + status + "]: " + getMessage();
    }

    /**
     * {@code failure} as a client exception: a gRPC failure's status and catalogue code, or
     * {@code UNKNOWN} for anything else. Completion wrappers are unwrapped.
     */
    static RatatoskrClientException from(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RatatoskrClientException e) {
            return e;
        }
        Status status = Status.fromThrowable(t);
        String code = status.getCode().name();
        com.google.rpc.Status details = StatusProto.fromThrowable(t);
        if (details != null) {
            for (var any : details.getDetailsList()) {
                if (any.is(ErrorInfo.class)) {
                    try {
                        ErrorInfo info = any.unpack(ErrorInfo.class);
                        if (DOMAIN.equals(info.getDomain()) && !info.getReason().isEmpty()) {
                            code = info.getReason();
                        }
                    } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
                        // A malformed detail: keep the status name as the code.
                    }
                }
            }
        }
        String message = status.getDescription() != null ? status.getDescription()
                : status.getCause() != null ? String.valueOf(status.getCause()) : status.getCode().name();
        return new RatatoskrClientException(code, status.getCode(), message, t);
    }
}
