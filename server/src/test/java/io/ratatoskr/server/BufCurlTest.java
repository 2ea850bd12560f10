package io.ratatoskr.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ratatoskr.grpc.GrpcConfig;
import io.ratatoskr.mqtt.server.MqttConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generic gRPC tool, {@code buf curl} (npm package {@code @bufbuild/buf}, installed by .ci/run),
 * lists and calls the broker's methods through server reflection alone — no .proto file. Found
 * through {@code $RATATOSKR_BUF}, {@code .ci/tools} or the PATH; on CI a missing {@code buf} fails the test, elsewhere
 * it is skipped.
 */
class BufCurlTest {
    @TempDir
    Path dir;

    private RatatoskrServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = RatatoskrServer.start(ServerConfig.DEFAULTS.withDataDir(dir)
                .withMqtt(MqttConfig.DEFAULTS.withAddress("127.0.0.1", 0))
                .withGrpc(GrpcConfig.DEFAULTS.withPort(0)).withHttp(null));
        base = "http://127.0.0.1:" + server.grpcPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void bufCurlListsTheServicesAndCallsMethodsThroughReflection() throws Exception {
        String buf = findBuf();

        Result services = run(buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services", base);
        assertThat(services.exit).as(services.out).isZero();
        assertThat(services.out).contains("ratatoskr.v1.Ratatoskr", "grpc.health.v1.Health");

        Result created = run(buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                "-d", "{\"name\":\"orders\",\"config\":{\"partitions\":2}}", base + "/ratatoskr.v1.Ratatoskr/CreateTopic");
        assertThat(created.exit).as(created.out).isZero();
        assertThat(created.out).contains("\"effectiveFilters\"", "\"orders/#\"");

        Result published = run(buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                "-d", "{\"topic\":\"orders\",\"payload\":\"aGVsbG8=\",\"key\":\"c-42\"}",
                base + "/ratatoskr.v1.Ratatoskr/Publish");
        assertThat(published.exit).as(published.out).isZero();
        assertThat(published.out).contains("\"messageId\"", "\"stored\": true");
        assertThat(server.durableTopics().describe("orders").messages()).isEqualTo(1);

        Result refused = run(buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                "-d", "{\"topic\":\"nope\",\"payload\":\"aGVsbG8=\"}", base + "/ratatoskr.v1.Ratatoskr/Publish");
        assertThat(refused.exit).as(refused.out).isNotZero();
        assertThat(refused.out).contains("not_found", "durable topic 'nope' does not exist");
    }

    private static String findBuf() {
        String explicit = System.getenv("RATATOSKR_BUF");
        if (explicit != null && Files.isExecutable(Path.of(explicit))) {
            return explicit;
        }
        Path local = Path.of("..", ".ci", "tools", "node_modules", ".bin", "buf");
        if (Files.isExecutable(local)) {
            return local.toString();
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, "buf");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("buf is not installed: .ci/run installs it with npm (@bufbuild/buf)");
        }
        assumeTrue(false, "buf not found (npm install @bufbuild/buf, or set RATATOSKR_BUF)");
        return null;
    }

    private record Result(int exit, String out) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("buf did not finish: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), out);
    }
}
