package io.ratatoskr.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The message ids a Consume stream accepts in answers: canonical UUIDs, hex digits of either case. */
class MessageIdParseTest {

    @Test
    void canonicalIdsOfEitherCaseParseToTheirUuid() {
        long seed = System.nanoTime();
        System.out.println("MessageIdParseTest seed " + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            String text = id.toString();
            assertThat(ConsumeStream.parseMessageId(text)).as("seed %d: %s", seed, text).isEqualTo(id);
            assertThat(ConsumeStream.parseMessageId(text.toUpperCase(Locale.ROOT))).isEqualTo(id);
            StringBuilder mixed = new StringBuilder(text);
            for (int k = 0; k < mixed.length(); k++) {
                if (random.nextBoolean()) {
                    mixed.setCharAt(k, Character.toUpperCase(mixed.charAt(k)));
                }
            }
            assertThat(ConsumeStream.parseMessageId(mixed.toString())).isEqualTo(id);
        }
    }

    @Test
    void anythingElseIsRefused() {
        String valid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assertThat(ConsumeStream.parseMessageId(valid)).isEqualTo(UUID.fromString(valid));
        assertThat(ConsumeStream.parseMessageId("")).isNull();
        assertThat(ConsumeStream.parseMessageId("not-a-uuid")).isNull();
        assertThat(ConsumeStream.parseMessageId("1-2-3-4-5")).isNull(); // UUID.fromString accepts it
        assertThat(ConsumeStream.parseMessageId(valid + "0")).isNull();
        assertThat(ConsumeStream.parseMessageId(valid.substring(1))).isNull();
        assertThat(ConsumeStream.parseMessageId("0f8fad5bd-9cb-469f-a165-70867728950e")).isNull(); // dash moved
        assertThat(ConsumeStream.parseMessageId("0f8fad5b-d9cb-469f-a165_70867728950e")).isNull();
        assertThat(ConsumeStream.parseMessageId("0f8fad5b-d9cb-469f-a165-70867728950g")).isNull();
        assertThat(ConsumeStream.parseMessageId(" f8fad5b-d9cb-469f-a165-70867728950e")).isNull();
        assertThat(ConsumeStream.parseMessageId("+f8fad5b-d9cb-469f-a165-70867728950e")).isNull();
        // Digits of other scripts are digits to Character.digit, not here.
        assertThat(ConsumeStream.parseMessageId("\uFF10f8fad5b-d9cb-469f-a165-7086772895\u0660e")).isNull();
        assertThat(ConsumeStream.parseMessageId("0f8fad5b-d9cb-469f-a165-7086772895\u0660e")).isNull();
    }
}
