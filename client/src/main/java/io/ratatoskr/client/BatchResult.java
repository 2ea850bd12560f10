package io.ratatoskr.client;

import io.grpc.Status;

/**
 * The outcome of one message of {@link RatatoskrClient#publishBatch}: {@link Stored} or {@link Failed}.
 * A refused message does not stop the others.
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface BatchResult permits BatchResult.Stored, BatchResult.Failed {

    /** One result of a {@code PublishBatch} response. */
    static BatchResult from(io.ratatoskr.api.v1.PublishResult r) {
        return r.hasStored() ? new Stored(PublishResult.from(r.getStored()))
                : new Failed(r.getError().getCode(), Status.fromCodeValue(r.getError().getStatus()).getCode(),
                        r.getError().getMessage());
    }

    /** Whether the message was stored. */
    default boolean isStored() {
        return this instanceof Stored;
    }

    /**
     * The message was stored.
     *
     * @param result where
     */
    record Stored(PublishResult result) implements BatchResult {
    }

    /**
     * The broker refused the message.
     *
     * @param code    the catalogue code, e.g. {@code MESSAGE_TOO_LARGE}
     * @param status  the gRPC status the same error ends a single publish with
     * @param message the broker's sentence
     */
    record Failed(String code, Status.Code status, String message) implements BatchResult {
        /** This failure as an exception, to throw. */
        public RatatoskrClientException toException() {
            return new RatatoskrClientException(code, status, message, null);
        }
    }
}
