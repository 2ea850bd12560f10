package io.ratatoskr.client;

import io.ratatoskr.api.v1.FetchResponse;
import java.util.List;

/**
 * Messages read from one partition by {@link Cursor#fetch}.
 *
 * <p>Thread-safety: immutable (see {@link ReceivedMessage} for payload arrays).
 *
 * @param messages    the messages, in offset order; empty when there was none within the wait
 * @param nextOffset  the offset to fetch next
 * @param startOffset the partition's oldest kept offset when the batch was read
 * @param endOffset   the offset the partition's next message will get, when the batch was read
 */
public record FetchResult(List<ReceivedMessage> messages, long nextOffset, long startOffset, long endOffset) {

    /** Copies the list. */
    public FetchResult {
        messages = List.copyOf(messages);
    }

    static FetchResult from(FetchResponse r) {
        return new FetchResult(r.getMessagesList().stream().map(ReceivedMessage::from).toList(), r.getNextOffset(),
                r.getStartOffset(), r.getEndOffset());
    }
}
