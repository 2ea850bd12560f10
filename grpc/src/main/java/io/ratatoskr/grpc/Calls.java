package io.ratatoskr.grpc;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ratatoskr.core.error.ErrorCode;
import io.ratatoskr.core.error.RatatoskrException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a unary handler answers: with the value its code returns or the future it starts completes
 * with, or with the catalogue status of what it threw (see {@link GrpcErrors}). A call already
 * cancelled (its client gone or its deadline passed — grpc-java cancels the call's context then) is
 * not started, and a future that completes after the cancellation is not answered: the client has
 * already seen CANCELLED or DEADLINE_EXCEEDED.
 *
 * <p>Thread-safety: stateless; each call's observer is used by one thread at a time (the call
 * thread, then the thread that completes the future).
 */
final class Calls {
    private Calls() {
    }

    /** Answers with what {@code handler} returns (it runs now, on the call thread). */
    static <T> void unary(StreamObserver<T> response, Supplier<T> handler) {
        if (abandoned(response)) {
            return;
        }
        T value;
        try {
            value = handler.get();
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatus(e));
            return;
        }
        response.onNext(value);
        response.onCompleted();
    }

    /** Answers when the future {@code handler} returns completes (never blocking the call thread). */
    static <T> void async(StreamObserver<T> response, Supplier<CompletableFuture<T>> handler) {
        async(response, handler, failure -> {});
    }

    /** As {@link #async(StreamObserver, Supplier)}, telling {@code onFailure} (e.g. a metric) when the call fails. */
    static <T> void async(StreamObserver<T> response, Supplier<CompletableFuture<T>> handler,
                          Consumer<Throwable> onFailure) {
        if (abandoned(response)) {
            return;
        }
        ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) response;
        CompletableFuture<T> future;
        try {
            future = handler.get();
        } catch (RuntimeException e) {
            onFailure.accept(e);
            response.onError(GrpcErrors.toStatus(e));
            return;
        }
        // Waiting compositions stop when the call goes; work already handed to storage completes.
        call.setOnCancelHandler(() -> future.cancel(false));
        future.whenComplete((value, failure) -> {
            if (call.isCancelled()) {
                return;
            }
            if (failure != null) {
                onFailure.accept(failure);
                call.onError(GrpcErrors.toStatus(failure));
            } else {
                call.onNext(value);
                call.onCompleted();
            }
        });
    }

    /** Whether the call is cancelled already (then it is not started). */
    private static boolean abandoned(StreamObserver<?> response) {
        if (!Context.current().isCancelled()) {
            return false;
        }
        if (response instanceof ServerCallStreamObserver<?> call && call.isCancelled()) {
            return true;
        }
        response.onError(Status.DEADLINE_EXCEEDED.withDescription("the call's deadline passed before it started")
                .asRuntimeException());
        return true;
    }

    /** Whether {@code failure} (possibly wrapped by a completion) is a catalogue error {@code code}. */
    static boolean isCode(Throwable failure, ErrorCode code) {
        return GrpcErrors.unwrap(failure) instanceof RatatoskrException e && e.code() == code;
    }

    /**
     * Refuses a request field: INVALID_ARGUMENT with {@code message}, a sentence that names the
     * field and what is allowed.
     */
    static void check(boolean ok, String message) {
        if (!ok) {
            throw ErrorCode.INVALID_ARGUMENT.exception(message);
        }
    }

    /** {@code value}, or {@code fallback} when it is 0 (a field left unset); refused outside min..max. */
    static int orDefault(int value, int fallback, int min, int max, String field) {
        int v = value == 0 ? fallback : value;
        check(v >= min && v <= max, field + " must be in " + min + ".." + max + ", was " + value);
        return v;
    }

    /** Refuses an empty name field. */
    static String required(String value, String field) {
        check(value != null && !value.isEmpty(), field + " is required");
        return value;
    }
}
