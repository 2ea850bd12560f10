package io.ratatoskr.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the status a failed call ends with. */
final class GrpcAssertions {
    private GrpcAssertions() {
    }

    /** Asserts that {@code call} fails with {@code code} and an ErrorInfo whose reason is {@code reason}. */
    static StatusRuntimeException assertFails(ThrowingCallable call, Status.Code code, String reason) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(e).as("the call fails").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(code);
        if (reason != null) {
            assertThat(reason(e)).isEqualTo(reason);
        }
        return e;
    }

    /** The ErrorInfo reason of a failure, or null. */
    static String reason(StatusRuntimeException e) {
        com.google.rpc.Status s = StatusProto.fromThrowable(e);
        if (s == null) {
            return null;
        }
        for (com.google.protobuf.Any a : s.getDetailsList()) {
            if (a.is(ErrorInfo.class)) {
                try {
                    ErrorInfo info = a.unpack(ErrorInfo.class);
                    assertThat(info.getDomain()).isEqualTo(GrpcErrors.DOMAIN);
                    return info.getReason();
                } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                    throw new AssertionError(x);
                }
            }
        }
        return null;
    }
}
