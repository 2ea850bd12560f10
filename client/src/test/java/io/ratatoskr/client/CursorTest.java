package io.ratatoskr.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CursorTest extends ClientTestBase {
    @Test
    void fetchCommitAndSeekRoundTrip() {
        client.topics().createTopic("audit");
        for (int i = 0; i < 5; i++) {
            client.publish("audit", "a-" + i).join();
        }
        Cursor cursor = client.cursor("audit", "auditor");
        assertThat(cursor.committedOffset(0)).isEmpty();

        FetchResult first = cursor.fetch(0, cursor.committedOffset(0).orElse(0), 3, Duration.ZERO);
        assertThat(first.messages()).extracting(ReceivedMessage::payloadAsString).containsExactly("a-0", "a-1", "a-2");
        assertThat(first.messages()).extracting(ReceivedMessage::offset).containsExactly(0L, 1L, 2L);
        assertThat(first.messages().getFirst().durableTopic()).isEqualTo("audit");
        assertThat(first.nextOffset()).isEqualTo(3);
        assertThat(first.startOffset()).isZero();
        assertThat(first.endOffset()).isEqualTo(5);

        cursor.commit(0, first.nextOffset());
        assertThat(client.cursor("audit", "auditor").committedOffset(0)).hasValue(3);
        FetchResult rest = cursor.fetch(0, cursor.committedOffset(0).getAsLong(), 100, Duration.ZERO);
        assertThat(rest.messages()).extracting(ReceivedMessage::payloadAsString).containsExactly("a-3", "a-4");

        assertThat(cursor.seek(StartPosition.earliest())).isEqualTo(Map.of(0, 0L));
        assertThat(cursor.committedOffset(0)).hasValue(0);
        assertThat(cursor.seek(StartPosition.latest())).isEqualTo(Map.of(0, 5L));
        assertThat(cursor.seek(StartPosition.time(Instant.EPOCH))).isEqualTo(Map.of(0, 0L));
        assertThat(cursor.seek(StartPosition.offset(2))).isEqualTo(Map.of(0, 2L));
        assertThat(cursor.committedOffset(0)).hasValue(2);
        assertThat(client.cursor("audit", "someone-else").committedOffset(0)).isEmpty();
    }

    @Test
    void fetchAtTheEndWaitsForTheNextMessage() {
        client.topics().createTopic("feed");
        Cursor cursor = client.cursor("feed", "reader");
        assertThat(cursor.fetch(0, 0, 10, Duration.ZERO).messages()).isEmpty();

        CompletableFuture<FetchResult> waiting = CompletableFuture.supplyAsync(
                () -> cursor.fetch(0, 0, 10, Duration.ofSeconds(10)));
        client.publish("feed", "late").join();

        FetchResult r = waiting.join();
        assertThat(r.messages()).extracting(ReceivedMessage::payloadAsString).containsExactly("late");
        assertThat(r.nextOffset()).isEqualTo(1);
    }

    @Test
    void fetchPastTheEndAndUnknownTopicsFailWithCatalogueCodes() {
        client.topics().createTopic("short");
        assertThatThrownBy(() -> client.cursor("short", "r").fetch(0, 99, 10, Duration.ZERO))
                .isInstanceOfSatisfying(RatatoskrClientException.class, e -> {
                    assertThat(e.code()).isEqualTo("OFFSET_OUT_OF_RANGE");
                    assertThat(e.status()).isEqualTo(Status.Code.OUT_OF_RANGE);
                });
        assertThatThrownBy(() -> client.cursor("ghost", "r").committedOffset(0))
                .isInstanceOfSatisfying(RatatoskrClientException.class,
                        e -> assertThat(e.code()).isEqualTo("TOPIC_NOT_FOUND"));
    }
}
