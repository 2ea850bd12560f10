package io.ratatoskr.core.security.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.core.security.Principal;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AclRulesTest {
    private static final Principal ALICE = new Principal("alice", "alice-phone", Set.of("ops"), "password");
    private static final Principal ANON = Principal.anonymous("sensor-1");

    private static AclRules rules(String body) {
        return new AclRules(AclFile.parse("ratatoskr-acl 1\n" + body));
    }

    @ParameterizedTest(name = "pattern {0} covers filter {1}: {2}")
    @CsvSource({
            "sensors/#, sensors/+/temp, true",
            "sensors/+/temp, sensors/#, false",
            "sensors/#, sensors, true",
            "sensors/#, sensors/#, true",
            "sensors/+, sensors/a/b, false",
            "sensors/+, sensors/+, true",
            "sensors/a, sensors/+, false",
            "#, a/b/c, true",
            "#, $SYS/#, false",
            "+/#, $SYS/broker, false",
            "$SYS/#, $SYS/broker/uptime, true",
            "a/b, a/b, true",
            "a/b, a/b/c, false",
            "a/b/#, a/b/c/#, true",
            "+/+, a/#, false",
            "+/#, #, true",
            "+/+/#, #, false",
    })
    void coversTable(String pattern, String filter, boolean covered) {
        assertThat(AclPatterns.covers(pattern, filter)).isEqualTo(covered);
    }

    @ParameterizedTest(name = "{0} intersects {1}: {2}")
    @CsvSource({
            "sensors/secret/#, sensors/#, true",
            "sensors/secret/#, sensors/+/temp, true",
            "sensors/secret/#, sensors/open/+, false",
            "a/+, a, false",
            "a/#, a, true",
            "#, $SYS/x, false",
            "$SYS/#, $SYS/+, true",
            "+/b, a/+, true",
    })
    void intersectTable(String a, String b, boolean overlap) {
        assertThat(AclPatterns.intersect(a, b)).isEqualTo(overlap);
        assertThat(AclPatterns.intersect(b, a)).isEqualTo(overlap);
    }

    @Test
    void adminApiRolesAreGrantedBySectionWithWriteImplyingReadAndDenyWinning() {
        AclRules acl = rules("""
                group ops
                allow admin-api write
                user alice
                deny admin-api write
                anonymous
                allow admin-api read
                all
                allow both #
                """);
        assertThat(acl.mayUseAdminApi(ALICE, false)).as("write granted to her group implies read").isTrue();
        assertThat(acl.mayUseAdminApi(ALICE, true)).as("her own deny of write wins").isFalse();
        Principal bob = new Principal("bob", "bob-laptop", Set.of("ops"), "password");
        assertThat(acl.mayUseAdminApi(bob, true)).isTrue();
        assertThat(acl.mayUseAdminApi(ANON, false)).isTrue();
        assertThat(acl.mayUseAdminApi(ANON, true)).isFalse();
        Principal carol = new Principal("carol", "c", Set.of(), "password");
        assertThat(acl.mayUseAdminApi(carol, false)).as("publish/subscribe rules grant no admin API access")
                .isFalse();
        assertThat(acl.mayAdminister(bob, "orders")).as("nor do admin-api rules grant topic administration")
                .isFalse();
    }

    @Test
    void adminApiRulesNameReadOrWrite() {
        assertThatThrownBy(() -> rules("all\nallow admin-api everything\n"))
                .hasMessageContaining("line 3").hasMessageContaining("expected read or write");
    }

    @Test
    void everythingIsDeniedWithoutAMatchingAllowRule() {
        AclRules acl = rules("user bob\nallow both #\n");
        assertThat(acl.mayPublish(ALICE, "a")).isFalse();
        assertThat(acl.maySubscribe(ALICE, "a")).isFalse();
        assertThat(acl.mayAdminister(ALICE, "orders")).isFalse();
    }

    @Test
    void anExplicitDenyWinsOverAnAllowWhateverTheOrderOrSection() {
        AclRules acl = rules("""
                user alice
                deny publish sensors/secret/#
                allow publish sensors/#
                group ops
                allow both #
                all
                """);
        assertThat(acl.mayPublish(ALICE, "sensors/open")).isTrue();
        assertThat(acl.mayPublish(ALICE, "sensors/secret/key")).isFalse();
        AclRules reversed = rules("group ops\nallow both #\nuser alice\nallow publish sensors/#\n"
                + "deny publish sensors/secret/#\n");
        assertThat(reversed.mayPublish(ALICE, "sensors/secret")).isFalse();
        assertThat(reversed.mayPublish(ALICE, "other")).isTrue();
    }

    @Test
    void aSubscriptionThatCouldReceiveADeniedTopicIsRefused() {
        AclRules acl = rules("all\nallow subscribe sensors/#\ndeny subscribe sensors/secret/#\n");
        assertThat(acl.maySubscribe(ANON, "sensors/open/#")).isTrue();
        assertThat(acl.maySubscribe(ANON, "sensors/+/temp")).as("could receive sensors/secret/temp").isFalse();
        assertThat(acl.maySubscribe(ANON, "sensors/#")).isFalse();
        assertThat(acl.maySubscribe(ANON, "sensors/+/key")).isFalse();
        assertThat(acl.maySubscribe(ANON, "#")).isFalse();
    }

    @Test
    void subscribingNeedsAPatternThatCoversTheWholeFilter() {
        AclRules acl = rules("all\nallow subscribe sensors/+/temp\n");
        assertThat(acl.maySubscribe(ANON, "sensors/kitchen/temp")).isTrue();
        assertThat(acl.maySubscribe(ANON, "sensors/+/temp")).isTrue();
        assertThat(acl.maySubscribe(ANON, "sensors/#")).isFalse();
        assertThat(acl.mayPublish(ANON, "sensors/kitchen/temp")).isFalse();
    }

    @Test
    void sharedAndQueueSubscriptionsAreDecidedOnTheInnerFilterOrTopic() {
        AclRules acl = rules("all\nallow subscribe jobs/#\nallow subscribe orders\n");
        assertThat(acl.maySubscribe(ANON, "$share/workers/jobs/+")).isTrue();
        assertThat(acl.maySubscribe(ANON, "$share/workers/other")).isFalse();
        assertThat(acl.maySubscribe(ANON, "$queue/billing/orders")).isTrue();
        assertThat(acl.maySubscribe(ANON, "$queue/billing/payments")).isFalse();
        assertThat(acl.maySubscribe(ANON, "$queue/billing")).isFalse();
        assertThat(acl.maySubscribe(ANON, "$share//jobs/a")).isFalse();
    }

    @Test
    void sysTopicsNeedAnExplicitRule() {
        AclRules wide = rules("all\nallow both #\n");
        assertThat(wide.maySubscribe(ANON, "$SYS/#")).isFalse();
        assertThat(wide.maySubscribe(ANON, "$SYS/broker/uptime")).isFalse();
        AclRules sys = rules("all\nallow subscribe $SYS/#\n");
        assertThat(sys.maySubscribe(ANON, "$SYS/#")).isTrue();
    }

    @Test
    void sectionsApplyByUserGroupClientAllAndAnonymous() {
        AclRules acl = rules("""
                user alice
                allow publish u
                group ops
                allow publish g
                client sensor-1
                allow publish c
                anonymous
                allow publish anon
                all
                allow publish everyone
                """);
        assertThat(acl.mayPublish(ALICE, "u")).isTrue();
        assertThat(acl.mayPublish(ALICE, "g")).isTrue();
        assertThat(acl.mayPublish(ALICE, "c")).isFalse();
        assertThat(acl.mayPublish(ALICE, "anon")).isFalse();
        assertThat(acl.mayPublish(ALICE, "everyone")).isTrue();
        assertThat(acl.mayPublish(ANON, "c")).isTrue();
        assertThat(acl.mayPublish(ANON, "anon")).isTrue();
        assertThat(acl.mayPublish(ANON, "u")).isFalse();
        assertThat(acl.mayPublish(ANON, "g")).isFalse();
        assertThat(acl.mayPublish(ANON, "everyone")).isTrue();
    }

    @Test
    void usernameAndClientIdAreSubstitutedAsLiteralLevelText() {
        AclRules acl = rules("all\nallow both users/%u/#\nallow both devices/%c/#\nallow publish inbox/%u-%c\n");
        assertThat(acl.mayPublish(ALICE, "users/alice/x")).isTrue();
        assertThat(acl.mayPublish(ALICE, "users/bob/x")).isFalse();
        assertThat(acl.maySubscribe(ALICE, "users/alice/#")).isTrue();
        assertThat(acl.mayPublish(ALICE, "devices/alice-phone/state")).isTrue();
        assertThat(acl.mayPublish(ALICE, "inbox/alice-alice-phone")).isTrue();
        assertThat(acl.mayPublish(ANON, "devices/sensor-1/state")).isTrue();
    }

    @Test
    void aUsernameRuleNeverAppliesToAnAnonymousPrincipal() {
        AclRules acl = rules("all\nallow both users/%u/#\nallow both %u\n");
        assertThat(acl.mayPublish(ANON, "users//x")).isFalse();
        assertThat(acl.mayPublish(ANON, "users/null/x")).isFalse();
        assertThat(acl.mayPublish(ANON, "users/%u/x")).isFalse();
        assertThat(acl.maySubscribe(ANON, "users/+/x")).isFalse();
    }

    @Test
    void wildcardsOrSlashesInANameMakeTheRuleNotApplyInsteadOfWideningIt() {
        AclRules acl = rules("all\nallow both devices/%c/#\nallow both users/%u\n");
        for (String id : new String[] {"#", "+", "a/b", "x/#", "$SYS", ""}) {
            Principal p = new Principal(id, id.isEmpty() ? "" : id, Set.of(), "password");
            assertThat(acl.mayPublish(p, "devices/a/b/c")).as("client id '%s'", id).isFalse();
            assertThat(acl.maySubscribe(p, "devices/#")).as("client id '%s'", id).isFalse();
            assertThat(acl.maySubscribe(p, "users/+")).as("user name '%s'", id).isFalse();
            assertThat(acl.mayPublish(p, "users/a")).as("user name '%s'", id).isFalse();
        }
        assertThat(acl.maySubscribe(Principal.anonymous("$SYS"), "devices/$SYS/#")).isFalse();
    }

    @Test
    void aDenyRuleThatCannotBeFilledInDeniesEverythingItCouldHaveMatched() {
        AclRules acl = rules("all\nallow both #\nallow both $SYS/#\ndeny both users/%u/private/#\n"
                + "deny publish devices/%c/config\n");
        // Anonymous: no user name for %u, so every users/... topic is denied, not skipped.
        assertThat(acl.mayPublish(ANON, "users/alice/private/x")).isFalse();
        assertThat(acl.mayPublish(ANON, "users/alice/public")).isFalse();
        assertThat(acl.maySubscribe(ANON, "users/#")).isFalse();
        assertThat(acl.maySubscribe(ANON, "users/+/public")).isFalse();
        assertThat(acl.mayPublish(ANON, "other/x")).isTrue();
        assertThat(acl.mayPublish(ANON, "users")).as("the level above the placeholder is not reached").isTrue();
        // A client id with '/' or a wildcard: every devices/... topic is denied to it.
        for (String id : new String[] {"a/b", "+", "#", "", "$x"}) {
            Principal p = new Principal("carol", id, Set.of(), "password");
            assertThat(acl.mayPublish(p, "devices/a/b/config")).as("client id '%s'", id).isFalse();
            assertThat(acl.mayPublish(p, "devices/other/state")).as("client id '%s'", id).isFalse();
            assertThat(acl.mayPublish(p, "users/carol/public")).as("client id '%s'", id).isTrue();
        }
        // Filled in, the deny is as narrow as written.
        assertThat(acl.mayPublish(ALICE, "users/alice/public")).isTrue();
        assertThat(acl.mayPublish(ALICE, "users/alice/private/x")).isFalse();
    }

    @Test
    void anUnfillableDenyInTheFirstLevelDeniesEveryTopicIncludingSys() {
        AclRules acl = rules("all\nallow both #\nallow both $SYS/#\nanonymous\ndeny subscribe %u/#\n");
        assertThat(acl.maySubscribe(ANON, "sensors/+")).isFalse();
        assertThat(acl.maySubscribe(ANON, "$SYS/broker/uptime")).isFalse();
        assertThat(acl.mayPublish(ANON, "sensors/1")).as("a subscribe rule says nothing of publishing").isTrue();
    }

    @Test
    void anAllowRuleThatCannotBeFilledInStillGrantsNothing() {
        AclRules acl = rules("all\nallow both users/%u/#\nallow both %c\n");
        assertThat(acl.mayPublish(ANON, "users/x/y")).isFalse();
        assertThat(acl.maySubscribe(new Principal("a/b", "c/d", Set.of(), "password"), "users/#")).isFalse();
        assertThat(acl.mayPublish(new Principal("u", "+", Set.of(), "password"), "x")).isFalse();
    }

    @Test
    void adminIsGrantedOnlyByAdminRules() {
        AclRules acl = rules("group ops\nallow admin orders\nuser alice\nallow both #\n");
        assertThat(acl.mayAdminister(ALICE, "orders")).isTrue();
        assertThat(acl.mayAdminister(ALICE, "payments")).isFalse();
        assertThat(acl.mayAdminister(ANON, "orders")).isFalse();
    }
}
