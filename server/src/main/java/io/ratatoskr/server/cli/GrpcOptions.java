package io.ratatoskr.server.cli;

import io.ratatoskr.client.RatatoskrClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where {@code pub --grpc}, {@code sub --grpc} and {@code consume} reach the broker's gRPC API; a picocli
 * mixin.
 *
 * <p>Thread-safety: confined to the command's thread.
 */
final class GrpcOptions {
    @Option(names = "--grpc-target", paramLabel = "HOST:PORT",
            defaultValue = "${env:RATATOSKR_GRPC_TARGET:-127.0.0.1:9090}",
            description = "gRPC listener of the broker (default: $RATATOSKR_GRPC_TARGET or ${DEFAULT-VALUE}).")
    String target;

    /** A plaintext client to {@link #target}; the caller closes it. */
    RatatoskrClient client() {
        return builder().build();
    }

    /** A plaintext client to {@link #target} telling {@code streamFailed} why a stream stopped for good. */
    RatatoskrClient client(StreamFailure streamFailed) {
        return builder().errorListener((source, error) -> streamFailed.failed(source + " stopped: " + error.code()
                + " (" + error.status() + "): " + error.getMessage())).build();
    }

    private RatatoskrClient.Builder builder() {
        return RatatoskrClient.builder().target(target).defaultDeadline(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(5));
    }

    /** Told why a subscription or consumer stream stopped (the broker refused it). */
    interface StreamFailure {
        void failed(String why);
    }
}
