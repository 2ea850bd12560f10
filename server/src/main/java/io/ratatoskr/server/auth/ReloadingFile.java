package io.ratatoskr.server.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * The parsed content of a file that may change while the broker runs (the password file, the JWKS
 * file): {@link #poll} re-reads it when its modification time or size changed; a file that does not
 * parse keeps the last good content, is logged and counted in
 * {@code ratatoskr_auth_reload_failures_total{file}}.
 *
 * <p>Thread-safety: {@link #current} from any thread (a volatile read); {@link #poll} from one
 * scheduler thread at a time.
 *
 * @param <T> the parsed content
 */
final class ReloadingFile<T> {
    private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);

    /** Parses the file; throws to say it is invalid. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(Path file) throws IOException;
    }

    private final String name;
    private final Path file;
    private final Parser<T> parser;
    private final Counter failures;
    private volatile T current;
    private FileTime lastModified;
    private long lastSize = -1;

    /** Reads the file now; fails (the broker does not start) when it cannot be read or parsed. */
    ReloadingFile(String name, Path file, Parser<T> parser, MeterRegistry registry) throws IOException {
        this.name = name;
        this.file = file;
        this.parser = parser;
        this.failures = Counter.builder("ratatoskr_auth_reload_failures_total")
                .description("Reloads of a changed authentication file that failed (the previous content stays)")
                .tag("file", name).register(registry);
        BasicFileAttributes attrs = attributes();
        try {
            this.current = parser.parse(file);
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        remember(attrs);
    }

    T current() {
        return current;
    }

    /** Re-reads the file if it changed since the last read. */
    void poll() {
        BasicFileAttributes attrs;
        try {
            attrs = attributes();
        } catch (IOException e) {
            if (lastSize != -2) {
                failures.increment();
                log.atWarn().addKeyValue("event", "auth_reload_failed").addKeyValue("file", file)
                        .log("the {} file cannot be read ({}); keeping its previous content", name, e.toString());
                lastSize = -2;
                lastModified = null;
            }
            return;
        }
        if (attrs.lastModifiedTime().equals(lastModified) && attrs.size() == lastSize) {
            return;
        }
        try {
            T parsed = parser.parse(file);
            current = parsed;
            log.atInfo().addKeyValue("event", "auth_reloaded").addKeyValue("file", file)
                    .log("reloaded the {} file", name);
        } catch (IOException | RuntimeException e) {
            failures.increment();
            log.atWarn().addKeyValue("event", "auth_reload_failed").addKeyValue("file", file)
                    .log("the {} file is invalid ({}); keeping its previous content", name, e.getMessage());
        }
        remember(attrs);
    }

    private BasicFileAttributes attributes() throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class);
    }

    private void remember(BasicFileAttributes attrs) {
        lastModified = attrs.lastModifiedTime();
        lastSize = attrs.size();
    }
}
