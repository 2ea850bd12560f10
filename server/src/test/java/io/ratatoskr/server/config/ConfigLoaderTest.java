package io.ratatoskr.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.session.OverflowPolicy;
import io.ratatoskr.log.CompressionCodec;
import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.server.logging.LogSettings;
import io.ratatoskr.server.trace.OtelTracing;
import io.ratatoskr.server.trace.TracingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        return Files.writeString(dir.resolve("ratatoskr.yaml"), yaml);
    }

    private static EffectiveConfig load(Path file, Map<String, String> env, ConfigLoader.Flag... flags)
            throws ConfigException {
        return ConfigLoader.load(file, env, List.of(flags));
    }

    private List<String> problems(String yaml) throws IOException {
        Path f = file(yaml);
        try {
            load(f, Map.of());
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("the configuration was accepted:\n" + yaml);
    }

    @Test
    void noFileNoEnvironmentNoFlagsGivesTheEmbeddedDefaults() throws Exception {
        EffectiveConfig c = load(null, Map.of("PATH", "/bin", "RATATOSKR_URL", "http://x"));
        assertThat(c.settings()).isEqualTo(ServerSettings.DEFAULTS);
        assertThat(c.sources().values()).containsOnly(ConfigSource.DEFAULT);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void aFileSetsNestedAndDottedKeysWithUnits() throws Exception {
        Path f = file("""
                data-dir: /var/lib/ratatoskr
                shutdown-timeout: 30s
                log:
                  format: json
                  level: debug
                mqtt:
                  host: 0.0.0.0
                  port: 1884
                  max-packet-size: 512KiB
                  max-keep-alive: 10m
                  write-buffer-low: 200KiB
                  write-buffer-high: 300KiB
                sessions.overflow-policy: DROP_NEWEST
                persistence:
                  durability: fsync
                topics:
                  auto-create: true
                  storage:
                    compression: zstd
                  auto-create-defaults:
                    partitions: 4
                    retention-max-age: none
                grpc:
                  port: -1
                  host: 10.0.0.1
                """);
        ServerSettings s = load(f, Map.of()).settings();
        assertThat(s.server().dataDir()).isEqualTo(Path.of("/var/lib/ratatoskr"));
        assertThat(s.shutdownTimeoutMs()).isEqualTo(30_000);
        assertThat(s.log()).isEqualTo(new LogSettings(LogSettings.Format.JSON, LogSettings.Level.DEBUG));
        assertThat(s.server().mqtt().host()).isEqualTo("0.0.0.0");
        assertThat(s.server().mqtt().port()).isEqualTo(1884);
        assertThat(s.server().mqtt().maxPacketSize()).isEqualTo(512 * 1024);
        assertThat(s.server().mqtt().maxKeepAliveSeconds()).isEqualTo(600);
        // Raised together: the record checks low <= high on the finished values only.
        assertThat(s.server().mqtt().writeBufferLowBytes()).isEqualTo(200 * 1024);
        assertThat(s.server().broker().session().overflowPolicy()).isEqualTo(OverflowPolicy.DROP_NEWEST);
        assertThat(s.server().persistence().durability()).isEqualTo(DurabilityMode.FSYNC);
        assertThat(s.server().topics().autoCreate()).isTrue();
        assertThat(s.server().topics().log().compression()).isEqualTo(CompressionCodec.ZSTD);
        assertThat(s.server().topics().autoCreateConfig().partitions()).isEqualTo(4);
        assertThat(s.server().topics().autoCreateConfig().retentionMaxAgeMs()).isEqualTo(-1);
        assertThat(s.server().grpc()).as("port -1 turns gRPC off, whatever else is set").isNull();
        assertThat(s.server().http()).isEqualTo(ServerSettings.DEFAULTS.server().http());
    }

    @Test
    void anEmptyFileAndEmptySectionsGiveTheDefaults() throws Exception {
        assertThat(load(file(""), Map.of()).settings()).isEqualTo(ServerSettings.DEFAULTS);
        assertThat(load(file("mqtt:\ngrpc:\n  tls:\n"), Map.of()).settings()).isEqualTo(ServerSettings.DEFAULTS);
    }

    @Test
    void anUnknownKeyIsRefusedWithTheClosestKnownKey() throws Exception {
        assertThat(problems("mqtt:\n  prot: 1884\n")).containsExactly(
                "unknown key \"mqtt.prot\" in " + dir.resolve("ratatoskr.yaml")
                        + " line 2 (did you mean \"mqtt.port\"?)");
        assertThat(problems("completely-unrelated: 1\n")).containsExactly(
                "unknown key \"completely-unrelated\" in " + dir.resolve("ratatoskr.yaml") + " line 1");
        assertThat(problems("mqtt: 1883\n")).singleElement().asString()
                .contains("\"mqtt\"", "is a section", "\"mqtt.host\"");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheKeyTheLineTheValueAndWhatIsAllowed() throws Exception {
        String f = dir.resolve("ratatoskr.yaml").toString();
        assertThat(problems("mqtt:\n  host: 127.0.0.1\n  port: abc\n")).containsExactly(
                "mqtt.port (" + f + " line 3): \"abc\" is not an integer in 0..65535");
        assertThat(problems("mqtt.allow-zero-keep-alive: yes\n")).containsExactly(
                "mqtt.allow-zero-keep-alive (" + f + " line 1): \"yes\" is not true or false");
    }

    @Test
    void aValueOutOfRangeIsRefused() throws Exception {
        assertThat(problems("mqtt.port: 70000\n")).singleElement().asString()
                .endsWith("\"70000\" is not an integer in 0..65535");
        assertThat(problems("mqtt.max-packet-size: 1GiB\n")).singleElement().asString()
                .contains("\"1GiB\" is not a size in 64..");
    }

    @Test
    void tracingDurationsTheExporterCannotHoldAreRefusedNotFailingAtStart() throws Exception {
        assertThat(problems("tracing:\n  schedule-delay: 200000d\n  export-timeout: 200000d\n"))
                .anySatisfy(p -> assertThat(p).startsWith("tracing.schedule-delay").contains("1ms..1h"))
                .anySatisfy(p -> assertThat(p).startsWith("tracing.export-timeout").contains("1ms..1h"));
        TracingConfig longest = load(file("tracing:\n  enabled: true\n  schedule-delay: 1h\n  export-timeout: 1h\n"),
                Map.of()).settings().server().tracing();
        OtelTracing started = (OtelTracing) OtelTracing.start(longest, new SimpleMeterRegistry());
        started.close();
    }

    @Test
    void aBadEnumListsTheAllowedValues() throws Exception {
        assertThat(problems("sessions:\n  overflow-policy: drop-random\n")).singleElement().asString()
                .endsWith("\"drop-random\" is not one of drop-oldest, drop-newest");
        assertThat(problems("log.format: xml\n")).singleElement().asString()
                .endsWith("\"xml\" is not one of text, json");
    }

    @Test
    void aDurationNeedsAUnitAndAWholeNumberOfSecondsWhereSecondsAreKept() throws Exception {
        assertThat(problems("shutdown-timeout: 10000\n")).singleElement().asString()
                .contains("\"10000\" is not a duration in 1ms..1h (e.g. 250ms, 10s, 2m, 1h, 7d)");
        assertThat(problems("shutdown-timeout: 10 parsecs\n")).singleElement().asString()
                .contains("\"10 parsecs\" is not a duration");
        assertThat(problems("mqtt.connect-timeout: 1500ms\n")).singleElement().asString()
                .contains("\"1500ms\" is not a whole number of seconds in 1s..1h");
    }

    @Test
    void malformedYamlIsReportedWithItsLine() throws Exception {
        assertThat(problems("mqtt:\n  port: 1883\n  host: \"unclosed\n")).singleElement().asString()
                .startsWith(dir.resolve("ratatoskr.yaml") + " line ").contains("malformed YAML");
        assertThat(problems("- a\n- b\n")).singleElement().asString().contains("must be a mapping");
        assertThat(problems("mqtt:\n  port: 1\n  port: 2\n")).singleElement().asString()
                .contains("mqtt.port", "given twice");
    }

    @Test
    void aMissingFileIsAnError() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> load(missing, Map.of())).isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).problems()).asInstanceOf(
                        org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(missing + ": no such configuration file");
    }

    @Test
    void aTlsCertificateWithoutItsKeyIsRefused() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not checked here");
        String f = dir.resolve("ratatoskr.yaml").toString();
        assertThat(problems("grpc:\n  tls:\n    cert: " + cert + "\n")).containsExactly(
                "grpc.tls.cert (" + f + " line 3): set without grpc.tls.key; TLS needs both the certificate "
                        + "and its key");
        assertThat(problems("grpc.tls.key: " + dir.resolve("missing.pem") + "\n")).singleElement().asString()
                .endsWith("is not a readable file");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        assertThat(problems("""
                mqtt:
                  port: -5
                  prot: 1
                sessions:
                  max-inflight: lots
                grpc.tls.cert: %s
                """.formatted(cert))).hasSize(4).anySatisfy(p -> assertThat(p).startsWith("grpc.tls.cert ("));
    }

    @Test
    void aCombinationARecordRefusesIsReported() throws Exception {
        assertThat(problems("mqtt.write-buffer-low: 1MiB\n")).singleElement().asString()
                .contains("writeBufferHighBytes", "mqtt.write-buffer-low");
    }

    @Test
    void theEnvironmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws Exception {
        Path f = file("mqtt:\n  port: 1884\n  host: 0.0.0.0\nsessions.max-inflight: 10\n");
        Map<String, String> env = Map.of("RATATOSKR_MQTT_PORT", "1885", "RATATOSKR_SESSIONS_MAX_INFLIGHT", "20",
                "RATATOSKR_MQTT_MAX_PACKET_SIZE", "2MiB");
        EffectiveConfig c = load(f, env, new ConfigLoader.Flag("mqtt.port", "1886", "--mqtt-port"),
                new ConfigLoader.Flag("sessions.max-inflight", "30", "--set"),
                new ConfigLoader.Flag("sessions.max-inflight", "40", "--set"));
        assertThat(c.settings().server().mqtt().host()).isEqualTo("0.0.0.0");
        assertThat(c.settings().server().mqtt().maxPacketSize()).isEqualTo(2 * 1024 * 1024);
        assertThat(c.settings().server().mqtt().port()).isEqualTo(1886);
        assertThat(c.settings().server().broker().session().maxInflight()).as("the last flag wins").isEqualTo(40);
        assertThat(c.sources().get("mqtt.host").description()).isEqualTo(f + " line 3");
        assertThat(c.sources().get("mqtt.max-packet-size").description())
                .isEqualTo("env RATATOSKR_MQTT_MAX_PACKET_SIZE");
        assertThat(c.sources().get("mqtt.port").description()).isEqualTo("flag --mqtt-port");
        assertThat(c.sources().get("mqtt.io-threads")).isEqualTo(ConfigSource.DEFAULT);
    }

    @Test
    void aBadEnvironmentValueOrFlagNamesItsSource() {
        assertThatThrownBy(() -> load(null, Map.of("RATATOSKR_HTTP_PORT", "eighty"),
                new ConfigLoader.Flag("mqtt.prot", "1", "--set")))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).problems()).asInstanceOf(
                        org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactlyInAnyOrder(
                        "unknown key \"mqtt.prot\" (flag --set) (did you mean \"mqtt.port\"?)",
                        "http.port (env RATATOSKR_HTTP_PORT): \"eighty\" is not an integer in -1..65535");
    }

    @Test
    void unknownVariablesThatLookLikeKeysWarnAndTheToolsVariablesDoNot() throws Exception {
        EffectiveConfig c = load(null, Map.of("RATATOSKR_MQTT_PROT", "1", "RATATOSKR_GRPC_XYZZY_PLUGH", "x",
                "RATATOSKR_URL", "http://127.0.0.1:8080", "RATATOSKR_TOKEN", "secret", "RATATOSKR_JAVA_OPTS", "-Xmx1g",
                "RATATOSKR_CONFIG", "/etc/ratatoskr.yaml", "RATATOSKR_SOMETHING_ELSE", "1"));
        assertThat(c.warnings()).containsExactly(
                "environment variable RATATOSKR_GRPC_XYZZY_PLUGH is not a configuration key and is ignored",
                "environment variable RATATOSKR_MQTT_PROT is not a configuration key and is ignored "
                        + "(did you mean RATATOSKR_MQTT_PORT?)");
        assertThat(c.settings()).isEqualTo(ServerSettings.DEFAULTS);
    }

    @Test
    void everyKeyHasTheEnvironmentVariableOfItsName() {
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            assertThat(k.envName()).isEqualTo("RATATOSKR_" + k.name().toUpperCase().replaceAll("[.-]", "_"));
        }
        assertThat(ConfigKeys.find("mqtt.max-packet-size").orElseThrow().envName())
                .isEqualTo("RATATOSKR_MQTT_MAX_PACKET_SIZE");
    }

    @Test
    void printedConfigurationLoadsBackToTheSameSettings() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "y");
        EffectiveConfig c = load(file("mqtt.port: 1884\nhttp.port: -1\ngrpc.tls.cert: " + cert + "\n"),
                Map.of("RATATOSKR_GRPC_TLS_KEY", key.toString()),
                new ConfigLoader.Flag("topics.storage.segment-size", "64MiB", "--set"));
        String yaml = c.toYaml();
        assertThat(yaml).contains("  port: 1884  # " + dir.resolve("ratatoskr.yaml") + " line 1\n",
                "    key: \"" + key + "\"  # env RATATOSKR_GRPC_TLS_KEY\n",
                "    segment-size: 64MiB  # flag --set\n", "data-dir: \"data\"  # default\n");
        Path printed = Files.writeString(dir.resolve("printed.yaml"), yaml);
        assertThat(load(printed, Map.of()).settings()).isEqualTo(c.settings());
        assertThat(c.settings().server().http()).isNull();
        assertThat(c.settings().server().grpc().tls().certChainPem()).isEqualTo(cert);
    }
}
