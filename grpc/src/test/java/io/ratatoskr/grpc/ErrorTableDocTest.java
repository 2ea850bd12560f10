package io.ratatoskr.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.ratatoskr.core.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/grpc.md's error table is the catalogue: every code, with the status, reason code and HTTP status it has. */
class ErrorTableDocTest {
    @Test
    void everyCatalogueCodeIsDocumentedWithItsStatuses() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "grpc.md"));
        for (ErrorCode code : ErrorCode.values()) {
            String row = String.format("| `%s` | %s (%d) | 0x%02X | %d | %s |", code.name(),
                    Status.fromCodeValue(code.grpcStatus()).getCode().name(), code.grpcStatus(),
                    code.mqttReasonCode(), code.httpStatus(), code.template().replace("|", "\\|"));
            assertThat(doc).as("docs/grpc.md row for " + code).contains(row);
        }
    }
}
