package io.ratatoskr.core.security.acl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.security.Authorizer;
import io.ratatoskr.core.security.Principal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACL file ({@code acl.file}) as an {@link Authorizer} that follows changes to the file: the
 * owner calls {@link #reloadIfChanged()} periodically (the server does so on its housekeeping
 * executor every {@code acl.reload-interval}); when the file's modification time or size changed it
 * is parsed again and, if valid, replaces the rules at once for every new decision (and drops the
 * per-principal cache with the old rules). A file that no longer parses keeps the old rules in force,
 * logs an error and counts {@code ratatoskr_acl_reloads_total{result="failed"}}. Reload listeners
 * run after a successful swap (the MQTT listener re-checks granted subscriptions there).
 *
 * <p>Thread-safety: decisions read one volatile snapshot; {@link #reloadIfChanged()} is
 * {@code synchronized} so concurrent reloads do not interleave.
 */
public final class AclAuthorizer implements Authorizer {
    private static final Logger log = LoggerFactory.getLogger(AclAuthorizer.class);

    private final Path file;
    private final Counter reloadsOk;
    private final Counter reloadsFailed;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile AclRules rules;
    private FileStamp stamp;

    private AclAuthorizer(Path file, AclRules rules, FileStamp stamp, MeterRegistry registry) {
        this.file = file;
        this.rules = rules;
        this.stamp = stamp;
        this.reloadsOk = Counter.builder("ratatoskr.acl.reloads").description("ACL file reloads, by result")
                .tag("result", "ok").register(registry);
        this.reloadsFailed = Counter.builder("ratatoskr.acl.reloads").description("ACL file reloads, by result")
                .tag("result", "failed").register(registry);
        Gauge.builder("ratatoskr.acl.rules", this, a -> a.rules.rules().size())
                .description("Rules in force from the ACL file").register(registry);
    }

    /**
     * Loads {@code file}; a missing or invalid file is an error here (the broker must not start with
     * rules it cannot read).
     */
    public static AclAuthorizer open(Path file, MeterRegistry registry) throws IOException {
        Objects.requireNonNull(file, "file");
        FileStamp stamp = FileStamp.of(file);
        AclRules rules = new AclRules(AclFile.read(file));
        log.atInfo().addKeyValue("event", "acl_loaded").addKeyValue("file", file)
                .addKeyValue("rules", rules.rules().size()).log("ACL file {} loaded: {} rules", file, rules.rules().size());
        return new AclAuthorizer(file, rules, stamp, registry);
    }

    /** The rules in force now. */
    public AclRules rules() {
        return rules;
    }

    /** Runs {@code listener} after each successful reload (on the reloading thread). */
    public void onReload(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Re-reads the file if its modification time or size changed.
     *
     * @return true if new rules are now in force
     */
    public synchronized boolean reloadIfChanged() {
        FileStamp now;
        try {
            now = FileStamp.of(file);
        } catch (IOException e) {
            if (stamp != null) {
                reloadsFailed.increment();
                log.atError().addKeyValue("event", "acl_reload_failed").addKeyValue("file", file)
                        .log("ACL file {} cannot be read ({}); the previous rules stay in force", file, e.toString());
            }
            stamp = null; // logged once until the file is back
            return false;
        }
        if (now.equals(stamp)) {
            return false;
        }
        stamp = now;
        AclRules next;
        try {
            next = new AclRules(AclFile.read(file));
        } catch (IOException | IllegalArgumentException e) {
            reloadsFailed.increment();
            log.atError().addKeyValue("event", "acl_reload_failed").addKeyValue("file", file)
                    .log("ACL file {} is invalid ({}); the previous rules stay in force", file, e.getMessage());
            return false;
        }
        rules = next;
        reloadsOk.increment();
        log.atInfo().addKeyValue("event", "acl_reloaded").addKeyValue("file", file)
                .addKeyValue("rules", next.rules().size()).log("ACL file {} reloaded: {} rules", file, next.rules().size());
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.error("ACL reload listener failed", e);
            }
        }
        return true;
    }

    @Override
    public boolean mayPublish(Principal principal, String topic) {
        return rules.mayPublish(principal, topic);
    }

    @Override
    public boolean maySubscribe(Principal principal, String filter) {
        return rules.maySubscribe(principal, filter);
    }

    @Override
    public boolean mayAdminister(Principal principal, String topic) {
        return rules.mayAdminister(principal, topic);
    }

    @Override
    public boolean mayUseAdminApi(Principal principal, boolean write) {
        return rules.mayUseAdminApi(principal, write);
    }

    /** What tells a changed file: modification time and size. */
    private record FileStamp(long modifiedNanos, long size) {
        static FileStamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.size());
        }
    }
}
