package io.ratatoskr.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web dashboard's files, read from the classpath ({@value #ROOT}) once, when the HTTP server is
 * built, and kept in memory (a few tens of KiB). Only the files named in {@link #FILES} exist: a
 * request names one of them exactly or gets nothing, so no path can reach outside this set, whatever
 * dots, slashes or encodings it carries.
 *
 * <p>Thread-safety: immutable after construction.
 */
final class DashboardAssets {
    static final String ROOT = "io/ratatoskr/http/dashboard/";
    /** The page itself, served at {@code /}. */
    static final String INDEX = "index.html";
    /** Every file served under {@code /assets/}; a test checks that this matches the resource folder. */
    static final List<String> FILES = List.of("app.js", "api.js", "format.js", "render.js", "sparkline.js",
            "style.css", "favicon.svg");

    /** One file: its bytes, content type and entity tag (a hash of the bytes). */
    record Asset(String name, byte[] bytes, String contentType, String etag) {}

    private final Map<String, Asset> assets;
    private final Asset index;

    private DashboardAssets(Asset index, Map<String, Asset> assets) {
        this.index = index;
        this.assets = assets;
    }

    /** Reads every file; a missing one is a packaging mistake and fails the start. */
    static DashboardAssets load() {
        ClassLoader loader = DashboardAssets.class.getClassLoader();
        Map<String, Asset> assets = new LinkedHashMap<>();
        for (String name : FILES) {
            assets.put(name, read(loader, name));
        }
        return new DashboardAssets(read(loader, INDEX), Map.copyOf(assets));
    }

    Asset index() {
        return index;
    }

    /** The file named exactly {@code name}, if it is one of the dashboard's. */
    Optional<Asset> asset(String name) {
        return Optional.ofNullable(assets.get(name));
    }

    private static Asset read(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard file " + ROOT + name + " is missing from the classpath");
            }
            byte[] bytes = in.readAllBytes();
            return new Asset(name, bytes, contentType(name), etag(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard file " + ROOT + name, e);
        }
    }

    static String contentType(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            // RFC 9239: text/javascript is the one media type for JavaScript (ES modules need a JS type).
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> throw new IllegalArgumentException("no content type known for " + name);
        };
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
