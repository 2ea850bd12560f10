package io.ratatoskr.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

class LogSetupTest {
    private static String text(List<KeyValuePair> pairs) {
        return text("durable topic 'orders' deleted", pairs);
    }

    private static String text(String message, List<KeyValuePair> pairs) {
        LoggerContext context = new LoggerContext();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(LogSetup.TEXT_PATTERN);
        encoder.start();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("io.ratatoskr.core.durable.DurableTopics"),
                Level.INFO, message, null, null);
        pairs.forEach(event::addKeyValuePair);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void textLinesEndWithTheEventsKeyValuePairsAndNothingWhenThereAreNone() {
        assertThat(text(List.of(new KeyValuePair("event", "topic_deleted"), new KeyValuePair("topic", "orders"))))
                .matches("\\S+ INFO  DurableTopics - durable topic 'orders' deleted event=\"topic_deleted\" "
                        + "topic=\"orders\"\\R");
        assertThat(text(List.of())).matches("\\S+ INFO  DurableTopics - durable topic 'orders' deleted\\R");
    }

    @Test
    void lineBreaksFromClientInputCannotForgeTextLines() {
        // A client id or a request path (decoded: %0A) may carry line breaks; each event stays one line.
        String forged = "2026-11-24T10:00:00.000Z ERROR RatatoskrServer - forged";
        String line = text("mqtt evil\r\n" + forged + ": CONNECT refused",
                List.of(new KeyValuePair("path", "/x\n" + forged)));
        assertThat(line.lines().count()).as(line).isEqualTo(1);
        assertThat(line).contains("mqtt evil\\r\\n2026-11-24T10:00:00.000Z ERROR")
                .contains("path=\"/x\\n2026-11-24T10:00:00.000Z ERROR");
    }

    @Test
    void theStartupLayoutOfLogbackXmlIsTheTextFormat() throws Exception {
        try (InputStream in = LogSetup.class.getResourceAsStream("/logback.xml")) {
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(xml).contains("<pattern>" + LogSetup.TEXT_PATTERN + "</pattern>");
        }
    }
}
