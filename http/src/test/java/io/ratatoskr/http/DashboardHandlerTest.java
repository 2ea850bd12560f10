package io.ratatoskr.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dashboard's static files as served by the admin HTTP server, next to the API. */
class DashboardHandlerTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private AdminHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new AdminHttpServer(HttpConfig.DEFAULTS.withPort(0),
                new Router().get("/api/v1/things", r -> ApiResponse.ok(Map.of("things", 1))),
                new SimpleMeterRegistry());
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rootServesThePageWithAPolicyThatAllowsOnlyItsOwnOrigin() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(
                csp -> assertThat(csp).startsWith("default-src 'self'"));
        assertThat(page.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(page.body()).contains("<title>Ratatoskr</title>").contains("src=\"/assets/app.js\"");
        assertThat(page.body()).as("no CDN, no web fonts").doesNotContain("http://", "https://");
        assertThat(get("/?tab=1").statusCode()).as("a query string does not matter").isEqualTo(200);
    }

    @Test
    void assetsHaveTheirContentTypes() throws Exception {
        assertThat(get("/assets/app.js").headers().firstValue("content-type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(get("/assets/style.css").headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
        assertThat(get("/assets/favicon.svg").headers().firstValue("content-type")).hasValue("image/svg+xml");
        HttpResponse<String> js = get("/assets/api.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).contains("export async function call");
    }

    @Test
    void everyFileOfTheResourceFolderIsServedAndNothingElseIsListed() throws IOException {
        Path folder = Path.of("src/main/resources", DashboardAssets.ROOT);
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(DashboardAssets.INDEX)))
                    .containsExactlyInAnyOrderElementsOf(DashboardAssets.FILES);
        }
    }

    @Test
    void anUnchangedFileIsAnswered304ByItsEntityTag() throws Exception {
        HttpResponse<String> first = get("/assets/app.js");
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<String> again = get("/assets/app.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("etag")).hasValue(etag);
        assertThat(get("/assets/app.js", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(get("/", "If-None-Match", "W/" + get("/").headers().firstValue("etag").orElseThrow())
                .statusCode()).as("weak comparison").isEqualTo(304);
    }

    @Test
    void unknownAssetsAre404AndOtherMethods405() throws Exception {
        HttpResponse<String> missing = get("/assets/nope.js");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("not_found");
        assertThat(get("/assets/").statusCode()).isEqualTo(404);
        assertThat(get("/assets").statusCode()).isEqualTo(404);
        assertThat(get("/index.html").statusCode()).isEqualTo(404);
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/")).POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void apiRoutesStillReachTheRouter() throws Exception {
        HttpResponse<String> api = get("/api/v1/things");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.body()).contains("\"things\"");
    }

    /** Sent over a raw socket: an HTTP client library would normalize the dots away before sending. */
    @ParameterizedTest
    @ValueSource(strings = {"/assets/../pom.xml", "/assets/..%2f..%2fpom.xml", "/assets/%2e%2e/%2e%2e/pom.xml",
            "/assets/../../../../etc/passwd", "/assets/..\\..\\pom.xml", "/assets//etc/passwd",
            "/assets/io/ratatoskr/http/dashboard/app.js", "/assets/./app.js", "/assets/app.js%00.html",
            "/assets/../DashboardAssets.class", "/assets/%2e%2e%2fDashboardHandler.class"})
    void pathsThatTryToLeaveTheDashboardFolderAreNotFound(String path) throws IOException {
        String answer = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 404").doesNotContain("<project", "root:", "export ");
    }

    @Test
    void headAnswersTheHeadersWithoutTheBody() throws IOException {
        String answer = raw("HEAD /assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: ")
                .doesNotContain("import ");
    }

    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
