package io.ratatoskr.core.security.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.security.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclAuthorizerTest {
    private static final Principal CLIENT = Principal.anonymous("c1");

    @TempDir
    Path dir;

    private static void write(Path file, String text, long epochSecond) throws Exception {
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(epochSecond)));
    }

    @Test
    void aChangedFileReplacesTheRulesAndABadOneKeepsTheOldRules() throws Exception {
        Path file = dir.resolve("acl.conf");
        write(file, "ratatoskr-acl 1\nall\nallow publish a\n", 1_000);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AclAuthorizer acl = AclAuthorizer.open(file, registry);
        AtomicInteger reloads = new AtomicInteger();
        acl.onReload(reloads::incrementAndGet);
        assertThat(acl.mayPublish(CLIENT, "a")).isTrue();
        assertThat(acl.reloadIfChanged()).as("unchanged file").isFalse();

        write(file, "ratatoskr-acl 1\nall\nallow publish b\n", 2_000);
        assertThat(acl.reloadIfChanged()).isTrue();
        assertThat(acl.mayPublish(CLIENT, "a")).isFalse();
        assertThat(acl.mayPublish(CLIENT, "b")).isTrue();
        assertThat(reloads).hasValue(1);

        write(file, "ratatoskr-acl 1\nall\nallow publsh c\n", 3_000);
        assertThat(acl.reloadIfChanged()).isFalse();
        assertThat(acl.mayPublish(CLIENT, "b")).as("old rules stay").isTrue();
        assertThat(registry.get("ratatoskr.acl.reloads").tag("result", "failed").counter().count()).isEqualTo(1);
        assertThat(registry.get("ratatoskr.acl.reloads").tag("result", "ok").counter().count()).isEqualTo(1);

        Files.delete(file);
        assertThat(acl.reloadIfChanged()).isFalse();
        assertThat(acl.mayPublish(CLIENT, "b")).as("old rules stay while the file is missing").isTrue();
        write(file, "ratatoskr-acl 1\nall\nallow publish d\n", 4_000);
        assertThat(acl.reloadIfChanged()).isTrue();
        assertThat(acl.mayPublish(CLIENT, "d")).isTrue();
        assertThat(reloads).hasValue(2);
    }
}
