package io.ratatoskr.core.security.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.core.security.Principal;
import io.ratatoskr.core.security.acl.AclRule.Action;
import io.ratatoskr.core.security.acl.AclRule.Kind;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AclFileTest {

    @Test
    void theExampleAclFileAtTheRepositoryRootParsesAndMeansWhatItsCommentsSay() throws Exception {
        AclRules acl = new AclRules(AclFile.read(Path.of("..", "acl.example.conf")));
        Principal alice = new Principal("alice", "alice-laptop", Set.of(), "password");
        Principal anon = Principal.anonymous("dashboard-1");
        assertThat(acl.mayPublish(alice, "users/alice/notes")).isTrue();
        assertThat(acl.mayPublish(alice, "users/bob/notes")).isFalse();
        assertThat(acl.mayPublish(anon, "devices/dashboard-1/state")).isTrue();
        assertThat(acl.mayPublish(anon, "devices/dashboard-1/secrets/k")).isFalse();
        assertThat(acl.mayPublish(anon, "public/news")).isFalse();
        assertThat(acl.maySubscribe(anon, "$SYS/broker/uptime")).isTrue();
        assertThat(acl.mayAdminister(alice, "orders")).isTrue();
        assertThat(acl.mayAdminister(new Principal("op", "x", Set.of("ops"), "jwt"), "anything")).isTrue();
        assertThat(acl.mayUseAdminApi(new Principal("op", "x", Set.of("ops"), "jwt"), true)).isTrue();
        assertThat(acl.mayUseAdminApi(alice, false)).as("no admin-api rule for alice").isFalse();
    }

    @Test
    void rulesKeepTheirSectionActionsAndLine() {
        var rules = AclFile.parse("""
                # leading comment
                ratatoskr-acl 1
                  user alice   # trailing comment
                  allow readwrite a/#
                group g
                deny subscribe #
                """);
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).subject()).isEqualTo(new AclRule.Subject(Kind.USER, "alice"));
        assertThat(rules.get(0).actions()).containsExactlyInAnyOrder(Action.PUBLISH, Action.SUBSCRIBE);
        assertThat(rules.get(0).line()).isEqualTo(4);
        assertThat(rules.get(1).allow()).isFalse();
        assertThat(rules.get(1).pattern()).isEqualTo("#");
    }

    @Test
    void badFilesAreRefusedWithTheLineAndProblem() {
        assertThatThrownBy(() -> AclFile.parse("user a\nallow both #\n")).hasMessageContaining("ratatoskr-acl 1");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 2\n")).hasMessageContaining("version 2");
        assertThatThrownBy(() -> AclFile.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 1\nallow both #\n"))
                .hasMessageContaining("line 2").hasMessageContaining("section");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 1\nall\nallow write a\n"))
                .hasMessageContaining("line 3").hasMessageContaining("unknown action");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 1\nall\nallow both a/#/b\n"))
                .hasMessageContaining("line 3");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 1\nall\nallow both a/%x\n"))
                .hasMessageContaining("%");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 1\nall\nallow subscribe $share/g/a\n"))
                .hasMessageContaining("$share");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 1\nuser\n")).hasMessageContaining("one name");
        assertThatThrownBy(() -> AclFile.parse("ratatoskr-acl 1\npermit all\n")).hasMessageContaining("unknown");
    }
}
