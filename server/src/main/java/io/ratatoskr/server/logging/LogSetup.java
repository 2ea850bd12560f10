package io.ratatoskr.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link LogSettings} to Logback once the configuration is known, replacing the console
 * appender of {@code logback.xml} (which logs the same text format until then).
 *
 * <ul>
 *   <li>text: {@code 2026-11-24T10:00:00.000Z INFO  RatatoskrServer - Ratatoskr 0.1.0 started: ...
 *       mqttPort="1883"}: one line per event, the event's key-value pairs after the message;</li>
 *   <li>json: one object per line, with {@code timestamp} (epoch ms), {@code level}, {@code threadName},
 *       {@code loggerName}, {@code formattedMessage}, {@code kvpList} (the key-value pairs) and, for an
 *       error, {@code throwable} (Logback's {@link JsonEncoder}).</li>
 * </ul>
 * Significant events carry key-value pairs ({@code log.atInfo().addKeyValue("topic", name).log(...)}),
 * which log processors can index without parsing the message.
 *
 * <p>Thread-safety: call once, at start-up, before the node starts; Logback's context is thread-safe.
 */
public final class LogSetup {
    /**
     * The text layout; kept equal to the one in {@code logback.xml}. Line breaks in the message and the
     * key-value pairs are written {@code \r} and {@code \n}: they may come from clients (an MQTT client
     * identifier, a decoded request path), which must not be able to forge log lines.
     */
    public static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - "
            + "%replace(%replace(%msg%replace( %kvp){'^ $', ''}){'\\r', '\\\\r'}){'\\n', '\\\\n'}%n";

    private LogSetup() {}

    /** Reconfigures the root logger's console output; does nothing if Logback is not the SLF4J backend. */
    public static void apply(LogSettings settings) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return;
        }
        Encoder<ILoggingEvent> encoder = switch (settings.format()) {
            case TEXT -> {
                PatternLayoutEncoder e = new PatternLayoutEncoder();
                e.setPattern(TEXT_PATTERN);
                yield e;
            }
            case JSON -> {
                JsonEncoder e = new JsonEncoder();
                e.setWithSequenceNumber(false);
                e.setWithNanoseconds(false);
                e.setWithContext(false);
                e.setWithMDC(false);
                e.setWithArguments(false);
                e.setWithMessage(false);
                e.setWithFormattedMessage(true);
                yield e;
            }
        };
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setName("STDOUT");
        console.setContext(context);
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(console);
        root.setLevel(Level.toLevel(settings.level().name()));
    }
}
